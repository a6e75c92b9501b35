import { CERT_CRITICAL_DAYS, CERT_EXPIRING_DAYS } from '../diagnose/index.js';
import type { HostDiagnosis, PortDiagnosis } from '../diagnose/types.js';
import type { PortClass } from '../probe/types.js';
import {
  type AlertEvent,
  CERT_BANDS,
  type CertBand,
  type PortAlertState,
  type PortAlertStates,
} from '../watch-model/types.js';

export type { AlertEvent };

// The pure heart of watching: one observation of one port in, the next state and the events that
// deserve a message out. The condition (ok / blocked) changes only after N agreeing observations,
// so one lost packet never pages anyone. What was announced is kept apart from the condition, so a
// message Slack refused, or one held back by a mute, is simply announced on a later tick.

export interface AlertConfig {
  /** Consecutive unusable observations that confirm a port is blocked. */
  failuresToBlock: number;
  /** Consecutive usable observations that confirm it recovered. */
  successesToRecover: number;
  /** Least time between two "still blocked" reminders. */
  reminderMs: number;
  /**
   * Certificate bands: fewer days left than certExpiringDays is 'expiring', fewer than
   * certCriticalDays 'critical' (by default the diagnosis's thresholds, so a finding and an alert
   * agree on a band).
   */
  certExpiringDays: number;
  certCriticalDays: number;
}

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  failuresToBlock: 2,
  successesToRecover: 2,
  reminderMs: 4 * 3_600_000,
  certExpiringDays: CERT_EXPIRING_DAYS,
  certCriticalDays: CERT_CRITICAL_DAYS,
};

/** What one re-test saw on one port. */
export interface PortObservation {
  port: number;
  class: PortClass;
  usable: boolean;
  daysLeft: number | null;
  at: string;
}

export function observePort(port: PortDiagnosis, at: string): PortObservation {
  return {
    port: port.port,
    class: port.class,
    usable: port.usable,
    daysLeft: port.certificate?.daysLeft ?? null,
    at,
  };
}

export function certBandOf(
  daysLeft: number | null,
  config: AlertConfig = DEFAULT_ALERT_CONFIG,
): CertBand | null {
  if (daysLeft === null) return null;
  if (daysLeft < 0) return 'expired';
  if (daysLeft < config.certCriticalDays) return 'critical';
  if (daysLeft < config.certExpiringDays) return 'expiring';
  return 'ok';
}

const bandRank = (band: CertBand): number => CERT_BANDS.indexOf(band);

/**
 * The state of a port seen for the first time (the watch's baseline). A port that fails already
 * is not alerted (the watch confirmation says it fails), but counts as announced, so the day it
 * starts working is.
 */
export function baselinePortState(
  observation: PortObservation,
  config = DEFAULT_ALERT_CONFIG,
): PortAlertState {
  const announced = observation.usable ? null : observation.at;
  return {
    phase: observation.usable ? 'ok' : 'blocked',
    streak: 0,
    since: observation.at,
    pendingSince: null,
    class: observation.class,
    usable: observation.usable,
    checkedAt: observation.at,
    daysLeft: observation.daysLeft,
    alertable: observation.usable,
    announcedOutage: announced,
    announcedAt: announced,
    certBand: certBandOf(observation.daysLeft, config),
  };
}

/** Moves the confirmed condition: ok → suspect → blocked → recovering → ok. */
function advanceCondition(prev: PortAlertState, o: PortObservation, config: AlertConfig): PortAlertState {
  const seen = { ...prev, class: o.class, usable: o.usable, checkedAt: o.at, daysLeft: o.daysLeft };
  const settle = { streak: 0, pendingSince: null };
  switch (prev.phase) {
    case 'ok':
    case 'suspect': {
      if (o.usable) return { ...seen, ...settle, phase: 'ok' };
      const streak = prev.phase === 'ok' ? 1 : prev.streak + 1;
      const pendingSince = prev.phase === 'ok' ? o.at : (prev.pendingSince ?? o.at);
      if (streak >= config.failuresToBlock)
        return { ...seen, ...settle, phase: 'blocked', since: pendingSince };
      return { ...seen, phase: 'suspect', streak, pendingSince };
    }
    case 'blocked':
    case 'recovering': {
      if (!o.usable) return { ...seen, ...settle, phase: 'blocked' };
      const streak = prev.phase === 'blocked' ? 1 : prev.streak + 1;
      const pendingSince = prev.phase === 'blocked' ? o.at : (prev.pendingSince ?? o.at);
      if (streak >= config.successesToRecover) {
        return { ...seen, ...settle, phase: 'ok', since: pendingSince, alertable: true };
      }
      return { ...seen, phase: 'recovering', streak, pendingSince };
    }
    default:
      return prev.phase satisfies never;
  }
}

