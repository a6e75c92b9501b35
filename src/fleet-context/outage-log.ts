import type { Logger } from '../log.js';
import { storeErrorFrom } from '../database/errors.js';
import type { FleetDatabase } from '../database/fleet-database.js';

/**
 * Work that can go on without the database (rate limits, the per-target wait) falls back to this
 * replica alone when it is away. An outage is logged when it starts and when it ends, not on every
 * check, and the database is asked again at most every retryMs meanwhile, so a dead database costs
 * a connection timeout once per retryMs rather than once per check.
 */
export interface OutageLog {
  /** Whether to try the database now (false while an outage is within retryMs of its last try). */
  shouldTry(): boolean;
  failed(error: unknown): void;
  succeeded(): void;
}

export function createOutageLog(
  db: FleetDatabase,
  options: { logger: Logger; what: string; fallback: string; now: () => number; retryMs: number },
): OutageLog {
  let down = false;
  let nextTry = 0;
  return {
    shouldTry: () => !down || options.now() >= nextTry,
    failed(error) {
      nextTry = options.now() + options.retryMs;
      if (down) return;
      down = true;
      const problem = storeErrorFrom(error, db.url, options.what);
      options.logger.error(`${options.what}: the database is not answering; ${options.fallback}`, {
        error: problem.message,
        unavailable: problem.unavailable,
      });
    },
    succeeded() {
      if (!down) return;
      down = false;
      options.logger.info(`${options.what}: the database answers again`);
    },
  };
}
