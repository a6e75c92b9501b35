import type { RunCheck } from '../check/types.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { Logger } from '../log.js';
import { Semaphore } from '../policy/index.js';
import type { WatchStore } from '../store/index.js';
import type { AlertNotifier } from './alert-notifier.js';
import {
  type AlertConfig,
  type AlertEvent,
  advancePortState,
  DEFAULT_ALERT_CONFIG,
  observePort,
  withholdAnnouncements,
} from './alert-state.js';
import type { Incident, Mute, PortAlertStates, Watch } from './types.js';
import { portStateViews } from './watch-views.js';

// One scheduled tick. The port states are always saved (they are observations); what was
// announced is saved only once the notifier accepted the message, so a message Slack refused is
// raised again on the next tick — and, because the announcement is in the store, a restart never
// raises one twice.

export interface RecheckDeps {
  store: WatchStore;
  runCheck: RunCheck;
  notify: AlertNotifier;
  now: () => Date;
  logger: Logger;
  /** Hosts re-tested at the same time. */
  concurrency: number;
  /** Each host waits a random 0…jitterMs first, so a tick does not hit every server at once. */
  jitterMs: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  alertConfig?: AlertConfig;
}

export interface RecheckSummary {
  hosts: number;
  watches: number;
  /** Hosts whose check threw (a bug or infrastructure failure, logged); their state is unchanged. */
  checkFailures: number;
  /** Messages the notifier accepted. */
  delivered: number;
  /** Messages it refused; they are raised again next tick. */
  deliveryFailures: number;
  /** Watches with something to say that were muted. */
  mutedAnnouncements: number;
  durationMs: number;
}

type Counts = Omit<RecheckSummary, 'hosts' | 'watches' | 'durationMs'>;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function recheckWatches(deps: RecheckDeps): Promise<RecheckSummary> {
  const started = deps.now().getTime();
  const watches = await deps.store.listWatches();
  const byHost = new Map<string, Watch[]>();
  for (const watch of watches) byHost.set(watch.host, [...(byHost.get(watch.host) ?? []), watch]);
  const counts: Counts = { checkFailures: 0, delivered: 0, deliveryFailures: 0, mutedAnnouncements: 0 };
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? defaultSleep;

  // Every host's jitter starts now, outside the concurrency slots, and the slots take hosts in the
  // order their waits end. A slot that slept through each host's jitter idled jitterMs / 2 per host
  // on average: with the defaults (20 slots, 2 s) a tick managed 14–16 hosts/s, about 60 s for 1 000
  // hosts, against about 15 s now (npm run bench, BENCHMARKS.md). The start is still spread over jitterMs.
  const queue = [...byHost]
    .map(([host, hostWatches]) => ({
      host,
      hostWatches,
      delayMs: deps.jitterMs > 0 ? Math.floor(random() * deps.jitterMs) : 0,
    }))
    .sort((a, b) => a.delayMs - b.delayMs)
    .map((entry) => ({
      ...entry,
      ready: deps.jitterMs > 0 ? sleep(entry.delayMs) : Promise.resolve(),
    }));

  // The semaphore serves waiters in arrival order, so the slots take hosts in jitter order.
  const slots = new Semaphore(Math.max(1, deps.concurrency));
  const recheckHost = async ({ host, hostWatches, ready }: (typeof queue)[number]): Promise<void> => {
    await ready;
    const ports = [...new Set(hostWatches.flatMap((watch) => watch.ports))].sort((a, b) => a - b);
    let diagnosis: HostDiagnosis;
    try {
      diagnosis = await deps.runCheck({ target: host, ports, mx: 'auto' });
    } catch (error) {
      counts.checkFailures += 1;
      deps.logger.error('watch re-test failed', { host, error });
      return;
    }
    const at = deps.now().toISOString();
    try {
      await Promise.all(
        diagnosis.ports
          .filter((port) => ports.includes(port.port))
          .map((port) =>
            deps.store.appendHistory(host, port.port, { at, class: port.class, usable: port.usable }),
          ),
      );
    } catch (error) {
      deps.logger.error('watch history not saved', { host, error });
    }
    for (const watch of hostWatches) {
      try {
        await reconcileWatch(deps, watch, diagnosis, at, counts);
      } catch (error) {
        deps.logger.error('watch state not saved', { channel: watch.channel, host, error });
      }
    }
  };
  await Promise.all(queue.map((entry) => slots.run(() => recheckHost(entry))));

  const summary = {
    hosts: byHost.size,
    watches: watches.length,
    ...counts,
    durationMs: deps.now().getTime() - started,
  };
  deps.logger.info('watch tick finished', { ...summary });
  return summary;
}

/** What a watch's reconciliation leaves in the store: port states and, when it changed, the incident. */
interface Outcome {
  states: PortAlertStates;
  /** An Incident to open or update it, null to close it, undefined to leave it as stored. */
  incident?: Incident | null;
}

/**
 * Feeds the observation to every port of one watch, delivers what deserves a message and saves
 * the result in one write.
 */
