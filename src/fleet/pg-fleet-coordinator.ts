import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { createPool, type Pool, type PoolClient, storeErrorFrom } from '../database/connection.js';
import { describeDatabase } from '../database/database-url.js';
import { migrate } from '../store/pg/migrations.js';
import type { Incident, PortAlertStates, VantageAlertStates } from '../watch-model/types.js';
import type {
  FleetCoordinator,
  PostDecision,
  PostedKey,
  PostIntent,
  PostLedger,
  TickClaims,
} from './types.js';
import { sleep as realSleep } from '../util/time.js';

// The fleet's schedule and post ledger in PostgreSQL (tables of migration 002).
//
// A tick is its slot time. Every replica registers the hosts it sees for that slot (the first
// registration wins, later ones add nothing), then claims them a batch at a time with FOR UPDATE
// SKIP LOCKED, so two replicas never wait on each other nor take the same host. A claim is a lease
// on the database's clock, renewed while the replica works; a replica that dies stops renewing,
// and once its lease expires another replica of the same tick takes the host over. A host marked
// done is never claimed again in that tick.
//
// Posts: the intent (channel, host, kind, slot) is inserted before Slack is called. The unique key
// makes a second replica's insert a no-op that tells it the post exists or is under way; an intent
// still pending on a later tick means the answer was lost, so the message is looked up before
// it is posted again.

/** What the coordinator needs of a pool: pg.Pool, or a wrapper that counts round trips. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * The PostgreSQL watch store's transactions, when the store lives in the fleet's database: a post
 * is then recorded in the same transaction as the states that announce it.
 */
export interface StoreTransactions {
  transaction<T>(doing: string, work: (client: PoolClient) => Promise<T>): Promise<T>;
  saveAlertStatesIn(
    client: PoolClient,
    channel: string,
    host: string,
    states: PortAlertStates,
    incident?: Incident | null,
    vantages?: VantageAlertStates,
  ): Promise<boolean>;
}

export interface PgFleetCoordinatorOptions {
  pool: Queryable;
  /** DATABASE_URL, only to name the database in errors (never shown). */
  url: string;
  /** WATCH_LEASE_SECONDS in milliseconds: how long a claim or a post in progress is held. */
  leaseMs: number;
  /** Hosts claimed per round trip; the tick's concurrency is a good value. */
  batchSize: number;
  logger: Logger;
  replica?: string;
  sleep?: (ms: number) => Promise<void>;
  store?: StoreTransactions;
}

/** Tick rows are only needed while their tick can still run; posts are kept for a long while. */
const TICK_ROWS_KEPT = '1 day';
const POSTS_KEPT = '180 days';

