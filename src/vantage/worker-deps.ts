import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/index.js';
import type { TargetPolicy } from '../policy/index.js';
import type { ProbeHost, ProbeLimits, Resolver } from '../probe/types.js';

/** What a probe worker is built from (src/cli/worker-command.ts builds the real one). */
export interface WorkerDeps {
  databaseUrl: string;
  vantage: string;
  /** This worker's own policy (its ALLOW_TARGETS): a job for a refused target comes back refused. */
  policy: TargetPolicy;
  /** ALLOWED_PORTS here: ports on top of the standard and provider ports this worker will dial. */
  allowedPorts: readonly number[];
  limits: ProbeLimits;
  probeHost: ProbeHost;
  resolver?: Resolver;
  extraCa?: string[];
  /** Jobs probed at once. */
  concurrency: number;
  logger: Logger;
  version: string;
  /** The probe's clock (certificate days left). Deadlines are judged on the database's clock. */
  now?: () => Date;
  heartbeatMs?: number;
  /** How often an idle worker looks for jobs without a wake-up (default POLL_SECONDS). */
  pollSeconds?: number;
  /** Aborting it ends a start that is still waiting for the bot to prepare the database. */
  signal?: AbortSignal;
  /** Jobs by outcome, the last heartbeat, the probe's stage timings. */
  metrics?: Metrics;
}
