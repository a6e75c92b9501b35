import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createHealth,
  createHealthHandler,
  createTickWatch,
  type HealthReport,
} from '../../src/fleet-context/index.js';
import { createPool } from '../../src/database/connection.js';
import { createLogger, type Logger, silentLogger } from '../../src/log.js';
import { asSuperuser, requirePostgres, SOCKET_DIR, USER } from '../helpers/postgres.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { createFleetTestDatabase, type FleetTestDatabase } from './fleet-database.js';

// GET /readyz on the real Bolt HTTP receiver, the port that takes /slack/events, with a real
// database that stops taking connections (the cluster itself keeps running) or stops being
// reachable at all. The endpoint needs no authentication: it answers by category (`database:
// unavailable`), and what went wrong — the database's host, port and name, the driver's and
// PostgreSQL's messages — goes to the bot's log only.

const skip = await requirePostgres();

/** A logger that keeps its JSON lines. */
function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

async function getHealth(slack: SlackTestApp) {
  const response = await fetch(slack.eventsUrl.replace('/slack/events', '/readyz'));
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text,
    body: JSON.parse(text) as HealthReport,
  };
}

/**
 * The test server reached over TCP on 127.0.0.1 (it takes only its Unix socket from this user):
 * each connection is forwarded to the socket, so the URL has a host and a port that a leak would
 * show. `refuse()` closes the listener and every connection, as a server gone away: connecting
 * fails with ECONNREFUSED 127.0.0.1:port. `hang()` takes connections and never answers.
 * `forward()` brings it back on the same port.
 */
async function startTcpProxy() {
  const socketPath = `${SOCKET_DIR}/.s.PGSQL.5432`;
  const sockets = new Set<Socket>();
  let mode: 'forward' | 'hang' = 'forward';
  let server: Server | null = null;
  let port = 0;
  const listen = async (): Promise<void> => {
    const listening = createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      if (mode === 'hang') return;
      const upstream = createConnection(socketPath);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    port = (listening.address() as { port: number }).port;
    server = listening;
  };
  const close = async (): Promise<void> => {
    const running = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
  };
  await listen();
  return {
    port,
    url: (database: string) => `postgres://${USER}@127.0.0.1:${port}/${database}`,
    refuse: close,
    async hang() {
      mode = 'hang';
      for (const socket of sockets) socket.destroy();
      if (!server) await listen();
    },
    async forward() {
      mode = 'forward';
      if (!server) await listen();
    },
    close,
  };
}

/** The words of a failure that must never reach an unauthenticated caller. */
function expectNothingLeaked(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/PostgreSQL|SELECT|ECONN|connect|terminat|timeout|accepting|failed:|\d+ ms/i);
}

