import type { FleetCoordinator, PostedKey } from '../fleet/index.js';
import type { DomainReport, PostureFinding } from '../posture-report/types.js';
import type {
  DomainAlertNotice,
  DomainWatch,
  DomainWatchState,
  PostureDegradation,
  PostureSnapshot,
} from '../watch-model/domain-watch.js';
import type { Incident } from '../watch-model/types.js';
import { comparePosture, type PostureChange } from './compare-posture.js';
import type { CheckDomainPosture, Counts, RecheckDeps } from './deps.js';
import { domainClaim, domainPostIntent } from './domain-post-intent.js';
import { postThroughLedger } from './ledger-post.js';
import { fillUnknown, postureSnapshotOf, watchedSelectors } from './posture-snapshot.js';

// One tick of a watched domain: one report for every channel that watches it, each watch compared
// with its own baseline, and what deserves a message posted through the same incident machinery
// as a host's (an alert that opens a thread, updates and the recovery in it, the alert marked
// resolved) and the same post ledger, so two replicas never post one thing twice. Degradations are
// not confirmed over several ticks as a port's failures are: DNS answers are cached and retried by
// resolvers, and a failed lookup is no observation at all (the last known value stands).

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** The report's first advice for each finding about what degraded, most severe first. */
export function adviceFor(findings: PostureFinding[], degradations: PostureDegradation[]): string[] {
  const aspects = new Set(degradations.map((d) => d.aspect));
  const advice = findings
    .filter((finding) => aspects.has(finding.id.split('-')[0] as PostureDegradation['aspect']))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
    .flatMap((finding) => finding.advice.slice(0, 1));
  return [...new Set(advice)].slice(0, 3);
}

/** Re-checks one domain for all its watches. False when the check threw (logged, state unchanged). */
export async function recheckDomain(
  deps: RecheckDeps & { checkDomain: CheckDomainPosture },
  fleet: FleetCoordinator,
  counts: Counts,
  domain: string,
  watches: DomainWatch[],
): Promise<boolean> {
  const selectors = [
    ...new Set(watches.flatMap((watch) => watchedSelectors(watch.selectors, watch.state.baseline))),
  ].sort();
  let report: DomainReport;
  try {
    report = await deps.checkDomain({ domain, selectors });
  } catch (error) {
    counts.checkFailures += 1;
    deps.logger.error('domain watch re-check failed; its state is unchanged', { domain, error });
    return false;
  }
  const observed = postureSnapshotOf(report);
  const at = deps.now().toISOString();
  for (const watch of watches) {
    try {
      await reconcileDomainWatch(deps, fleet, counts, watch, observed, report, at);
    } catch (error) {
      deps.logger.error('domain watch state not saved', { channel: watch.channel, domain, error });
    }
  }
  return true;
}

