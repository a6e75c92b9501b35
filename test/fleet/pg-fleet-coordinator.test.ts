import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { FleetCoordinator, PostIntent } from '../../src/fleet/index.js';
import { createPgFleetCoordinator } from '../../src/fleet/pg-fleet-coordinator.js';
import { silentLogger } from '../../src/log.js';
import { createPool, type Pool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import { StoreError } from '../../src/database/store-error.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';

// The fleet's claims and post ledger on a real PostgreSQL: a database of its own per test.

const skip = await requirePostgres();
const SLOT = new Date('2026-03-01T12:00:00.000Z');
const hostsNamed = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => `mx${String(index).padStart(4, '0')}.example.test`);

let db: TestDatabase;
let pools: Pool[] = [];

function coordinator(options: { leaseMs?: number; batchSize?: number; replica: string }): FleetCoordinator {
  const pool = createPool(db.url, { max: 4 });
  pools.push(pool);
  return createPgFleetCoordinator({
    pool,
    url: db.url,
    leaseMs: options.leaseMs ?? 30_000,
    batchSize: options.batchSize ?? 10,
    logger: silentLogger,
    replica: options.replica,
  });
}

/** What one replica's workers do in a tick: take hosts until none is left, mark each one done. */
async function work(
  fleet: FleetCoordinator,
  slot: Date,
  hosts: string[],
  workers: number,
): Promise<string[]> {
  const claims = await fleet.openTick(slot, hosts);
  const seen: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let host = await claims.next(); host !== null; host = await claims.next()) {
        seen.push(host);
        // A re-test takes a moment; the other replica claims meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1));
        await claims.done(host);
      }
    }),
  );
  await claims.close();
  return seen;
}

