import type { CheckRequest } from '../check/types.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import {
  createLocalCoordinator,
  type FleetCoordinator,
  type PostedKey,
  type TickClaims,
} from '../fleet/index.js';
import type { VantageProbes } from '../vantage/types.js';
import { DEFAULT_ALERT_CONFIG, observeWatch, type WatchObservation } from './alert-state.js';
import type { PortAlertStates, VantageAlertStates, VantageReport, Watch } from '../watch-model/types.js';
import { observeWatchFromVantages } from './vantage-alert-state.js';
import { announceWatch } from './announce-watch.js';
import type { Counts, RecheckDeps, RecheckSummary } from './deps.js';
import { sleep as realSleep } from '../util/time.js';

// One scheduled tick. The port states are always saved (they are observations); what was
// announced is saved only once the notifier accepted the message, so a message Slack refused is
// raised again on the next tick — and, because the announcement is in the store, a restart never
// raises one twice.
//
// In a fleet, the coordinator hands each replica its share of the tick's hosts, and every post
// goes through its ledger first: an announcement has a key (channel, host, kind, slot) that is the
// same whichever replica or tick raises it, so it is posted once, and a post whose answer was lost
// is looked up in the channel before it is posted again.

export type { Counts, RecheckDeps, RecheckSummary } from './deps.js';

const LOCAL = createLocalCoordinator();

