import type { HostDiagnosis } from '../diagnose/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import {
  type AlertConfig,
  type AlertEvent,
  advancePortState,
  certBandOf,
  completeObservation,
  observePort,
  type WatchObservation,
} from './alert-state.js';
import {
  type AlertPhase,
  CERT_BANDS,
  type CertBand,
  type PortAlertState,
  type PortAlertStates,
  type SilentVantage,
  type VantageAlertStates,
  type VantagePortSight,
  type VantageReport,
} from '../watch-model/types.js';

// Watching one host from several vantages (networks). Each vantage × port runs the state machine
// of alert-state.ts on its own observations, so a condition changes only after N agreeing
// observations from that network; a vantage that gave no verdict this time (no worker, no answer,
// refused, failed) keeps its states — silence is never a port verdict. The watch's own states are
// then host-wide, decided by a quorum: a port is announced blocked when at least `quorum` vantages
// have it confirmed blocked, and recovered when fewer remain. Only the host-wide states carry
// announcements, so an outage seen from three networks is one alert, and its reminders, mutes and
// recovery follow the same rules as any watch's.

/** ALERT_QUORUM on a watch: at least one vantage, never more than it is watched from. */
export function effectiveQuorum(quorum: number, vantages: number): number {
  return Math.max(1, Math.min(quorum, vantages));
}

/** Blocked, and not yet confirmed back (recovering still counts as blocked). */
const confirmedBlocked = (state: PortAlertState): boolean =>
  state.phase === 'blocked' || state.phase === 'recovering';

const bandRank = (band: CertBand): number => CERT_BANDS.indexOf(band);

interface Sighting {
  vantage: string;
  state: PortAlertState;
}

/** Each vantage's states after its answer; a silent vantage keeps what it had. */
function advanceVantages(
  ports: readonly number[],
  vantages: readonly string[],
  prev: VantageAlertStates,
  outcomes: readonly VantageOutcome[],
  at: string,
  config: AlertConfig,
): VantageAlertStates {
  const next: VantageAlertStates = {};
  for (const vantage of vantages) {
    const before = prev[vantage] ?? {};
    const outcome = outcomes.find((o) => o.vantage === vantage);
    const states: PortAlertStates = {};
    for (const port of ports) {
      const previous = before[port] ?? null;
      const seen =
        outcome?.kind === 'answered' ? outcome.diagnosis.ports.find((p) => p.port === port) : undefined;
      // A vantage's own events are not said: the host-wide states below decide what is announced.
      if (seen !== undefined) states[port] = advancePortState(previous, observePort(seen, at), config).state;
      else if (previous !== null) states[port] = previous;
    }
    next[vantage] = states;
  }
  return next;
}

/** The latest of the times, or `fallback` when there is none. */
const latest = (times: string[], fallback: string): string => [...times].sort().at(-1) ?? fallback;

/**
 * The host-wide state of one port from its vantages' states. The phase is what a person sees
 * (blocked once the quorum agrees, suspect while some vantage fails), the announcements follow
 * the vantages where the port worked since the watch began, as a single-network watch's do.
 */
