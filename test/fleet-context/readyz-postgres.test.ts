import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPool, type Pool } from '../../src/database/connection.js';
import {
  createHealth,
  createHealthHandler,
  createTickWatch,
  createWorkerHealth,
  type HealthServer,
  type ReadinessReport,
  startHealthServer,
} from '../../src/fleet-context/index.js';
import { createLogger } from '../../src/log.js';
import { createPostgresProxy, type PostgresProxy } from '../helpers/postgres-proxy.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';

// /readyz on the HEALTH_PORT server with a real PostgreSQL that goes away and comes back: the
// database is reached through a proxy whose stop() closes every connection and its socket, as a
// server stopping does (the machine's cluster is never touched). The bot's readiness and a
// worker's (database and heartbeat) both follow it.

const skip = await requirePostgres();

describe.skipIf(skip !== null)('/readyz while the database stops and returns', () => {
  let db: TestDatabase;
  let proxy: PostgresProxy;
  let pool: Pool;
  let url: string;
  const servers: HealthServer[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });

  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_readyz');
    proxy = await createPostgresProxy();
    url = proxy.url(db.name);
    pool = createPool(url, { max: 2, connectTimeoutMs: 1_000, onIdleError: () => undefined });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await pool?.end().catch(() => undefined);
    await proxy?.dispose();
    await db?.drop();
  });

  async function serve(ready: () => Promise<ReadinessReport>) {
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      handler: createHealthHandler({ ready, logger }),
    });
    servers.push(server);
    return async (path = '/readyz') => {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
    };
  }

  test('the bot: ready, then 503 `database: unavailable` while it is gone (still alive), then ready again', async () => {
    let now = 0;
    const ticks = createTickWatch({ intervalMs: 60_000, now: () => now });
    const get = await serve(
      createHealth({
        db: { pool, url },
        scheduler: ticks,
        slack: { connection: () => 'connected' },
        timeoutMs: 1_000,
      }),
    );
    expect(await get()).toMatchObject({
      status: 200,
      body: { ok: true, database: 'ok', scheduler: 'ok', slack: 'connected' },
    });

    await proxy.stop();
    const down = await get();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      ok: false,
      database: 'unavailable',
      scheduler: 'ok',
      slack: 'connected',
      reasons: ['database: unavailable'],
    });
    for (const secret of [db.name, 'smtp-check-pg-proxy', 'PostgreSQL', 'ECONN', 'ENOENT'])
      expect(down.text).not.toContain(secret);
    expect(logs.join('\n')).toContain(db.name);
    // Alive is not ready: a platform must not restart the bot because its database went away.
    expect((await get('/healthz')).status).toBe(200);

    await proxy.start();
    await expect.poll(async () => (await get()).status, { timeout: 10_000 }).toBe(200);
    now += 121_000;
    expect((await get()).body).toMatchObject({ ok: false, scheduler: 'late', reasons: ['scheduler: late'] });
  });

  test('a worker: ready while its database answers and its heartbeat is taken; 503 when either stops', async () => {
    let now = 1_000_000;
    let lastBeat = now;
    const get = await serve(
      createWorkerHealth({
        db: { pool, url },
        heartbeat: { lastAt: () => lastBeat, intervalMs: 5_000 },
        timeoutMs: 1_000,
        now: () => now,
      }),
    );
    expect((await get()).body).toEqual({ ok: true, database: 'ok', heartbeat: 'ok' });

    await proxy.stop();
    now += 21_000;
    const down = await get();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      ok: false,
      database: 'unavailable',
      heartbeat: 'late',
      reasons: ['database: unavailable', 'heartbeat: late'],
    });
    expect(down.text).not.toContain(db.name);

    await proxy.start();
    await expect.poll(async () => (await get()).body['database'], { timeout: 10_000 }).toBe('ok');
    expect((await get()).status).toBe(503);
    lastBeat = now;
    expect(await get()).toMatchObject({ status: 200, body: { ok: true, heartbeat: 'ok' } });
  });
});