export async function recheckWatches(deps: RecheckDeps): Promise<RecheckSummary> {
  const started = deps.now().getTime();
  const fleet = deps.fleet ?? LOCAL;
  const slot = deps.slot ?? deps.now();
  const watches = await deps.store.listWatches();
  if (deps.vantageProbes === undefined && watches.some((watch) => (watch.vantages ?? []).length > 0)) {
    deps.logger.warn(
      'watches from vantages are re-tested from this network only: no probe workers are configured (DATABASE_URL)',
    );
  }
  const byHost = new Map<string, Watch[]>();
  for (const watch of watches) byHost.set(watch.host, [...(byHost.get(watch.host) ?? []), watch]);
  const counts: Counts = {
    retested: 0,
    checkFailures: 0,
    delivered: 0,
    deliveryFailures: 0,
    mutedAnnouncements: 0,
    adopted: 0,
    fleetFailures: 0,
  };
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? realSleep;
  const summary = (): RecheckSummary => ({
    hosts: byHost.size,
    watches: watches.length,
    ...counts,
    durationMs: deps.now().getTime() - started,
  });

  // Every host's jitter starts now, outside the concurrency slots, and the slots take hosts in the
  // order their waits end. A slot that slept through each host's jitter idled jitterMs / 2 per host
  // on average: with the defaults (20 slots, 2 s) a tick managed 14–16 hosts/s, about 60 s for 1 000
  // hosts, against about 15 s now (npm run bench, BENCHMARKS.md). The start is still spread over jitterMs.
  const queue = [...byHost.keys()]
    .map((host) => ({ host, delayMs: deps.jitterMs > 0 ? Math.floor(random() * deps.jitterMs) : 0 }))
    .sort((a, b) => a.delayMs - b.delayMs);
  const ready = new Map(
    queue.map(({ host, delayMs }) => [host, deps.jitterMs > 0 ? sleep(delayMs) : Promise.resolve()]),
  );

  let claims: TickClaims;
  try {
    claims = await fleet.openTick(
      slot,
      queue.map((entry) => entry.host),
    );
  } catch (error) {
    counts.fleetFailures += 1;
    deps.logger.error('watch tick not started: the fleet database failed; the next tick tries again', {
      error,
    });
    return summary();
  }

  const portsOf = (list: Watch[]): number[] =>
    [...new Set(list.flatMap((watch) => watch.ports))].sort((a, b) => a - b);
  /** Every watch of the host muted at `at`: its history shows the stretch as muted. */
  const allMuted = async (hostWatches: Watch[], at: string): Promise<boolean> => {
    const mutes = await Promise.all(
      hostWatches.map((watch) => deps.store.getMute(watch.channel, watch.host)),
    );
    return mutes.every((mute) => mute !== null && mute.until > at);
  };
  const saveHistory = async (
    host: string,
    ports: number[],
    diagnosis: HostDiagnosis,
    at: string,
    muted: boolean,
    vantage?: string,
  ): Promise<void> => {
    try {
      await Promise.all(
        diagnosis.ports
          .filter((port) => ports.includes(port.port))
          .map((port) =>
            deps.store.appendHistory(
              host,
              port.port,
              { at, class: port.class, usable: port.usable, ...(muted ? { muted } : {}) },
              vantage,
            ),
          ),
      );
    } catch (error) {
      deps.logger.error('watch history not saved', { host, vantage, error });
    }
  };
  const reconcileAll = async (host: string, list: Watch[], sight: Sight, at: string): Promise<void> => {
    for (const watch of list) {
      try {
        await reconcileWatch(deps, fleet, watch, sight, at, counts);
      } catch (error) {
        deps.logger.error('watch state not saved', { channel: watch.channel, host, error });
      }
    }
  };

  /** Watches from the bot's own network: one check, as always. False when it threw. */
  const recheckOwn = async (host: string, hostWatches: Watch[]): Promise<boolean> => {
    const ports = portsOf(hostWatches);
    let diagnosis: HostDiagnosis;
    try {
      diagnosis = await deps.runCheck({ target: host, ports, mx: 'auto' });
    } catch (error) {
      counts.checkFailures += 1;
      deps.logger.error('watch re-test failed', { host, error });
      return false;
    }
    const at = deps.now().toISOString();
    await saveHistory(host, ports, diagnosis, at, await allMuted(hostWatches, at).catch(() => false));
    await reconcileAll(host, hostWatches, { kind: 'own', diagnosis }, at);
    return true;
  };

  /**
   * Watches from vantages: one probe of the host from every vantage any of them names. The bot's
   * own answer is its history when no watch of the host from its own network recorded it already.
   */
  const recheckFromVantages = async (
    host: string,
    hostWatches: Watch[],
    probes: VantageProbes,
    ownRecorded: boolean,
  ): Promise<void> => {
    const ports = portsOf(hostWatches);
    const names = [...new Set(hostWatches.flatMap((watch) => watch.vantages ?? []))];
    const request: CheckRequest = { target: host, ports, mx: 'auto' };
    let outcomes: VantageOutcome[];
    try {
      outcomes = await probes.probeFrom(names, request, { priority: 'scheduled' });
    } catch (error) {
      counts.checkFailures += 1;
      deps.logger.error('watch re-test from vantages failed', { host, vantages: names, error });
      return;
    }
    const at = deps.now().toISOString();
    const muted = await allMuted(hostWatches, at).catch(() => false);
    for (const outcome of outcomes) {
      if (outcome.kind !== 'answered') continue;
      const own = outcome.vantage === probes.local;
      if (own && ownRecorded) continue;
      await saveHistory(host, ports, outcome.diagnosis, at, muted, own ? undefined : outcome.vantage);
    }
    await reconcileAll(host, hostWatches, { kind: 'vantages', outcomes }, at);
  };

  const recheckHost = async (host: string, hostWatches: Watch[]): Promise<void> => {
    await (ready.get(host) ?? Promise.resolve());
    const probes = deps.vantageProbes;
    const fromVantages = probes ? hostWatches.filter((watch) => (watch.vantages ?? []).length > 0) : [];
    const own = hostWatches.filter((watch) => !fromVantages.includes(watch));
    counts.retested += 1;
    const ownRecorded = own.length > 0 && (await recheckOwn(host, own));
    if (probes && fromVantages.length > 0) await recheckFromVantages(host, fromVantages, probes, ownRecorded);
  };

  // Another replica may have registered a host this one did not list (a watch added meanwhile).
  const watchesOf = async (host: string): Promise<Watch[]> => {
    const known = byHost.get(host);
    if (known !== undefined) return known;
    try {
      return await deps.store.listWatches({ host });
    } catch (error) {
      deps.logger.error('watches of a claimed host not read', { host, error });
      return [];
    }
  };

  // Workers take hosts in the coordinator's order (the jitter order, for one process).
  let claimFailure: unknown = null;
  const worker = async (): Promise<void> => {
    while (claimFailure === null) {
      let host: string | null;
      try {
        host = await claims.next();
      } catch (error) {
        claimFailure ??= error;
        return;
      }
      if (host === null) return;
      const hostWatches = await watchesOf(host);
      if (hostWatches.length > 0) await recheckHost(host, hostWatches);
      try {
        await claims.done(host);
      } catch (error) {
        counts.fleetFailures += 1;
        deps.logger.error('watch host not marked re-tested; another replica may re-test it', { host, error });
      }
    }
  };
  const workers = fleet === LOCAL ? Math.min(Math.max(1, deps.concurrency), queue.length) : deps.concurrency;
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  } finally {
    await claims.close();
  }
  if (claimFailure !== null) {
    counts.fleetFailures += 1;
    deps.logger.error('watch tick stopped early: the fleet database failed; the next tick resumes', {
      error: claimFailure,
      retested: counts.retested,
    });
  }

  const result = summary();
  deps.logger.info('watch tick finished', { slot: slot.toISOString(), replica: fleet.replica, ...result });
  return result;
}

