import type { HostDiagnosis } from '../diagnose/types.js';
import type { Metrics } from '../metrics/index.js';
import type { FleetCoordinator, PostedKey } from '../fleet/index.js';
import type { AlertEvent } from './alert-state.js';
import { postThroughLedger } from './ledger-post.js';
import { postIntentOf } from './post-intent.js';
import type { Counts, RecheckDeps } from './deps.js';
import type {
  Incident,
  Mute,
  PortAlertStates,
  VantageAlertStates,
  VantageReport,
  Watch,
} from '../watch-model/types.js';
import { portStateViews } from './watch-views.js';

// What a re-tested watch says, and what is saved for it: an alert and its incident, an update in
// the incident's thread, the resolution of the alert — or nothing while the watch is muted. What
// was announced is saved only once the notifier accepted the message (see recheck-watches.ts).

/** What a watch's reconciliation leaves in the store: port states and, when it changed, the incident. */
export interface Outcome {
  states: PortAlertStates;
  /** An Incident to open or update it, null to close it, undefined to leave it as stored. */
  incident?: Incident | null;
}

/**
 * Counts what Slack accepted: an alert is opened when it is announced (a muted one, later), and a
 * port that never worked since the watch began was never alerted, so it is not "resolved".
 */
function countAnnounced(metrics: Metrics | undefined, events: AlertEvent[]): void {
  for (const event of events) {
    if (event.kind === 'became-blocked') metrics?.alertOpened('port');
    else if (event.kind === 'cert-expiring') metrics?.alertOpened('certificate');
    else if (event.kind === 'recovered' && !event.firstTime) metrics?.alertResolved('port');
  }
}

/** Delivers a watch's events (or holds them back while muted) and says what to save. */
export async function announceWatch(
  deps: Pick<RecheckDeps, 'store' | 'notify' | 'logger' | 'metrics'>,
  fleet: FleetCoordinator,
  accepted: PostedKey[],
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
    vantages?: VantageAlertStates;
    report?: VantageReport;
  },
): Promise<Outcome> {
  const { store, notify, logger } = deps;
  const { watch, diagnosis, at, counts, next, withheld, events, mute, vantages, report } = tick;
  // A watch from vantages names them in every message.
  const named = report ? { vantages: report } : {};
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
  const ledger = { fleet, notify, logger, counts, accepted, channel, host };
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
    const update = { host, events, ports, diagnosis, resolved, ...named };
    const intent = postIntentOf(channel, host, events, diagnosis, open, resolved !== null);
    const posted = await postThroughLedger(ledger, 'thread update', intent, open.threadTs, (key) =>
      notify.postInThread(channel, open.threadTs, update, { key }),
    );
    if (posted === null) return { states: withheld };
    countAnnounced(deps.metrics, events);
    const reminded = events.some((event) => event.kind === 'still-blocked');
    if (!resolved)
      return { states: next, incident: { ...open, lastReminderAt: reminded ? at : open.lastReminderAt } };
    // The recovery is in the thread: record that before touching the alert, so a restart (or a
    // failed update) finishes the resolution instead of posting the recovery twice.
    const resolving: Incident = { ...open, status: 'resolving', resolvedAt: resolved.at };
    await fleet.posts.commit(
      accepted.splice(0),
      { channel, host, states: next, incident: resolving, ...(vantages ? { vantages } : {}) },
      () => store.saveAlertStates(channel, host, next, resolving, vantages),
    );
    return { states: next, incident: (await markResolved(resolving)) ? null : resolving };
  }

  const intent = postIntentOf(channel, host, events, diagnosis, null, false);
  const posted = await postThroughLedger(ledger, 'alert', intent, null, (key) =>
    notify.postAlert(channel, { host, events, ports, diagnosis, ...named }, { key }),
  );
  if (posted === null) return { states: withheld, incident: keptIncident };
  countAnnounced(deps.metrics, events);
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
