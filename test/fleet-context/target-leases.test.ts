import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck, limitConcurrency } from '../../src/check/index.js';
import type { CheckRequest } from '../../src/check/types.js';
import { createTargetLeases, type FleetDatabase } from '../../src/fleet-context/index.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_LIMITS } from '../../src/probe/index.js';
import { createPool } from '../../src/database/connection.js';
import { requirePostgres } from '../helpers/postgres.js';
import { createFleetTestDatabase, type FleetTestDatabase, unreachableDatabase } from './fleet-database.js';
import { gatedProbe } from '../helpers/gated-probe.js';

// "A second check of the same host waits", across replicas: two limitConcurrency() wrappers (two
// replicas) share one database. The probe is faked at its seam and holds each check until released.

const skip = await requirePostgres();

const request = (target: string): CheckRequest => ({ target, ports: [587], mx: 'auto' });

/** A lease taken by a replica that is not part of the test (dead, or stuck). */
async function leaseHeldBy(db: FleetDatabase, target: string, holder: string, expiresIn: string) {
  await db.pool.query(
    `INSERT INTO target_leases (target, holder, expires_at) VALUES ($1, $2, clock_timestamp() + $3::interval)`,
    [target, holder, expiresIn],
  );
}

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }) };
}

/** A replica: its own pool, leases polled every few ms (counted, so a test can see it waiting). */
function replica(db: FleetDatabase, options: { ttlMs?: number; maxWaitMs?: number } = {}) {
  const probe = gatedProbe();
  const { logger, lines } = recordingLogger();
  let polls = 0;
  const leases = createTargetLeases(db, {
    logger,
    pollMs: 5,
    sleep: (ms) => {
      polls += 1;
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
    ...options,
  });
  const limited = limitConcurrency(
    createRunCheck({ probeHost: probe.probeHost, limits: DEFAULT_LIMITS, now: () => new Date() }),
    { maxConcurrentChecks: 4, maxPerTarget: 1 },
    { holdTarget: (key) => leases.acquire(key) },
  );
  return { probe, limited, leases, lines, polls: () => polls };
}

describe.skipIf(skip !== null)('createTargetLeases() with limitConcurrency()', () => {
  let fleet: FleetTestDatabase;
  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
  });
  afterAll(async () => {
    await fleet?.close();
  });

  test('a second check of one host on the other replica waits for the first; other hosts do not', async () => {
    const one = replica(fleet.open());
    const two = replica(fleet.open());
    const first = one.limited.runCheck(request('mx.wait.example'));
    await expect.poll(() => one.probe.started).toEqual(['mx.wait.example']);

    const second = two.limited.runCheck(request('MX.Wait.example.'));
    const other = two.limited.runCheck(request('mx.other.example'));
    await expect.poll(() => two.probe.started).toEqual(['mx.other.example']);
    // The second replica is asking, and keeps being told no, while the first check runs.
    const asked = two.polls();
    await expect.poll(() => two.polls()).toBeGreaterThan(asked + 3);
    expect(two.probe.started).toEqual(['mx.other.example']);

    one.probe.release('mx.wait.example');
    await first;
    await expect.poll(() => two.probe.started).toEqual(['mx.other.example', 'MX.Wait.example.']);
    two.probe.release('MX.Wait.example.');
    two.probe.release('mx.other.example');
    await Promise.all([second, other]);
  });

  test('waiting holds no connection: a replica with a one-connection pool runs other checks meanwhile', async () => {
    const one = replica(fleet.open());
    const two = replica(fleet.open({ max: 1 }));
    const first = one.limited.runCheck(request('mx.busy.example'));
    await expect.poll(() => one.probe.started).toEqual(['mx.busy.example']);
    const waiting = two.limited.runCheck(request('mx.busy.example'));
    for (const name of ['a.busy.example', 'b.busy.example', 'c.busy.example']) {
      const check = two.limited.runCheck(request(name));
      await expect.poll(() => two.probe.started).toContain(name);
      two.probe.release(name);
      await check;
    }
    expect(two.probe.started).not.toContain('mx.busy.example');
    one.probe.release('mx.busy.example');
    await first;
    await expect.poll(() => two.probe.started).toContain('mx.busy.example');
    two.probe.release('mx.busy.example');
    await waiting;
  });

  test('a replica that died mid-check holds its host only until the lease expires', async () => {
    const db = fleet.open();
    await leaseHeldBy(db, 'mx.dead.example', 'a replica that died', '300 milliseconds');
    const two = replica(fleet.open());
    const check = two.limited.runCheck(request('mx.dead.example'));
    await expect.poll(() => two.polls()).toBeGreaterThan(3);
    expect(two.probe.started).toEqual([]);
    await expect.poll(() => two.probe.started, { timeout: 5_000 }).toEqual(['mx.dead.example']);
    const { rows } = await db.pool.query("SELECT holder FROM target_leases WHERE target = 'mx.dead.example'");
    expect(rows[0]?.holder).not.toBe('a replica that died');
    two.probe.release('mx.dead.example');
    await check;
    const after = await db.pool.query("SELECT * FROM target_leases WHERE target = 'mx.dead.example'");
    expect(after.rows).toEqual([]);
  });

  test('a check that runs longer than the lease keeps it renewed', async () => {
    const db = fleet.open();
    const one = replica(fleet.open(), { ttlMs: 150 });
    const two = replica(fleet.open(), { ttlMs: 150 });
    const first = one.limited.runCheck(request('mx.long.example'));
    await expect.poll(() => one.probe.started).toEqual(['mx.long.example']);
    const expiry = async () =>
      (
        await db.pool.query<{ expires_at: Date }>(
          "SELECT expires_at FROM target_leases WHERE target = 'mx.long.example'",
        )
      ).rows[0]?.expires_at.getTime() ?? 0;
    const firstExpiry = await expiry();
    const second = two.limited.runCheck(request('mx.long.example'));
    // Several lease lifetimes later the first check still holds the host.
    await expect.poll(expiry, { timeout: 5_000 }).toBeGreaterThan(firstExpiry + 450);
    expect(two.probe.started).toEqual([]);
    one.probe.release('mx.long.example');
    await first;
    await expect.poll(() => two.probe.started).toEqual(['mx.long.example']);
    two.probe.release('mx.long.example');
    await second;
  });

  test('a holder that never lets go is waited for at most maxWaitMs, then the check runs (logged)', async () => {
    const db = fleet.open();
    await leaseHeldBy(db, 'mx.stuck.example', 'a stuck replica', '1 hour');
    const two = replica(fleet.open(), { maxWaitMs: 100 });
    const check = two.limited.runCheck(request('mx.stuck.example'));
    await expect.poll(() => two.probe.started).toEqual(['mx.stuck.example']);
    expect(two.lines.map((line) => line['msg'])).toEqual([
      'another replica has been checking this target too long; checking anyway',
    ]);
    two.probe.release('mx.stuck.example');
    await check;
  });

  test('without the database checks run at once, waiting only for this replica’s own; logged once', async () => {
    const url = unreachableDatabase();
    const pool = createPool(url, { connectTimeoutMs: 1_000, onIdleError: () => undefined });
    try {
      const alone = replica({ pool, url });
      const first = alone.limited.runCheck(request('mx.alone.example'));
      const second = alone.limited.runCheck(request('mx.alone.example'));
      await expect.poll(() => alone.probe.started).toEqual(['mx.alone.example']);
      alone.probe.release('mx.alone.example');
      await first;
      await expect.poll(() => alone.probe.started).toHaveLength(2);
      alone.probe.release('mx.alone.example');
      await second;
      expect(alone.lines.map((line) => line['msg'])).toEqual([
        'the fleet-wide wait for a target: the database is not answering; checks of one target wait only for others on the same replica until it does',
      ]);
    } finally {
      await pool.end();
    }
  });
});