async function reconcileWatch(
  deps: RecheckDeps,
  watch: Watch,
  diagnosis: HostDiagnosis,
  at: string,
  counts: Counts,
): Promise<void> {
  const { store } = deps;
  const { channel, host } = watch;
  const config = deps.alertConfig ?? DEFAULT_ALERT_CONFIG;
  const [prev, incident, mute] = await Promise.all([
    store.getAlertStates(channel, host),
    store.getIncident(channel, host),
    store.getMute(channel, host),
  ]);

  const next: PortAlertStates = {};
  const events: AlertEvent[] = [];
  for (const port of watch.ports) {
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
  // A reminder covers every port of the incident, so they stay on one cadence.
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
  // The states to keep when a message is not delivered: its events are raised again next tick.
  const withheld: PortAlertStates = {};
  for (const [port, state] of Object.entries(next)) {
    withheld[Number(port)] = withholdAnnouncements(prev[Number(port)] ?? null, state);
  }

  const outcome = await announce(deps, {
    watch,
    diagnosis,
    at,
    counts,
    next,
    withheld,
    events,
    incident,
    mute,
  });
  await store.saveAlertStates(channel, host, outcome.states, outcome.incident);
}

/** Delivers a watch's events (or holds them back while muted) and says what to save. */
async function announce(
  deps: RecheckDeps,
  tick: {
    watch: Watch;
    diagnosis: HostDiagnosis;
    at: string;
    counts: Counts;
    next: PortAlertStates;
    withheld: PortAlertStates;
    events: AlertEvent[];
    incident: Incident | null;
    mute: Mute | null;
  },
): Promise<Outcome> {
  const { store, notify, logger } = deps;
  const { watch, diagnosis, at, counts, next, withheld, events, mute } = tick;
  const { channel, host } = watch;

  // A port that has failed since the watch began is not part of any incident.
  const allClear = Object.values(next).every((state) => state.announcedOutage === null || !state.alertable);
  const resolvesIncident = tick.incident?.status === 'open' && allClear;
  if (mute !== null && mute.until > at) {
    if (events.length > 0 || resolvesIncident) counts.mutedAnnouncements += 1;
    return { states: withheld };
  }

  const ports = portStateViews(watch.ports, next);
  const deliver = async <T>(what: string, send: () => Promise<T>): Promise<T | null> => {
    try {
      const result = await send();
      counts.delivered += 1;
      return result;
    } catch (error) {
      counts.deliveryFailures += 1;
      logger.warn(`watch ${what} not delivered; retrying next tick`, { channel, host, error });
      return null;
    }
  };
  const markResolved = async (open: Incident): Promise<boolean> => {
    const resolvedAt = open.resolvedAt ?? at;
    const done = await deliver('resolved alert', async () => {
      await notify.markResolved(channel, open.alertTs, { host, since: open.since, resolvedAt, ports });
      return true;
    });
    return done === true;
  };

  // Finish a resolution whose alert update failed before anything else is said.
  let incident = tick.incident;
  if (incident?.status === 'resolving') {
    if (!(await markResolved(incident))) return { states: withheld };
    incident = null;
    if (events.length === 0) return { states: next, incident: null };
  }
  // The incident as this tick found it (undefined) or closed above (null).
  const keptIncident = incident === tick.incident ? undefined : null;

  if (events.length === 0 && !resolvesIncident) return { states: next, incident: keptIncident };

  if (incident?.status === 'open') {
    const open = incident;
    // The outage ended when the last port worked again, not when that was confirmed.
    const backAt = events
      .flatMap((event) => (event.kind === 'recovered' ? [event.recoveredAt] : []))
      .sort()
      .at(-1);
    const resolved = resolvesIncident ? { since: open.since, at: backAt ?? at } : null;
    const update = { host, events, ports, diagnosis, resolved };
    const posted = await deliver('thread update', () => notify.postInThread(channel, open.threadTs, update));
    if (posted === null) return { states: withheld };
    const reminded = events.some((event) => event.kind === 'still-blocked');
    if (!resolved)
      return { states: next, incident: { ...open, lastReminderAt: reminded ? at : open.lastReminderAt } };
    // The recovery is in the thread: record that before touching the alert, so a restart (or a
    // failed update) finishes the resolution instead of posting the recovery twice.
    const resolving: Incident = { ...open, status: 'resolving', resolvedAt: resolved.at };
    await store.saveAlertStates(channel, host, next, resolving);
    return { states: next, incident: (await markResolved(resolving)) ? null : resolving };
  }

  const posted = await deliver('alert', () => notify.postAlert(channel, { host, events, ports, diagnosis }));
  if (posted === null) return { states: withheld, incident: keptIncident };
  const blocked = events.filter((event) => event.kind === 'became-blocked');
  if (blocked.length === 0) return { states: next, incident: keptIncident };
  logger.info('watch incident opened', { channel, host, ports: blocked.map((event) => event.port) });
  return {
    states: next,
    incident: {
      channel,
      host,
      alertTs: posted.ts,
      threadTs: posted.ts,
      openedAt: at,
      since: blocked.map((event) => event.since).sort()[0] ?? at,
      lastReminderAt: null,
      status: 'open',
      resolvedAt: null,
    },
  };
}
