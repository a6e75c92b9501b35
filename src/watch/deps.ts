import type { Admit, AsyncAdmit } from '../check/admission.js';
import type { RunCheck } from '../check/types.js';
import type { FleetCoordinator } from '../fleet/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/index.js';
import type { DomainReport } from '../posture-report/types.js';
import type { VantageProbes } from '../vantage/types.js';
import type { WatchStore } from '../watch-model/index.js';
import type { AlertNotifier } from './alert-notifier.js';
import type { AlertConfig } from './alert-state.js';

// What a tick and the watch commands are given, and what a tick reports: declared apart from the
// functions, so the files that share a tick's or a command's dependencies need not import each other.

/**
 * A domain's posture report: what DNS says of it (SPF, DKIM, DMARC, BIMI, MX), judged. Never
 * rejects for a DNS outcome (a lookup that failed is a fact of the report); a rejection is a bug
 * or infrastructure failing.
 */
export type CheckDomainPosture = (request: { domain: string; selectors: string[] }) => Promise<DomainReport>;

export interface RecheckDeps {
  store: WatchStore;
  runCheck: RunCheck;
  /** Re-checks watched domains; without it they are not read, and left as they are. */
  checkDomain?: CheckDomainPosture;
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
  /** Who re-tests which host and who posts what; one process on its own when absent. */
  fleet?: FleetCoordinator;
  /** The schedule's slot this tick runs for (the same on every replica); now() when absent. */
  slot?: Date;
  /**
   * Probes from other networks (workers sharing the database). Without it, a watch from vantages
   * is re-tested from the bot's own network only, as a watch without vantages always is.
   */
  vantageProbes?: VantageProbes;
  /** ALERT_QUORUM: vantages that must agree a port is blocked before it is announced (default 1). */
  alertQuorum?: number;
  /** The watch gauges and alert counters; none when absent. */
  metrics?: Metrics;
}

export interface RecheckSummary {
  hosts: number;
  watches: number;
  /** Hosts this process re-tested (in a fleet, its share of `hosts`). */
  retested: number;
  /** Announcements another replica (or an earlier tick whose answer was lost) had posted already. */
  adopted: number;
  /** Calls to the fleet's database that failed (logged); a failed claim ends the tick early. */
  fleetFailures: number;
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

/** What one tick counts as it goes (the summary adds the totals and the duration). */
export type Counts = Omit<RecheckSummary, 'hosts' | 'watches' | 'durationMs'>;

export interface WatchCommandDeps {
  store: WatchStore;
  runCheck: RunCheck;
  /** The baseline of `watch domain`; without it domain watches are refused, saying why. */
  checkDomain?: CheckDomainPosture;
  now: () => Date;
  logger: Logger;
  alertConfig?: AlertConfig;
  /** WATCH_ADMINS: when non-empty, only these user ids may watch, unwatch and mute. */
  admins?: readonly string[];
  /** Watches one channel may hold (default 200). */
  maxWatchesPerChannel?: number;
  /**
   * Port allow-list and rate limits: a watch's baseline is a check like any other (asynchronous
   * when a fleet keeps the limits in its database).
   */
  admit?: Admit | AsyncAdmit;
  /**
   * Probes from other networks, for `watch host from office,aws-eu`. Without it a watch from
   * vantages is refused, saying what it needs.
   */
  vantageProbes?: VantageProbes;
  /** ALERT_QUORUM, for the baseline of a watch from vantages (default 1). */
  alertQuorum?: number;
}
