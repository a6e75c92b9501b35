import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAsyncAdmission } from '../../src/check/index.js';
import { FleetRateLimiter } from '../../src/fleet-context/index.js';
import { createLogger } from '../../src/log.js';
import { createPool } from '../../src/database/connection.js';
import { requirePostgres } from '../helpers/postgres.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { createFleetTestDatabase, type FleetTestDatabase, unreachableDatabase } from './fleet-database.js';

const skip = await requirePostgres();

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe.skipIf(skip !== null)('FleetRateLimiter', () => {
  let fleet: FleetTestDatabase;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = () => now;
  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
  });
  afterAll(async () => {
    await fleet?.close();
  });

  /** Two replicas with their own pools on one database. */
  const replicas = (limits: { perUserPerMinute: number; perTargetPerMinute: number }) => {
    const { logger, lines } = recordingLogger();
    return {
      one: new FleetRateLimiter(fleet.open(), limits, { logger, now: clock }),
      two: new FleetRateLimiter(fleet.open(), limits, { logger, now: clock }),
      lines,
    };
  };

  /** Time passes for the fleet: its events are stamped with the database's clock, so they age there. */
  const age = (seconds: number) =>
    fleet.open().pool.query("UPDATE rate_events SET at = at - $1 * interval '1 second'", [seconds]);

  test('a user’s checks on two replicas share one allowance, with RateLimiter’s refusal', async () => {
    const { one, two } = replicas({ perUserPerMinute: 2, perTargetPerMinute: 100 });
    expect(await one.take('U1', 'a.example')).toEqual({ allowed: true });
    await age(10);
    expect(await two.take('U1', 'b.example')).toEqual({ allowed: true });
    await age(5);
    const refused = await one.take('U1', 'c.example');
    expect(refused).toMatchObject({
      allowed: false,
      reason: 'you have started 2 checks in the last minute (limit 2)',
    });
    // The oldest of the two was 15 s ago on the database's clock (and a few ms of the test's own).
    const retryAfterMs = refused.allowed ? 0 : refused.retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(44_000);
    expect(retryAfterMs).toBeLessThanOrEqual(45_000);
    expect(await two.take('U2', 'c.example')).toEqual({ allowed: true });
    await age(45);
    expect(await two.take('U1', 'c.example')).toEqual({ allowed: true });
  });

  test('replicas whose clocks disagree by minutes share one window: the database’s clock decides', async () => {
    const { logger } = recordingLogger();
    const limits = { perUserPerMinute: 1, perTargetPerMinute: 100 };
    const behind = new FleetRateLimiter(fleet.open(), limits, { logger, now: () => Date.now() - 120_000 });
    const ahead = new FleetRateLimiter(fleet.open(), limits, { logger, now: () => Date.now() + 120_000 });
    expect(await behind.take('U0SKEW', 'a.example')).toEqual({ allowed: true });
    expect(await ahead.take('U0SKEW', 'b.example')).toMatchObject({ allowed: false });
    const { rows } = await fleet
      .open()
      .pool.query<{ skew: number }>(
        "SELECT max(abs(extract(epoch FROM at - now())))::float AS skew FROM rate_events WHERE key = 'U0SKEW'",
      );
    expect(rows[0]?.skew).toBeLessThan(5);
  });

  test('a target typed two ways on two replicas is one target; a refused try uses nothing up', async () => {
    const { one, two } = replicas({ perUserPerMinute: 100, perTargetPerMinute: 2 });
    expect((await one.take('U1', 'smtp.fleet.example')).allowed).toBe(true);
    expect((await two.take('U2', 'SMTP.fleet.example.')).allowed).toBe(true);
    const refused = await two.take('U3', 'smtp.fleet.example');
    expect(refused).toMatchObject({
      allowed: false,
      reason: 'smtp.fleet.example was checked 2 times in the last minute (limit 2)',
    });
    // U3's refused attempt did not count: U3 has its whole allowance for another target.
    expect((await one.take('U3', 'other.fleet.example')).allowed).toBe(true);
  });

  test('an address dialled from two replicas under two names shares one allowance', async () => {
    const { one, two } = replicas({ perUserPerMinute: 100, perTargetPerMinute: 1 });
    expect(await one.takeAddress('2001:DB8::25')).toEqual({ allowed: true });
    expect(await two.takeAddress('2001:db8::25')).toMatchObject({
      allowed: false,
      reason: '2001:db8::25 was checked 1 times in the last minute, under this name or others (limit 1)',
    });
  });

  test('a check on one replica uses up the address for a check on the other (the real probe asks the fleet)', async () => {
    const { one, two } = replicas({ perUserPerMinute: 100, perTargetPerMinute: 1 });
    const check = (limiter: FleetRateLimiter) =>
      realRunCheck({ addressLimiter: limiter }).runCheck({ target: '127.0.0.1', ports: [9], mx: 'auto' });
    const first = await check(one);
    expect(first.ports[0]?.class).not.toBe('denied-by-policy');
    const second = await check(two);
    expect(second.ports[0]?.class).toBe('denied-by-policy');
    expect(second.ports[0]?.failure?.message).toBe(
      '127.0.0.1 was checked 1 times in the last minute, under this name or others (limit 1); try again in 60 s',
    );
  });

  test('admission through the fleet limiter refuses with the time to wait', async () => {
    const { one, two } = replicas({ perUserPerMinute: 1, perTargetPerMinute: 100 });
    const admitOne = createAsyncAdmission({ limiter: one, extraPorts: [] });
    const admitTwo = createAsyncAdmission({ limiter: two, extraPorts: [] });
    const request = { target: 'mx.admit.example', ports: [], mx: 'auto' as const };
    expect(await admitOne('U0ADMIT', request)).toEqual({ ok: true });
    expect(await admitTwo('U0ADMIT', request)).toEqual({
      ok: false,
      reason: 'you have started 1 checks in the last minute (limit 1); try again in 60 s',
    });
  });

  test('rows older than the window are deleted as checks are taken', async () => {
    const db = fleet.open();
    const { logger } = recordingLogger();
    const limiter = new FleetRateLimiter(
      db,
      { perUserPerMinute: 5, perTargetPerMinute: 5 },
      { logger, now: clock },
    );
    await limiter.take('U0OLD', 'old.example');
    await age(61);
    await limiter.take('U0NEW', 'new.example');
    const { rows } = await db.pool.query<{ key: string }>('SELECT key FROM rate_events ORDER BY key');
    expect(rows.map((row) => row.key)).toEqual(['U0NEW', 'new.example']);
  });

  test('without the database each replica counts alone (same limits), and the outage is logged once', async () => {
    const url = unreachableDatabase('s3cret-fleet-pw');
    const pool = createPool(url, { connectTimeoutMs: 1_000, onIdleError: () => undefined });
    const { logger, lines } = recordingLogger();
    try {
      const limiter = new FleetRateLimiter(
        { pool, url },
        { perUserPerMinute: 2, perTargetPerMinute: 100 },
        { logger, now: clock, retryMs: 30_000 },
      );
      expect(await limiter.take('U1', 'a.example')).toEqual({ allowed: true });
      expect(await limiter.take('U1', 'b.example')).toEqual({ allowed: true });
      expect(await limiter.take('U1', 'c.example')).toMatchObject({ allowed: false });
      expect(lines.filter((line) => line['level'] === 'error')).toHaveLength(1);
      expect(lines[0]?.['msg']).toBe(
        'fleet rate limits: the database is not answering; each replica counts its own checks until it does',
      );
      expect(JSON.stringify(lines)).not.toContain('s3cret-fleet-pw');
    } finally {
      await pool.end();
    }
  });

  test('a replica that fell back uses the database again once it answers, and says so', async () => {
    const { logger, lines } = recordingLogger();
    const shared = fleet.open();
    let reachable = false;
    let asked = 0;
    // The seam is the pool: unreachable until the test lets it through.
    const flaky = {
      url: shared.url,
      pool: {
        connect: () => {
          asked += 1;
          return reachable
            ? shared.pool.connect()
            : Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        },
      } as unknown as typeof shared.pool,
    };
    const limiter = new FleetRateLimiter(
      flaky,
      { perUserPerMinute: 1, perTargetPerMinute: 100 },
      {
        logger,
        now: clock,
        retryMs: 30_000,
      },
    );
    const other = new FleetRateLimiter(
      fleet.open(),
      { perUserPerMinute: 1, perTargetPerMinute: 100 },
      {
        logger,
        now: clock,
      },
    );
    expect((await other.take('U0BACK', 'a.example')).allowed).toBe(true);
    expect((await limiter.take('U0BACK', 'b.example')).allowed).toBe(true);
    reachable = true;
    now += 10_000;
    // Within retryMs of the failure the database is not asked: still this replica's own count.
    expect((await limiter.take('U0BACK2', 'b.example')).allowed).toBe(true);
    expect(asked).toBe(1);
    now += 25_000;
    expect(await limiter.take('U0BACK', 'c.example')).toMatchObject({ allowed: false });
    expect(lines.map((line) => line['msg'])).toEqual([
      'fleet rate limits: the database is not answering; each replica counts its own checks until it does',
      'fleet rate limits: the database answers again',
    ]);
  });
});
