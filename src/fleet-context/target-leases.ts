import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { storeErrorFrom } from '../database/errors.js';
import type { FleetDatabase } from '../database/fleet-database.js';
import { createOutageLog } from './outage-log.js';
import { sleep as realSleep } from '../util/time.js';

/** Ends a check's hold on its target. Never rejects. */
export type ReleaseTarget = () => Promise<void>;

/** One check of a target at a time across the fleet: the second waits for the first. */
export interface TargetLeases {
  /** Resolves once this replica may check `target` (a normalised key), with the way to let go. */
  acquire(target: string): Promise<ReleaseTarget>;
}

export interface TargetLeaseOptions {
  logger: Logger;
  /**
   * A lease not renewed for this long is free again: how long a replica that died mid-check keeps
   * its target. Renewed every third of it while the check runs.
   */
  ttlMs?: number;
  /** How often a waiting check asks whether the target is free. */
  pollMs?: number;
  /**
   * A check waits at most this long, then runs anyway (logged): a stuck holder must not stop a
   * person's check for good. Longer than a check takes.
   */
  maxWaitMs?: number;
  /** While the database is away, it is asked again at most this often; checks run unwaited meanwhile. */
  retryMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TTL_MS = 60_000;

/**
 * Leases are rows (target, holder, expiry) in PostgreSQL, taken with one INSERT … ON CONFLICT that
 * succeeds only when the row is absent or expired. No connection is held while a check runs or
 * waits, so the pool is never exhausted by waiting checks, and a replica that dies frees its
 * targets when their leases expire. Expiry uses the database's clock, one clock for the fleet.
 */
export function createTargetLeases(db: FleetDatabase, options: TargetLeaseOptions): TargetLeases {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const pollMs = options.pollMs ?? 250;
  const maxWaitMs = options.maxWaitMs ?? 3 * 60_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const { logger } = options;
  const outage = createOutageLog(db, {
    logger,
    what: 'the fleet-wide wait for a target',
    fallback: 'checks of one target wait only for others on the same replica until it does',
    now,
    retryMs: options.retryMs ?? 30_000,
  });
  const unheld: ReleaseTarget = async () => {};

  const tryTake = async (target: string, holder: string): Promise<boolean> => {
    const { rows } = await db.pool.query(
      `INSERT INTO target_leases (target, holder, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (target) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE target_leases.expires_at < clock_timestamp()
       RETURNING holder`,
      [target, holder, ttlMs],
    );
    return rows.length > 0;
  };

  const hold = (target: string, holder: string): ReleaseTarget => {
    const renew = setInterval(
      () => {
        db.pool
          .query(
            `UPDATE target_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
           WHERE target = $1 AND holder = $2`,
            [target, holder, ttlMs],
          )
          .catch((error: unknown) => {
            logger.warn('could not renew a target lease; it expires unless renewed', {
              target,
              error: storeErrorFrom(error, db.url, 'renewing a target lease').message,
            });
          });
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
    renew.unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      try {
        // Leases that replicas which died left behind go too: the table holds only live checks.
        await db.pool.query(
          'DELETE FROM target_leases WHERE (target = $1 AND holder = $2) OR expires_at < clock_timestamp()',
          [target, holder],
        );
      } catch (error) {
        logger.warn('could not release a target lease; it expires on its own', {
          target,
          error: storeErrorFrom(error, db.url, 'releasing a target lease').message,
        });
      }
    };
  };

  return {
    async acquire(target) {
      const holder = randomUUID();
      const started = now();
      for (;;) {
        if (!outage.shouldTry()) return unheld;
        let taken: boolean;
        try {
          taken = await tryTake(target, holder);
        } catch (error) {
          outage.failed(error);
          return unheld;
        }
        outage.succeeded();
        if (taken) return hold(target, holder);
        if (now() - started >= maxWaitMs) {
          logger.warn('another replica has been checking this target too long; checking anyway', {
            target,
            waitedMs: now() - started,
          });
          return unheld;
        }
        await sleep(pollMs);
      }
    },
  };
}