describe.skipIf(skip !== null)('createPgFleetCoordinator()', () => {
  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_fleet');
    const pool = createPool(db.url);
    try {
      await migrate(pool, db.name);
    } finally {
      await pool.end();
    }
  });
  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    pools = [];
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('two replicas racing over 500 hosts re-test each host exactly once per tick', async () => {
    const hosts = hostsNamed(500);
    const a = coordinator({ replica: 'replica-a', leaseMs: 2_000 });
    const b = coordinator({ replica: 'replica-b', leaseMs: 2_000 });
    // Each replica lists the hosts in its own order (jitter), as the tick does.
    const [byA, byB] = await Promise.all([work(a, SLOT, hosts, 8), work(b, SLOT, [...hosts].reverse(), 8)]);
    expect([...byA, ...byB].sort()).toEqual(hosts);
    expect(new Set([...byA, ...byB]).size).toBe(500);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    const { rows } = await pools[0]!.query(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE claims = 1 AND done_at IS NOT NULL)::int AS once
         FROM fleet_tick_hosts WHERE tick = $1`,
      [SLOT.toISOString()],
    );
    expect(rows[0]).toEqual({ rows: 500, once: 500 });

    // Done for this tick: a replica joining late finds nothing; the next slot re-tests them all.
    const late = coordinator({ replica: 'replica-c' });
    expect(await work(late, SLOT, hosts, 4)).toEqual([]);
    const next = new Date(SLOT.getTime() + 15 * 60_000);
    expect((await work(late, next, hosts, 4)).sort()).toEqual(hosts);
  });

  test('a host held by a replica that died is taken over once its lease lapses', async () => {
    const slot = new Date(SLOT.getTime() + 60_000);
    const hosts = hostsNamed(5);
    const dying = coordinator({ replica: 'replica-dies', leaseMs: 1_000, batchSize: 1 });
    const claims = await dying.openTick(slot, hosts);
    const held = await claims.next();
    expect(held).toBe(hosts[0]);
    // SIGKILL: no done(), no more renewals.
    await claims.close();

    const survivor = coordinator({ replica: 'replica-lives', leaseMs: 1_000 });
    const seen = await work(survivor, slot, hosts, 2);
    expect(seen.sort()).toEqual(hosts);
    const { rows } = await pools[0]!.query(
      'SELECT claimed_by, claims, done_at IS NOT NULL AS done FROM fleet_tick_hosts WHERE tick = $1 AND host = $2',
      [slot.toISOString(), held],
    );
    expect(rows[0]).toEqual({ claimed_by: 'replica-lives', claims: 2, done: true });
  });

  test('a live replica renews its lease: a host re-tested longer than the lease is not taken over', async () => {
    const slot = new Date(SLOT.getTime() + 120_000);
    const hosts = hostsNamed(3);
    const slow = coordinator({ replica: 'replica-slow', leaseMs: 1_000, batchSize: 1 });
    const claims = await slow.openTick(slot, hosts);
    const held = await claims.next();
    const other = coordinator({ replica: 'replica-other', leaseMs: 1_000 });
    // The other replica finishes the rest, waits one lease for the slow one, and sees it renewed.
    const seen = await work(other, slot, hosts, 2);
    expect(seen.sort()).toEqual(hosts.filter((host) => host !== held));
    await claims.done(held ?? '');
    await claims.close();
    const { rows } = await pools[0]!.query(
      'SELECT claimed_by, claims FROM fleet_tick_hosts WHERE tick = $1 AND host = $2',
      [slot.toISOString(), held],
    );
    expect(rows[0]).toEqual({ claimed_by: 'replica-slow', claims: 1 });
  });

  describe('posts', () => {
    const intent = (slot: string): PostIntent => ({
      channel: 'C0ALERTS',
      host: 'mx.example.test',
      kind: 'alert',
      slot,
      key: `key-${slot}`,
    });

    test('two replicas recording the same post at once: one posts, the other is told it is under way', async () => {
      const a = coordinator({ replica: 'replica-a' });
      const b = coordinator({ replica: 'replica-b' });
      const decisions = await Promise.all([a.posts.begin(intent('s1')), b.posts.begin(intent('s1'))]);
      expect(decisions.map((decision) => decision.action).sort()).toEqual(['busy', 'post']);
      const poster = decisions[0]?.action === 'post' ? a : b;
      let saved = 0;
      const write = { channel: 'C0ALERTS', host: 'mx.example.test', states: {} };
      await poster.posts.commit([{ key: 'key-s1', ts: '1700000000.000100' }], write, async () => {
        saved += 1;
      });
      expect(saved).toBe(1);
      expect(await a.posts.begin(intent('s1'))).toEqual({ action: 'adopt', ts: '1700000000.000100' });
      expect(await b.posts.begin(intent('s1'))).toEqual({ action: 'adopt', ts: '1700000000.000100' });
    });

    test('a post whose outcome is unknown is looked up before it is posted again', async () => {
      const a = coordinator({ replica: 'replica-a' });
      expect(await a.posts.begin(intent('s2'))).toEqual({ action: 'post' });
      await a.posts.release('key-s2');
      const again = await a.posts.begin(intent('s2'));
      expect(again.action).toBe('look-up');
      expect((again as { since: Date }).since).toBeInstanceOf(Date);
    });

    test('a replica that died while posting: its intent is looked up once its lease lapses', async () => {
      const dead = coordinator({ replica: 'replica-dead', leaseMs: 1_000 });
      const live = coordinator({ replica: 'replica-live', leaseMs: 1_000 });
      expect(await dead.posts.begin(intent('s3'))).toEqual({ action: 'post' });
      expect(await live.posts.begin(intent('s3'))).toEqual({ action: 'busy' });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await live.posts.begin(intent('s3'))).action).toBe('look-up');
    });
  });

  test('a database that drops its connections rejects with StoreError marked unavailable', async () => {
    const fleet = coordinator({ replica: 'replica-a' });
    const slot = new Date(SLOT.getTime() + 180_000);
    const claims = await fleet.openTick(slot, hostsNamed(3));
    await pools[0]!.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [db.name],
    );
    const outcome = await claims.next().catch((error: unknown) => error);
    await claims.close();
    // The pool's idle connection was cut: the first query fails, marked unavailable; the next works.
    if (outcome instanceof StoreError) {
      expect(outcome.unavailable).toBe(true);
      expect(outcome.message).not.toContain('postgres://');
    } else {
      expect(outcome).toBe(hostsNamed(3)[0]);
    }
    const again = await fleet.openTick(new Date(slot.getTime() + 1_000), hostsNamed(3));
    expect(await again.next()).toBe(hostsNamed(3)[0]);
    await again.close();
  });

  test('a tick drops posts older than 180 days, pending ones too, but not one a replica is working on', async () => {
    const fleet = coordinator({ replica: 'replica-prune' });
    const pool = pools.at(-1) as Pool;
    const row = (slot: string, status: string, ageDays: number, leaseSeconds: number | null) =>
      pool.query(
        `INSERT INTO fleet_alert_posts (channel, host, kind, slot, key, status, lease_until, created_at)
         VALUES ('C0PRUNE', 'mx.example.test', 'alert', $1, $1, $2,
                 CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(secs => $4::int) END,
                 now() - make_interval(days => $3::int))`,
        [slot, status, ageDays, leaseSeconds],
      );
    await row('old-posted', 'posted', 200, null);
    await row('old-pending', 'pending', 200, -60);
    await row('old-pending-held', 'pending', 200, 60);
    await row('recent-pending', 'pending', 10, -60);
    await row('recent-posted', 'posted', 10, null);
    const claims = await fleet.openTick(new Date(SLOT.getTime() + 3_600_000), hostsNamed(1));
    await claims.close();
    const { rows } = await pool.query<{ slot: string }>(
      "SELECT slot FROM fleet_alert_posts WHERE channel = 'C0PRUNE' ORDER BY slot",
    );
    expect(rows.map((r) => r.slot)).toEqual(['old-pending-held', 'recent-pending', 'recent-posted']);
  });
});