export function replicaName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function createPgFleetCoordinator(options: PgFleetCoordinatorOptions): FleetCoordinator {
  const { pool, url, logger } = options;
  const replica = options.replica ?? replicaName();
  const leaseSeconds = Math.max(1, options.leaseMs) / 1_000;
  const batchSize = Math.max(1, options.batchSize);
  const sleep = options.sleep ?? realSleep;

  const query = async <R extends Record<string, unknown>>(
    doing: string,
    text: string,
    values: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }> => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw storeErrorFrom(error, url, doing);
    }
  };

  async function openTick(slot: Date, hosts: string[]): Promise<TickClaims> {
    const tick = slot.toISOString();
    await query(
      'registering the hosts of a tick',
      `WITH pruned AS (DELETE FROM fleet_tick_hosts WHERE tick < $1::timestamptz - interval '${TICK_ROWS_KEPT}'),
            -- A pending post that old was never completed (Slack kept refusing it, or its watch went
            -- away): it goes too, unless a replica is working on it right now.
            old_posts AS (DELETE FROM fleet_alert_posts
                          WHERE created_at < now() - interval '${POSTS_KEPT}'
                            AND (status = 'posted' OR lease_until IS NULL OR lease_until < now()))
       INSERT INTO fleet_tick_hosts (tick, host, position)
       SELECT $1::timestamptz, host, position FROM unnest($2::text[]) WITH ORDINALITY AS t(host, position)
       -- Every replica inserts in the same order, so two registrations never deadlock.
       ORDER BY host
       ON CONFLICT (tick, host) DO NOTHING`,
      [tick, hosts],
    );

    const held = new Set<string>();
    let buffer: string[] = [];
    let refill: Promise<void> | null = null;
    let finished = false;
    let closed = false;

    const claim = async (): Promise<string[]> => {
      const { rows } = await query<{ host: string; position: number }>(
        'claiming hosts of a tick',
        // The CTE runs once: a subquery in FROM may be rescanned and claim more than the batch.
        `WITH c AS MATERIALIZED (
           SELECT host FROM fleet_tick_hosts
            WHERE tick = $1 AND done_at IS NULL AND (lease_until IS NULL OR lease_until < now())
            ORDER BY position, host
            LIMIT $4
            FOR UPDATE SKIP LOCKED)
         UPDATE fleet_tick_hosts t
            SET claimed_by = $2, lease_until = now() + make_interval(secs => $3), claims = t.claims + 1
           FROM c
          WHERE t.tick = $1 AND t.host = c.host
          RETURNING t.host, t.position`,
        [tick, replica, leaseSeconds, batchSize],
      );
      return rows.sort((a, b) => a.position - b.position).map((row) => row.host);
    };

    // Hosts other replicas hold. A live replica renews its leases every third of a lease, so a lease
    // with less than half of it left belongs to a replica that stopped (killed, or cut off from
    // the database): once it lapses, this replica takes the host over. While the others' leases
    // stay fresh it looks again until they are done, for half a lease at most: long enough for a
    // stopped replica's lease to turn stale.
    const waitForLapsedLeases = async (): Promise<string[]> => {
      const renewalMs = options.leaseMs / 3;
      const lookUntil = Date.now() + options.leaseMs / 2 + Math.min(1_000, renewalMs);
      while (!closed) {
        const { rows } = await query<{ open: string; stale_wait_ms: number | null }>(
          'reading the leases of a tick',
          `SELECT count(*) AS open,
                  ceil(extract(epoch FROM min(lease_until) FILTER (
                    WHERE lease_until < now() + make_interval(secs => $3 / 2)) - now()) * 1000)::integer AS stale_wait_ms
             FROM fleet_tick_hosts
            WHERE tick = $1 AND done_at IS NULL AND claimed_by IS DISTINCT FROM $2`,
          [tick, replica, leaseSeconds],
        );
        if (Number(rows[0]?.open ?? 0) === 0) return [];
        const staleWaitMs = rows[0]?.stale_wait_ms ?? null;
        if (staleWaitMs !== null) {
          logger.debug('fleet tick waits for a lapsing lease', { tick, waitMs: staleWaitMs });
          await sleep(Math.max(0, staleWaitMs) + 50);
          if (closed) return [];
          const taken = await claim();
          if (taken.length > 0) return taken;
          continue;
        }
        if (Date.now() >= lookUntil) return [];
        await sleep(Math.min(1_000, renewalMs));
      }
      return [];
    };

    const fill = async (): Promise<void> => {
      let hostsClaimed = await claim();
      if (hostsClaimed.length === 0) hostsClaimed = await waitForLapsedLeases();
      if (hostsClaimed.length === 0) finished = true;
      for (const host of hostsClaimed) held.add(host);
      buffer.push(...hostsClaimed);
      if (hostsClaimed.length > 0) logger.debug('fleet hosts claimed', { tick, hosts: hostsClaimed });
    };

    const renewal = setInterval(
      () => {
        if (held.size === 0) return;
        query(
          'renewing leases',
          `UPDATE fleet_tick_hosts SET lease_until = now() + make_interval(secs => $3)
            WHERE tick = $1 AND claimed_by = $2 AND done_at IS NULL AND host = ANY($4::text[])`,
          [tick, replica, leaseSeconds, [...held]],
        ).catch((error: unknown) => logger.warn('fleet leases not renewed', { tick, error }));
      },
      Math.max(250, options.leaseMs / 3),
    );
    renewal.unref();

    return {
      async next() {
        while (buffer.length === 0 && !finished && !closed) {
          refill ??= fill().finally(() => {
            refill = null;
          });
          await refill;
        }
        return buffer.shift() ?? null;
      },
      async done(host) {
        held.delete(host);
        const { rowCount } = await query(
          'marking a host re-tested',
          `UPDATE fleet_tick_hosts SET done_at = now(), lease_until = NULL
            WHERE tick = $1 AND host = $2 AND claimed_by = $3 AND done_at IS NULL`,
          [tick, host, replica],
        );
        if (rowCount === 0) {
          // The lease lapsed while the host was re-tested (a stall longer than the lease): another
          // replica took it over; the post ledger keeps its announcements single.
          logger.warn('fleet lease lapsed before the host was done; another replica took it over', {
            tick,
            host,
          });
        }
      },
      async close() {
        closed = true;
        clearInterval(renewal);
        buffer = [];
      },
    };
  }

  const markPosted = async (
    client: { query(text: string, values: unknown[]): Promise<unknown> },
    posted: PostedKey[],
  ): Promise<void> => {
    try {
      await client.query(
        `UPDATE fleet_alert_posts p
            SET status = 'posted', ts = v.ts, posted_at = now(), claimed_by = NULL, lease_until = NULL
           FROM unnest($1::text[], $2::text[]) AS v(key, ts)
          WHERE p.key = v.key`,
        [posted.map((post) => post.key), posted.map((post) => post.ts)],
      );
    } catch (error) {
      throw storeErrorFrom(error, url, 'recording posts');
    }
  };

  const posts: PostLedger = {
    async begin(intent: PostIntent): Promise<PostDecision> {
      const { rows } = await query<{ attempts: number; created_at: Date }>(
        'recording a post',
        `INSERT INTO fleet_alert_posts (channel, host, kind, slot, key, status, claimed_by, lease_until, attempts)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, now() + make_interval(secs => $7), 1)
         ON CONFLICT (channel, host, kind, slot) DO UPDATE
            SET claimed_by = EXCLUDED.claimed_by, lease_until = EXCLUDED.lease_until,
                attempts = fleet_alert_posts.attempts + 1
          WHERE fleet_alert_posts.status = 'pending'
            AND (fleet_alert_posts.lease_until IS NULL OR fleet_alert_posts.lease_until < now()
                 OR fleet_alert_posts.claimed_by = EXCLUDED.claimed_by)
         RETURNING attempts, created_at`,
        [intent.channel, intent.host, intent.kind, intent.slot, intent.key, replica, leaseSeconds],
      );
      const taken = rows[0];
      if (taken !== undefined) {
        return taken.attempts === 1 ? { action: 'post' } : { action: 'look-up', since: taken.created_at };
      }
      const existing = await query<{ status: string; ts: string | null }>(
        'reading a post',
        'SELECT status, ts FROM fleet_alert_posts WHERE channel = $1 AND host = $2 AND kind = $3 AND slot = $4',
        [intent.channel, intent.host, intent.kind, intent.slot],
      );
      const row = existing.rows[0];
      if (row?.status === 'posted' && row.ts !== null) return { action: 'adopt', ts: row.ts };
      return { action: 'busy' };
    },
    async commit(posted, write, save) {
      if (posted.length === 0) return save();
      const store = options.store;
      if (store === undefined) {
        // States elsewhere: the posts first, so a failed save re-announces nothing.
        await markPosted(pool, posted);
        return save();
      }
      await store.transaction('saving alert states with their posts', async (client) => {
        await store.saveAlertStatesIn(
          client,
          write.channel,
          write.host,
          write.states,
          write.incident,
          write.vantages,
        );
        await markPosted(client, posted);
      });
    },
    async release(key) {
      await query(
        'releasing a post',
        `UPDATE fleet_alert_posts SET claimed_by = NULL, lease_until = NULL
          WHERE key = $1 AND status = 'pending' AND claimed_by = $2`,
        [key, replica],
      );
    },
  };

  return { replica, openTick, posts };
}