/**
 * Feeds one observation to a port's state. The returned state assumes every returned event gets
 * delivered; when it is not (Slack failed, host muted), keep `withholdAnnouncements(prev, state)`.
 */
export function advancePortState(
  prev: PortAlertState | null,
  observation: PortObservation,
  config: AlertConfig = DEFAULT_ALERT_CONFIG,
): { state: PortAlertState; events: AlertEvent[] } {
  if (prev === null) return { state: baselinePortState(observation, config), events: [] };
  const state = advanceCondition(prev, observation, config);
  const events: AlertEvent[] = [];
  const { port, at } = observation;

  if (state.phase === 'blocked' && state.announcedOutage === null && state.alertable) {
    events.push({ kind: 'became-blocked', port, class: state.class, since: state.since });
    state.announcedOutage = state.since;
    state.announcedAt = at;
  } else if (
    state.phase === 'blocked' &&
    state.announcedOutage !== null &&
    state.alertable &&
    Date.parse(at) - Date.parse(state.announcedAt ?? state.announcedOutage) >= config.reminderMs
  ) {
    events.push({ kind: 'still-blocked', port, class: state.class, since: state.announcedOutage, at });
    state.announcedAt = at;
  } else if (state.phase === 'ok' && state.announcedOutage !== null) {
    events.push({
      kind: 'recovered',
      port,
      class: state.class,
      blockedSince: state.announcedOutage,
      recoveredAt: state.since,
      firstTime: !prev.alertable,
    });
    state.announcedOutage = null;
    state.announcedAt = null;
    state.alertable = true;
  }

  const band = certBandOf(observation.daysLeft, config);
  if (band !== null && observation.daysLeft !== null) {
    // A port first seen with a certificate after the baseline starts from 'ok': 5 days left pages.
    if (bandRank(band) > bandRank(state.certBand ?? 'ok')) {
      events.push({ kind: 'cert-expiring', port, band, daysLeft: observation.daysLeft });
    }
    state.certBand = band;
  }
  return { state, events };
}

/** The new state with the announcements of `prev`: its events will be raised again next time. */
export function withholdAnnouncements(prev: PortAlertState | null, next: PortAlertState): PortAlertState {
  if (prev === null) return next;
  return {
    ...next,
    announcedOutage: prev.announcedOutage,
    announcedAt: prev.announcedAt,
    certBand: prev.certBand,
    // A first recovery that was not delivered stays a first recovery.
    alertable: prev.alertable && next.alertable,
  };
}

/** One watch's observation: every watched port advanced, and what the tick may say about it. */
export interface WatchObservation {
  /** The ports' next states, as they are once the events are announced. */
  next: PortAlertStates;
  events: AlertEvent[];
  /** The states to keep when the message is not delivered: its events are raised again next tick. */
  withheld: PortAlertStates;
}

/**
 * Advances each watched port with what the check saw (a port it did not probe keeps its state)
 * and collects the events. A reminder covers every port of the incident, so they stay on one
 * cadence.
 */
export function observeWatch(
  ports: readonly number[],
  prev: PortAlertStates,
  diagnosis: HostDiagnosis,
  at: string,
  config: AlertConfig,
): WatchObservation {
  const next: PortAlertStates = {};
  const events: AlertEvent[] = [];
  for (const port of ports) {
    const seen = diagnosis.ports.find((p) => p.port === port);
    const before = prev[port] ?? null;
    if (seen === undefined) {
      if (before !== null) next[port] = before;
      continue;
    }
    const result = advancePortState(before, observePort(seen, at), config);
    next[port] = result.state;
    events.push(...result.events);
  }
  return completeObservation(prev, next, events, at);
}

/**
 * What every watch's observation ends with, however its ports were advanced: a reminder covers
 * every port of the incident, so they stay on one cadence; and the states to keep when the message
 * is not delivered, so its events are raised again next tick.
 */
export function completeObservation(
  prev: PortAlertStates,
  next: PortAlertStates,
  events: AlertEvent[],
  at: string,
): WatchObservation {
  if (events.some((event) => event.kind === 'still-blocked')) {
    for (const [port, state] of Object.entries(next)) {
      if (state.phase !== 'blocked' || state.announcedOutage === null || !state.alertable) continue;
      if (events.some((event) => event.port === Number(port))) continue;
      events.push({
        kind: 'still-blocked',
        port: Number(port),
        class: state.class,
        since: state.announcedOutage,
        at,
      });
      state.announcedAt = at;
    }
  }
  const withheld: PortAlertStates = {};
  for (const [port, state] of Object.entries(next)) {
    withheld[Number(port)] = withholdAnnouncements(prev[Number(port)] ?? null, state);
  }
  return { next, events, withheld };
}
