import type { CheckRequest } from '../check/types.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import { createLocalCoordinator, type TickClaims } from '../fleet/index.js';
import { NO_METRICS } from '../metrics/index.js';
import type { VantageProbes } from '../vantage/types.js';
import type { Watch } from '../watch-model/types.js';
import type { DomainWatch } from '../watch-model/domain-watch.js';
import { claimedDomain, domainClaim } from './domain-post-intent.js';
import { recheckDomain } from './recheck-domain.js';
import { type Recorded, reconcileHost, type Sight } from './reconcile-host.js';
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
//
// Once a host is seen, its watches are read from the store in one call and what the tick keeps of
// them is written in one (reconcile-host.ts): a fleet's database answers a host in a few
// statements, not one per port and per record.
//
// Watched domains go through the same tick: each domain is one claim (`domain:<domain>`) beside
// the hosts, so in a fleet one replica re-checks it per tick, and its posts go through the same
// ledger (recheck-domain.ts).

export type { Counts, RecheckDeps, RecheckSummary } from './deps.js';

const LOCAL = createLocalCoordinator();

export async function recheckWatches(deps: RecheckDeps): Promise<RecheckSummary> {
  const started = deps.now().getTime();
  const fleet = deps.fleet ?? LOCAL;
  const slot = deps.slot ?? deps.now();
  const metrics = deps.metrics ?? NO_METRICS;
  const watches = await deps.store.listWatches();
  metrics.watchTickBegan();
  if (deps.vantageProbes === undefined && watches.some((watch) => (watch.vantages ?? []).length > 0)) {
    deps.logger.warn(
      'watches from vantages are re-tested from this network only: no probe workers are configured (DATABASE_URL)',
    );
  }
  const byHost = new Map<string, Watch[]>();
  for (const watch of watches) byHost.set(watch.host, [...(byHost.get(watch.host) ?? []), watch]);
  // Without a domain check (a process built for host watches alone) domain watches are not even
  // listed: a host-only tick costs the statements it always did.
  const domainWatches = deps.checkDomain ? await deps.store.listDomainWatches() : [];
  const byDomain = new Map<string, DomainWatch[]>();
  for (const watch of domainWatches) {
    byDomain.set(watch.domain, [...(byDomain.get(watch.domain) ?? []), watch]);
  }
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
  const claimsToMake = [...byHost.keys(), ...[...byDomain.keys()].map(domainClaim)];
  const queue = claimsToMake
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
    metrics.watchTickEnded({ hosts: byHost.keys(), domains: byDomain.keys() });
    return summary();
  }

  const portsOf = (list: Watch[]): number[] =>
    [...new Set(list.flatMap((watch) => watch.ports))].sort((a, b) => a - b);

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
    metrics.watchRetested(host, deps.now());
    const at = deps.now().toISOString();
    const sight: Sight = { kind: 'own', diagnosis };
    await reconcileHost(deps, fleet, counts, {
      host,
      watches: hostWatches,
      ports,
      sight,
      recorded: [{ diagnosis }],
      at,
    });
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
    metrics.watchRetested(host, deps.now());
    const at = deps.now().toISOString();
    const recorded: Recorded[] = outcomes.flatMap((outcome) => {
      if (outcome.kind !== 'answered') return [];
      const own = outcome.vantage === probes.local;
      if (own && ownRecorded) return [];
      return [{ diagnosis: outcome.diagnosis, ...(own ? {} : { vantage: outcome.vantage }) }];
    });
    const sight: Sight = { kind: 'vantages', outcomes };
    await reconcileHost(deps, fleet, counts, { host, watches: hostWatches, ports, sight, recorded, at });
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

  /** A claimed domain: the watches this tick listed, or, when another replica registered it, read now. */
  const recheckDomainClaim = async (domain: string): Promise<void> => {
    const checkDomain = deps.checkDomain;
    if (checkDomain === undefined) return;
    let list = byDomain.get(domain);
    if (list === undefined) {
      try {
        list = await deps.store.listDomainWatches({ domain });
      } catch (error) {
        deps.logger.error('domain watches of a claimed domain not read', { domain, error });
        return;
      }
    }
    if (list.length === 0) return;
    await (ready.get(domainClaim(domain)) ?? Promise.resolve());
    counts.retested += 1;
    await recheckDomain({ ...deps, checkDomain }, fleet, counts, domain, list);
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
  const claimed = new Set<string>();
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
      claimed.add(host);
      const domain = claimedDomain(host);
      if (domain !== null) {
        await recheckDomainClaim(domain);
      } else {
        const hostWatches = await watchesOf(host);
        if (hostWatches.length > 0) await recheckHost(host, hostWatches);
      }
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

  // The gauges keep what this process re-tested; a tick cut short also keeps what is still watched.
  const kept = claimFailure === null ? [...claimed] : [...claimed, ...claimsToMake];
  metrics.watchTickEnded({
    hosts: kept.filter((claim) => claimedDomain(claim) === null),
    domains: kept.flatMap((claim) => claimedDomain(claim) ?? []),
  });

  const result = summary();
  deps.logger.info('watch tick finished', { slot: slot.toISOString(), replica: fleet.replica, ...result });
  return result;
}