async function reconcileDomainWatch(
  deps: RecheckDeps,
  fleet: FleetCoordinator,
  counts: Counts,
  watch: DomainWatch,
  observed: PostureSnapshot,
  report: DomainReport,
  at: string,
): Promise<void> {
  const { store, notify, logger } = deps;
  const { channel, domain, state: was } = watch;
  const current = fillUnknown(observed, was.last);
  // A part the baseline could not tell (DNS failed when the watch was added) is the first one seen.
  const baseline = fillUnknown(was.baseline, current);
  const change = comparePosture(baseline, current, was.announced);
  // A new degradation is dated by the tick's slot, the same on every replica: the alert's ledger key
  // is named after it, so two replicas that re-check the domain in one tick (a lease that lapsed)
  // post one alert, not two.
  const firstSeen = (deps.slot ?? new Date(at)).toISOString();
  const degradedSince = change.degradations.length === 0 ? null : (was.degradedSince ?? firstSeen);
  deps.metrics?.domainWatchSeen({ domain, degraded: degradedSince !== null, at: new Date(at) });
  const observation: DomainWatchState = { ...was, baseline, last: current, degradedSince };
  const accepted: PostedKey[] = [];
  const save = async (state: DomainWatchState): Promise<void> => {
    if (accepted.length > 0) {
      // The posts are recorded first, so a failed save re-announces nothing: the ledger adopts them.
      await fleet.posts.commit(
        accepted.splice(0),
        { channel, host: domainClaim(domain), states: {} },
        async () => {},
      );
    }
    await store.saveDomainWatchState(channel, domain, state);
  };
  const deliver = async (what: string, send: () => Promise<void>): Promise<boolean> => {
    try {
      await send();
      counts.delivered += 1;
      return true;
    } catch (error) {
      counts.deliveryFailures += 1;
      logger.warn(`domain watch ${what} not delivered; retrying next tick`, { channel, domain, error });
      return false;
    }
  };
  const markResolved = (incident: Incident): Promise<boolean> =>
    deliver('resolved alert', () =>
      unsupported(notify.markDomainResolved?.bind(notify))(channel, incident.alertTs, {
        domain,
        since: incident.since,
        resolvedAt: incident.resolvedAt ?? at,
      }),
    );

  const toSay = change.worse.length > 0 || change.recovered.length > 0;
  if (watch.mute !== null && watch.mute.until > at) {
    if (toSay) counts.mutedAnnouncements += 1;
    return save(observation);
  }
  let incident = was.incident;
  if (incident?.status === 'resolving') {
    if (!(await markResolved(incident))) return save(observation);
    incident = null;
  }
  if (!toSay) return save({ ...observation, incident });

  const ledger = { fleet, notify, logger, counts, accepted, channel, host: domain };
  const notice = noticeOf(domain, change, report);
  if (incident !== null) {
    const open = incident;
    const resolved = change.degradations.length === 0;
    const slot = resolved ? open.threadTs : `${open.threadTs}:${changeKey(change)}`;
    const intent = domainPostIntent(channel, domain, resolved ? 'recovery' : 'update', slot);
    const update: DomainAlertNotice = { ...notice, resolved: resolved ? { since: open.since, at } : null };
    const posted = await postThroughLedger(ledger, 'thread update', intent, open.threadTs, (key) =>
      unsupported(notify.postDomainInThread?.bind(notify))(channel, open.threadTs, update, { key }),
    );
    if (posted === null) return save({ ...observation, incident: open });
    const told = { ...observation, announced: change.degradations };
    if (!resolved) return save({ ...told, incident: open });
    // The recovery is in the thread: recorded before the alert is touched, so a restart (or a
    // failed update) finishes the resolution instead of posting the recovery twice.
    const resolving: Incident = { ...open, status: 'resolving', resolvedAt: at };
    await save({ ...told, incident: resolving });
    deps.metrics?.alertResolved('domain');
    logger.info('domain watch incident resolved', { channel, domain });
    return save({ ...told, incident: (await markResolved(resolving)) ? null : resolving });
  }
  if (change.worse.length === 0) {
    // Cleared with no incident to tell (it was resolved, or the watch accepted anew): just remember.
    return save({ ...observation, announced: change.degradations, incident: null });
  }
  const since = degradedSince ?? at;
  // The alert's ledger key is named after `since`: saved before the post, so a save that fails
  // after it leaves the next tick the same key, and the ledger adopts the alert instead of a second.
  if (was.degradedSince === null)
    await store.saveDomainWatchState(channel, domain, { ...observation, incident: null });
  const intent = domainPostIntent(channel, domain, 'alert', since);
  const posted = await postThroughLedger(ledger, 'alert', intent, null, (key) =>
    unsupported(notify.postDomainAlert?.bind(notify))(channel, notice, { key }),
  );
  if (posted === null) return save({ ...observation, incident: null });
  deps.metrics?.alertOpened('domain');
  logger.info('domain watch incident opened', {
    channel,
    domain,
    degradations: change.worse.map((d) => d.id),
  });
  return save({
    ...observation,
    announced: change.degradations,
    incident: {
      channel,
      host: domain,
      alertTs: posted.ts,
      threadTs: posted.ts,
      openedAt: at,
      since,
      lastReminderAt: null,
      status: 'open',
      resolvedAt: null,
    },
  });
}

/** A notifier method, or one that refuses: this notifier cannot say anything of domains. */
function unsupported<A extends unknown[], R>(
  method: ((...args: A) => Promise<R>) | undefined,
): (...args: A) => Promise<R> {
  return method ?? (async () => Promise.reject(new Error('this notifier cannot post domain watch messages')));
}

function changeKey(change: PostureChange): string {
  return [...change.worse.map((d) => `${d.id}=${d.after}`), ...change.recovered.map((r) => `${r.id}:back`)]
    .sort()
    .join(',');
}

function noticeOf(domain: string, change: PostureChange, report: DomainReport): DomainAlertNotice {
  return {
    domain,
    worse: change.worse,
    degradations: change.degradations,
    recovered: change.recovered,
    advice: adviceFor(report.findings, change.degradations),
  };
}