/** What a re-test saw for a watch: the bot's own check, or every vantage's answer. */
type Sight = { kind: 'own'; diagnosis: HostDiagnosis } | { kind: 'vantages'; outcomes: VantageOutcome[] };

/** A watch's observation, with what a watch from vantages adds to it. */
interface Observed extends WatchObservation {
  diagnosis: HostDiagnosis;
  /** A watch from vantages: each vantage's states (always saved: they are observations). */
  vantages?: VantageAlertStates;
  report?: VantageReport;
}

/** Advances a watch's states with what the re-test saw; null when no vantage of it answered. */
async function observe(
  deps: RecheckDeps,
  watch: Watch,
  sight: Sight,
  prev: PortAlertStates,
  at: string,
): Promise<Observed | null> {
  const config = deps.alertConfig ?? DEFAULT_ALERT_CONFIG;
  if (sight.kind === 'own') {
    return { ...observeWatch(watch.ports, prev, sight.diagnosis, at, config), diagnosis: sight.diagnosis };
  }
  const vantages = watch.vantages ?? [];
  const observation = observeWatchFromVantages({
    ports: watch.ports,
    vantages,
    prev,
    prevVantages: await deps.store.getVantageStates(watch.channel, watch.host),
    outcomes: sight.outcomes.filter((outcome) => vantages.includes(outcome.vantage)),
    at,
    config,
    quorum: deps.alertQuorum ?? 1,
  });
  if (observation.diagnosis === null) {
    deps.logger.warn('no vantage of the watch answered; its state is unchanged', {
      channel: watch.channel,
      host: watch.host,
      silent: observation.report.silent,
    });
    return null;
  }
  return { ...observation, diagnosis: observation.diagnosis };
}

/**
 * Feeds the observation to every port of one watch, delivers what deserves a message and saves
 * the result in one write.
 */
async function reconcileWatch(
  deps: RecheckDeps,
  fleet: FleetCoordinator,
  watch: Watch,
  sight: Sight,
  at: string,
  counts: Counts,
): Promise<void> {
  const { store } = deps;
  const { channel, host } = watch;
  const [prev, incident, mute] = await Promise.all([
    store.getAlertStates(channel, host),
    store.getIncident(channel, host),
    store.getMute(channel, host),
  ]);

  const observed = await observe(deps, watch, sight, prev, at);
  if (observed === null) return;
  const { next, events, withheld, diagnosis, vantages, report } = observed;

  // Posts Slack accepted in this reconciliation: recorded with the states that announce them.
  const accepted: PostedKey[] = [];
  const outcome = await announceWatch(deps, fleet, accepted, {
    watch,
    diagnosis,
    at,
    counts,
    next,
    withheld,
    events,
    incident,
    mute,
    ...(vantages ? { vantages } : {}),
    ...(report ? { report } : {}),
  });
  await fleet.posts.commit(
    accepted,
    { channel, host, states: outcome.states, incident: outcome.incident, ...(vantages ? { vantages } : {}) },
    () => store.saveAlertStates(channel, host, outcome.states, outcome.incident, vantages),
  );
}