describe.skipIf(skip !== null)('GET /readyz', () => {
  let fleet: FleetTestDatabase;
  let slack: SlackTestApp;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const ticks = createTickWatch({ intervalMs: 60_000, now: () => now });
  const { logger, lines } = recordingLogger();
  const logged = (msg: string) => lines.filter((line) => line['msg'] === msg);
  const health = () => getHealth(slack);

  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
    slack = await startSlackTestApp({
      runCheck: async () => {
        throw new Error('no check runs in this test');
      },
      logger,
      health: createHealthHandler({
        logger,
        ready: createHealth({
          db: fleet.open({ connectTimeoutMs: 1_000 }),
          scheduler: ticks,
          timeoutMs: 2_000,
        }),
      }),
    });
  });
  afterAll(async () => {
    await slack?.close();
    if (fleet) {
      await asSuperuser('postgres', (client) =>
        client.query(`ALTER DATABASE ${fleet.database.name} ALLOW_CONNECTIONS true`),
      ).catch(() => undefined);
    }
    await fleet?.close();
  });

  test('200 while the database answers and the schedule ticks', async () => {
    ticks.tickStarted();
    expect(await health()).toMatchObject({
      status: 200,
      type: 'application/json',
      body: { ok: true, database: 'ok', scheduler: 'ok' },
    });
    expect((await health()).body).toEqual({ ok: true, database: 'ok', scheduler: 'ok' });
  });

  test('503 `scheduler: late` when the schedule has not ticked for twice its interval, 200 again after a tick', async () => {
    lines.length = 0;
    now += 121_000;
    const late = await health();
    expect(late).toMatchObject({ status: 503, type: 'application/json' });
    expect(late.body).toEqual({ ok: false, database: 'ok', scheduler: 'late', reasons: ['scheduler: late'] });
    expect(late.text).not.toContain('121');
    // The how-late is for the log, once, not on every probe.
    await health();
    expect(logged('not ready')).toEqual([
      expect.objectContaining({
        level: 'warn',
        reasons: ['scheduler: late'],
        details: ['the watch schedule last ticked 121 s ago (every 60 s expected)'],
      }),
    ]);
    ticks.tickStarted();
    expect((await health()).status).toBe(200);
    expect(logged('ready again')).toHaveLength(1);
  });

  test('503 `database: unavailable` once the database’s connections are cut and new ones refused, without PostgreSQL’s words; 200 when it takes them again', async () => {
    expect((await health()).status).toBe(200);
    lines.length = 0;
    const name = fleet.database.name;
    await asSuperuser('postgres', async (client) => {
      await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    });
    // pg_terminate_backend only signals: a pooled connection can answer once more before it ends,
    // and its end may be seen as a terminated connection before new ones are refused. The log says
    // "not ready" once per change, with whichever of the two came first.
    let down = await health();
    await expect
      .poll(async () => {
        down = await health();
        return (
          down.status === 503 && /not currently accepting|terminat/i.test(JSON.stringify(logged('not ready')))
        );
      })
      .toBe(true);
    expect(down.body).toEqual({
      ok: false,
      database: 'unavailable',
      scheduler: 'ok',
      reasons: ['database: unavailable'],
    });
    expectNothingLeaked(down.text, [name, '/var/run/postgresql', 'smtp_check_fleet']);
    // The server's log has what happened, naming the database.
    const details = logged('not ready').flatMap((line) => line['details'] as string[]);
    expect(details.join('\n')).toMatch(new RegExp(`^PostgreSQL at .*/${name}: SELECT 1 failed: `, 'm'));

    await asSuperuser('postgres', (client) => client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    await expect.poll(async () => (await health()).status).toBe(200);
  });
});

describe.skipIf(skip !== null)('GET /readyz with a database on 127.0.0.1 that becomes unreachable', () => {
  let fleet: FleetTestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let pool: ReturnType<typeof createPool>;
  let slack: SlackTestApp;
  const { logger, lines } = recordingLogger();
  const logged = (msg: string) => lines.filter((line) => line['msg'] === msg);
  const health = () => getHealth(slack);

  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
    proxy = await startTcpProxy();
    const url = proxy.url(fleet.database.name);
    pool = createPool(url, { max: 2, connectTimeoutMs: 1_000, onIdleError: () => undefined });
    slack = await startSlackTestApp({
      runCheck: async () => {
        throw new Error('no check runs in this test');
      },
      logger,
      health: createHealthHandler({ logger, ready: createHealth({ db: { pool, url }, timeoutMs: 500 }) }),
    });
  });
  afterAll(async () => {
    await slack?.close();
    await pool?.end().catch(() => undefined);
    await proxy?.close();
    await fleet?.close();
  });

  test('answers 200 through the TCP address while the database is there', async () => {
    expect(await health()).toMatchObject({
      status: 200,
      body: { ok: true, database: 'ok', scheduler: 'not running' },
    });
  });

  test('connection refused: 503 `database: unavailable`, no host, port, name or driver message in the body; all of them in the log', async () => {
    lines.length = 0;
    await proxy.refuse();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.type).toBe('application/json');
    expect(down.body).toEqual({
      ok: false,
      database: 'unavailable',
      scheduler: 'not running',
      reasons: ['database: unavailable'],
    });
    expectNothingLeaked(down.text, ['127.0.0.1', String(proxy.port), fleet.database.name, 'smtp_check']);
    const [line, ...more] = logged('not ready');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'warn', reasons: ['database: unavailable'] });
    expect(((line?.['details'] as string[] | undefined) ?? []).join('\n')).toContain(
      `PostgreSQL at 127.0.0.1:${proxy.port}/${fleet.database.name}: SELECT 1 failed: ECONNREFUSED`,
    );
  });

  test('no answer at all: 503 `database: timed out`, still without the details', async () => {
    lines.length = 0;
    await proxy.hang();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      ok: false,
      database: 'timed out',
      scheduler: 'not running',
      reasons: ['database: timed out'],
    });
    expectNothingLeaked(down.text, ['127.0.0.1', String(proxy.port), fleet.database.name, '500']);
    expect(JSON.stringify(logged('not ready'))).toContain('no answer to SELECT 1 within 500 ms');
  });

  test('back on the same port: 200 again, and the log says so', async () => {
    await proxy.forward();
    await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe(200);
    expect(logged('ready again')).toHaveLength(1);
  });
});