function advanceHostPort(
  before: PortAlertState | null,
  port: number,
  seen: Sighting[],
  quorum: number,
  at: string,
  config: AlertConfig,
): { state: PortAlertState; events: AlertEvent[] } {
  const blocked = seen.filter((s) => confirmedBlocked(s.state));
  const alerting = blocked.filter((s) => s.state.alertable);
  const failing = seen.filter((s) => !confirmedBlocked(s.state) && !s.state.usable);
  const stillBlocked = blocked.filter((s) => s.state.phase === 'blocked');
  const down = blocked.length >= quorum;
  let phase: AlertPhase = 'ok';
  if (down) phase = stillBlocked.length >= quorum ? 'blocked' : 'recovering';
  else if (blocked.length + failing.length > 0) phase = 'suspect';

  const sinces = (list: Sighting[]): string[] => list.map((s) => s.state.since).sort();
  // Back up when the last of the vantages that are not blocked came back (or always were).
  const upSince = latest(sinces(seen.filter((s) => !confirmedBlocked(s.state))), at);
  const wasDown = before !== null && confirmedBlocked(before);
  let since = before?.since ?? at;
  if (before === null || down !== wasDown) since = down ? (sinces(blocked)[quorum - 1] ?? at) : upSince;
  const lead = alerting[0] ?? blocked[0] ?? failing[0] ?? seen[0];
  const days = seen.flatMap((s) => (s.state.daysLeft === null ? [] : [s.state.daysLeft]));
  const daysLeft = days.length > 0 ? Math.min(...days) : null;
  const state: PortAlertState = {
    phase,
    streak: 0,
    since,
    pendingSince: null,
    class: lead?.state.class ?? before?.class ?? 'filtered',
    usable: phase === 'ok',
    checkedAt: latest(
      seen.map((s) => s.state.checkedAt),
      at,
    ),
    daysLeft,
    alertable: before?.alertable ?? true,
    announcedOutage: before?.announcedOutage ?? null,
    announcedAt: before?.announcedAt ?? null,
    certBand: before?.certBand ?? null,
  };
  // The first sight of a port is its baseline: nothing to announce.
  if (before === null) return { state: { ...state, certBand: certBandOf(daysLeft, config) }, events: [] };

  const events: AlertEvent[] = [];
  const outage = alerting.length >= quorum;
  const announced = state.announcedOutage;
  const lastSaid = state.announcedAt ?? announced;
  if (outage && announced === null) {
    // The outage began when the quorum-th vantage's did.
    const outageSince = sinces(alerting)[quorum - 1] ?? at;
    events.push({ kind: 'became-blocked', port, class: state.class, since: outageSince });
    state.announcedOutage = outageSince;
    state.announcedAt = at;
  } else if (
    outage &&
    announced !== null &&
    state.alertable &&
    Date.parse(at) - Date.parse(lastSaid ?? announced) >= config.reminderMs
  ) {
    events.push({ kind: 'still-blocked', port, class: state.class, since: announced, at });
    state.announcedAt = at;
  } else if (state.announcedOutage !== null && (state.alertable ? !outage : !down)) {
    // An outage announced before the watch was from vantages, on a port that never worked, ends
    // only when the port works again, not when too few vantages that saw it work agree.
    const blockedSince = state.announcedOutage;
    events.push({
      kind: 'recovered',
      port,
      class: state.class,
      blockedSince,
      recoveredAt: latest([upSince, blockedSince], at),
      firstTime: !state.alertable,
    });
    state.announcedOutage = null;
    state.announcedAt = null;
    state.alertable = true;
  }

  const band = certBandOf(daysLeft, config);
  if (band !== null && daysLeft !== null) {
    if (bandRank(band) > bandRank(state.certBand ?? 'ok')) {
      events.push({ kind: 'cert-expiring', port, band, daysLeft });
    }
    state.certBand = band;
  }
  return { state, events };
}

/** The watched vantages that gave no verdict this time, and why. */
export function silentVantages(
  vantages: readonly string[],
  outcomes: readonly VantageOutcome[],
): SilentVantage[] {
  return vantages.flatMap((vantage): SilentVantage[] => {
    const outcome = outcomes.find((o) => o.vantage === vantage);
    if (outcome === undefined) return [{ vantage, kind: 'no-answer', lastSeen: null, detail: null }];
    switch (outcome.kind) {
      case 'answered':
        return [];
      case 'no-answer':
      case 'no-worker':
        return [{ vantage, kind: outcome.kind, lastSeen: outcome.lastSeen, detail: null }];
      case 'refused':
        return [{ vantage, kind: 'refused', lastSeen: null, detail: outcome.reason }];
      case 'failed':
        return [{ vantage, kind: 'failed', lastSeen: null, detail: outcome.error }];
      default:
        return outcome satisfies never;
    }
  });
}

