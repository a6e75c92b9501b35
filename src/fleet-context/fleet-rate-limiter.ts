import type { Logger } from '../log.js';
import {
  nameKey,
  RATE_WINDOW_MS,
  type RateDecision,
  RateLimiter,
  type RateLimits,
  rateRefusal,
} from '../policy/index.js';
import type { PoolClient } from '../database/connection.js';
import type { FleetDatabase } from '../database/fleet-database.js';
import { createOutageLog } from './outage-log.js';

type Scope = 'user' | 'target' | 'address';

/** Serialises every take across the fleet: a take is a few milliseconds, chat checks are few. */
const RATE_LOCK = 0x736d_7470_2d72n;

export interface FleetRateLimiterOptions {
  logger: Logger;
  now?: () => number;
  /** While the database is away, it is asked again at most this often. */
  retryMs?: number;
}

/**
 * RateLimiter's limits counted in PostgreSQL, so a user, a target or an address has one allowance
 * across every replica. Same windows and the same refusals. When the database does not answer the
 * checks go on under this replica's own RateLimiter (they need no database), and that is logged.
 */
export class FleetRateLimiter {
  private readonly local: RateLimiter;
  private readonly now: () => number;
  private readonly outage;

  constructor(
    private readonly db: FleetDatabase,
    private readonly limits: RateLimits,
    options: FleetRateLimiterOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.local = new RateLimiter(limits, this.now);
    this.outage = createOutageLog(db, {
      logger: options.logger,
      what: 'fleet rate limits',
      fallback: 'each replica counts its own checks until it does',
      now: this.now,
      retryMs: options.retryMs ?? 30_000,
    });
  }

  /** Records the check when allowed; a refused attempt does not count against the user. */
  take(user: string, target: string): Promise<RateDecision> {
    const key = nameKey(target);
    return this.fleetOr(
      () => this.local.take(user, target),
      (client) =>
        this.record(client, [
          ['user', user, user, this.limits.perUserPerMinute],
          ['target', key, key, this.limits.perTargetPerMinute],
        ]),
    );
  }

  /** Records one check dialling `address`; refused after perTargetPerMinute in a minute, whatever the name. */
  takeAddress(address: string): Promise<RateDecision> {
    return this.fleetOr(
      () => this.local.takeAddress(address),
      (client) =>
        this.record(client, [['address', address.toLowerCase(), address, this.limits.perTargetPerMinute]]),
    );
  }

  private async fleetOr(
    local: () => RateDecision,
    fleet: (client: PoolClient) => Promise<RateDecision>,
  ): Promise<RateDecision> {
    if (!this.outage.shouldTry()) return local();
    let client: PoolClient;
    try {
      client = await this.db.pool.connect();
    } catch (error) {
      this.outage.failed(error);
      return local();
    }
    try {
      await client.query('BEGIN');
      const decision = await fleet(client);
      await client.query('COMMIT');
      this.outage.succeeded();
      return decision;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.outage.failed(error);
      return local();
    } finally {
      client.release();
    }
  }

  /**
   * Counts each key's checks in the window, refuses on the first key at its limit (in the order
   * given), else records one check for every key. Expired rows of every key go on the way.
   */
  private async record(
    client: PoolClient,
    keys: Array<[scope: Scope, key: string, shown: string, limit: number]>,
  ): Promise<RateDecision> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [RATE_LOCK.toString()]);
    // One clock for the fleet: the database's. Replicas whose clocks disagree still share a window.
    const { rows: clock } = await client.query<{ now: Date }>('SELECT now() AS now');
    const now = clock[0]?.now.getTime() ?? this.now();
    const since = new Date(now - RATE_WINDOW_MS);
    await client.query('DELETE FROM rate_events WHERE at <= $1', [since]);
    for (const [scope, key, shown, limit] of keys) {
      const { rows } = await client.query<{ count: string; oldest: Date | null }>(
        'SELECT count(*) AS count, min(at) AS oldest FROM rate_events WHERE scope = $1 AND key = $2 AND at > $3',
        [scope, key, since],
      );
      const count = Number(rows[0]?.count ?? 0);
      if (count >= limit)
        return rateRefusal(scope, shown, count, limit, rows[0]?.oldest?.getTime() ?? now, now);
    }
    for (const [scope, key] of keys) {
      await client.query('INSERT INTO rate_events (scope, key, at) VALUES ($1, $2, $3)', [
        scope,
        key,
        new Date(now),
      ]);
    }
    return { allowed: true };
  }
}