describe('GET /healthz and /readyz without PostgreSQL', () => {
  const start = (options: { ready?: () => Promise<HealthReport>; logger?: Logger }) =>
    startSlackTestApp({
      runCheck: async () => {
        throw new Error('no check runs in this test');
      },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.ready
        ? { health: createHealthHandler({ ready: options.ready, logger: options.logger ?? silentLogger }) }
        : {}),
    });

  test('without a readiness function: /healthz and /readyz 200 {"ok":true} while the process serves HTTP', async () => {
    const slack = await start({});
    try {
      for (const path of ['/healthz', '/readyz']) {
        const response = await fetch(slack.eventsUrl.replace('/slack/events', path));
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
      }
    } finally {
      await slack.close();
    }
  });

  test('serves the categories only, whatever else a report carries', async () => {
    const slack = await start({
      ready: async () =>
        ({
          ok: false,
          database: 'unavailable',
          scheduler: 'ok',
          reasons: ['database: unavailable'],
          details: ['PostgreSQL at db.internal:6543/secret_db: SELECT 1 failed: boom'],
          url: 'postgres://user:pw@db.internal:6543/secret_db',
        }) as HealthReport,
    });
    try {
      const down = await getHealth(slack);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        ok: false,
        database: 'unavailable',
        scheduler: 'ok',
        reasons: ['database: unavailable'],
      });
      expectNothingLeaked(down.text, ['db.internal', '6543', 'secret_db', 'boom']);
    } finally {
      await slack.close();
    }
  });

  test('a readiness function that throws: 503 `readiness check: failed`, its error in the log only', async () => {
    const { logger, lines } = recordingLogger();
    const slack = await start({
      logger,
      ready: async () => {
        throw new Error('connect ECONNREFUSED 10.1.2.3:5432 (database secret_db)');
      },
    });
    try {
      const down = await getHealth(slack);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ ok: false, reasons: ['readiness check: failed'] });
      expectNothingLeaked(down.text, ['10.1.2.3', '5432', 'secret_db']);
      expect(JSON.stringify(lines.filter((line) => line['msg'] === 'readiness check failed'))).toContain(
        'ECONNREFUSED 10.1.2.3:5432',
      );
    } finally {
      await slack.close();
    }
  });

  test('HTTP mode serves /metrics beside /slack/events, with its content type; the connection is `listening` until stop', async () => {
    const metrics = {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      exposition: async () => '# TYPE smtp_check_up gauge\nsmtp_check_up 1\n',
    };
    const slack = await startSlackTestApp({
      runCheck: async () => {
        throw new Error('no check runs in this test');
      },
      health: createHealthHandler({ metrics, logger: silentLogger }),
    });
    try {
      const response = await fetch(slack.eventsUrl.replace('/slack/events', '/metrics'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(metrics.contentType);
      expect(await response.text()).toContain('smtp_check_up 1');
      const post = await fetch(slack.eventsUrl.replace('/slack/events', '/readyz'), { method: 'POST' });
      expect(post.status).toBe(405);
      expect(slack.app.connection()).toBe('listening');
    } finally {
      await slack.close();
    }
    expect(slack.app.connection()).toBe('not listening');
  });
});