/** What each vantage sees on each port, for the messages. */
export function vantageReport(
  ports: readonly number[],
  vantages: readonly string[],
  states: VantageAlertStates,
  outcomes: readonly VantageOutcome[],
  quorum: number,
): VantageReport {
  const sights = ports.map((port) => {
    const sight: VantagePortSight = { port, blocked: [], failing: [], open: [], unseen: [] };
    for (const vantage of vantages) {
      const state = states[vantage]?.[port];
      if (state === undefined) sight.unseen.push(vantage);
      else if (confirmedBlocked(state)) sight.blocked.push(vantage);
      else if (!state.usable) sight.failing.push(vantage);
      else sight.open.push(vantage);
    }
    return sight;
  });
  return { quorum, ports: sights, silent: silentVantages(vantages, outcomes) };
}

/** One watch's observation from its vantages. */
export interface VantageObservation extends WatchObservation {
  /** Every watched vantage's states: observations, saved whether or not a message is delivered. */
  vantages: VantageAlertStates;
  report: VantageReport;
  /**
   * The evidence for a message: the answer of a vantage that sees an announced port failing, else
   * the first answer; null when no vantage answered.
   */
  diagnosis: HostDiagnosis | null;
}

export interface VantageWatchInput {
  ports: readonly number[];
  /** The watch's vantages, in the order it names them. */
  vantages: readonly string[];
  /** The watch's own (host-wide) states. */
  prev: PortAlertStates;
  prevVantages: VantageAlertStates;
  outcomes: readonly VantageOutcome[];
  at: string;
  config: AlertConfig;
  /** ALERT_QUORUM; a watch from fewer vantages needs them all. */
  quorum: number;
}

/**
 * Advances each answering vantage's ports, then the host-wide state of each port that some
 * vantage observed now; a port no vantage observed keeps its state (and waits for its reminder).
 */
export function observeWatchFromVantages(input: VantageWatchInput): VantageObservation {
  const { ports, vantages, prev, outcomes, at, config } = input;
  const quorum = effectiveQuorum(input.quorum, vantages.length);
  const states = advanceVantages(ports, vantages, input.prevVantages, outcomes, at, config);
  const next: PortAlertStates = {};
  const events: AlertEvent[] = [];
  for (const port of ports) {
    const before = prev[port] ?? null;
    const seen = vantages.flatMap((vantage): Sighting[] => {
      const state = states[vantage]?.[port];
      return state === undefined ? [] : [{ vantage, state }];
    });
    if (!seen.some((s) => s.state.checkedAt === at)) {
      if (before !== null) next[port] = before;
      continue;
    }
    const result = advanceHostPort(before, port, seen, quorum, at, config);
    next[port] = result.state;
    events.push(...result.events);
  }
  const observation = completeObservation(prev, next, events, at);
  return {
    ...observation,
    vantages: states,
    report: vantageReport(ports, vantages, states, outcomes, quorum),
    diagnosis: evidenceOf(observation.events, vantages, outcomes),
  };
}

function evidenceOf(
  events: readonly AlertEvent[],
  vantages: readonly string[],
  outcomes: readonly VantageOutcome[],
): HostDiagnosis | null {
  const answers = vantages.flatMap((vantage) => {
    const outcome = outcomes.find((o) => o.vantage === vantage);
    return outcome?.kind === 'answered' ? [outcome.diagnosis] : [];
  });
  const failingPorts = events
    .filter((event) => event.kind === 'became-blocked' || event.kind === 'still-blocked')
    .map((event) => event.port);
  const showsFailure = answers.find((diagnosis) =>
    diagnosis.ports.some((port) => failingPorts.includes(port.port) && !port.usable),
  );
  return showsFailure ?? answers[0] ?? null;
}
