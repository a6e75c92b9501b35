import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHealth, createTickWatch, type HealthReport } from '../../src/fleet-context/index.js';
import { asSuperuser, requirePostgres } from '../helpers/postgres.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { createFleetTestDatabase, type FleetTestDatabase } from './fleet-database.js';

// GET /healthz on the real Bolt HTTP receiver, the port that takes /slack/events, with a real
// database whose connections are cut and refused (the cluster itself keeps running).

const skip = await requirePostgres();

describe.skipIf(skip !== null)('GET /healthz', () => {
  let fleet: FleetTestDatabase;
  let slack: SlackTestApp;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const ticks = createTickWatch({ intervalMs: 60_000, now: () => now });
  const health = async () => {
    const response = await fetch(slack.eventsUrl.replace('/slack/events', '/healthz'));
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as HealthReport,
    };
  };

  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
    slack = await startSlackTestApp({
      runCheck: async () => {
        throw new Error('no check runs in this test');
      },
      health: createHealth({
        db: fleet.open({ connectTimeoutMs: 1_000 }),
        scheduler: ticks,
        timeoutMs: 2_000,
      }),
    });
  });
  afterAll(async () => {
    await slack?.close();
    await asSuperuser('postgres', (client) =>
      client.query(`ALTER DATABASE ${fleet.database.name} ALLOW_CONNECTIONS true`),
    ).catch(() => undefined);
    await fleet?.close();
  });

  test('200 while the database answers and the schedule ticks', async () => {
    ticks.tickStarted();
    expect(await health()).toEqual({
      status: 200,
      type: 'application/json',
      body: { ok: true, database: 'ok', scheduler: 'ok' },
    });
  });

  test('503 when the schedule has not ticked for twice its interval, 200 again after a tick', async () => {
    now += 121_000;
    expect(await health()).toEqual({
      status: 503,
      type: 'application/json',
      body: {
        ok: false,
        database: 'ok',
        scheduler: 'stalled',
        reasons: ['the watch schedule last ticked 121 s ago (every 60 s expected)'],
      },
    });
    ticks.tickStarted();
    expect((await health()).status).toBe(200);
  });

  test('503 once the database’s connections are cut and new ones refused; 200 when it takes them again', async () => {
    expect((await health()).status).toBe(200);
    await asSuperuser('postgres', async (client) => {
      await client.query(`ALTER DATABASE ${fleet.database.name} ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        fleet.database.name,
      ]);
    });
    // pg_terminate_backend only signals: a pooled connection can answer once more before it ends,
    // and its end may be seen as a terminated connection before new ones are refused.
    let down = await health();
    await expect
      .poll(async () => {
        down = await health();
        return down.status === 503 && (down.body.reasons ?? []).join(' ').includes('not currently accepting');
      })
      .toBe(true);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ok: false, database: 'failing', scheduler: 'ok' });
    const [reason, ...others] = down.body.reasons ?? [];
    expect(others).toEqual([]);
    expect(reason).toMatch(/^PostgreSQL at .*: SELECT 1 failed: /);
    expect(reason).toContain('not currently accepting connections');

    await asSuperuser('postgres', (client) =>
      client.query(`ALTER DATABASE ${fleet.database.name} ALLOW_CONNECTIONS true`),
    );
    await expect.poll(async () => (await health()).status).toBe(200);
  });
});

describe('GET /healthz without a health function', () => {
  test('answers 200 {"ok":true} while the process serves HTTP', async () => {
    const slack = await startSlackTestApp({
      runCheck: async () => {
        throw new Error('no check runs in this test');
      },
    });
    try {
      const response = await fetch(slack.eventsUrl.replace('/slack/events', '/healthz'));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    } finally {
      await slack.close();
    }
  });
});