export interface OpenPgFleetOptions {
  url: string;
  leaseMs: number;
  batchSize: number;
  logger: Logger;
  /** A pool already opened on url (the store's); one of its own otherwise, closed by close(). */
  pool?: Queryable;
  store?: StoreTransactions;
}

/**
 * The coordinator of a process that runs on PostgreSQL: brings the schema up to date (every replica
 * may, under the migrations' lock) and returns the coordinator. Rejects with StoreError.
 */
export async function openPgFleet(
  options: OpenPgFleetOptions,
): Promise<{ fleet: FleetCoordinator; close(): Promise<void> }> {
  const { url, logger } = options;
  const own =
    options.pool === undefined
      ? createPool(url, {
          max: Math.min(20, options.batchSize + 4),
          onIdleError: (error) =>
            logger.warn('PostgreSQL closed an idle connection; the next query opens another', {
              error: storeErrorFrom(error, url, 'an idle connection').message,
            }),
        })
      : null;
  const pool = options.pool ?? (own as Pool);
  try {
    if (own !== null) await migrate(own, describeDatabase(url));
  } catch (error) {
    await own?.end();
    throw storeErrorFrom(error, url, 'bringing the schema up to date');
  }
  const fleet = createPgFleetCoordinator({
    pool,
    url,
    leaseMs: options.leaseMs,
    batchSize: options.batchSize,
    logger,
    ...(options.store ? { store: options.store } : {}),
  });
  return { fleet, close: async () => own?.end() };
}
