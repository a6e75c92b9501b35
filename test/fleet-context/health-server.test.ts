import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createHealth,
  createHealthHandler,
  type HealthEndpoints,
  type HealthServer,
  type ReadinessReport,
  startHealthServer,
} from '../../src/fleet-context/index.js';
import { createLogger, type Logger } from '../../src/log.js';

// The HEALTH_PORT server: a node:http server of its own on 127.0.0.1, port 0. It needs no
// authentication, so a failing readiness check is served by category only and the details are
// logged; anything but the three paths is 404, anything but GET and HEAD is 405.

const DATABASE_URL = 'postgres://smtp_check:s3cret-pa55@db-primary.internal.example:6432/smtp_check_prod';

function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(endpoints: Partial<HealthEndpoints> = {}) {
  const { logger, lines } = recordingLogger();
  const server = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    handler: createHealthHandler({ logger, ...endpoints }),
  });
  servers.push(server);
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  return { server, lines, url, get: (path: string, init?: RequestInit) => fetch(url(path), init) };
}

const downReport: ReadinessReport = {
  ok: false,
  database: 'unavailable',
  scheduler: 'ok',
  reasons: ['database: unavailable'],
  details: [
    `PostgreSQL at db-primary.internal.example:6432/smtp_check_prod: SELECT 1 failed: ${DATABASE_URL}`,
  ],
};

function expectNothingLeaked(text: string): void {
  for (const secret of [
    DATABASE_URL,
    's3cret-pa55',
    'db-primary.internal.example',
    'smtp_check_prod',
    '6432',
  ])
    expect(text).not.toContain(secret);
}

describe('startHealthServer()', () => {
  test('/healthz: 200 {"ok":true} while the process serves HTTP, whatever readiness says', async () => {
    const { get } = await serve({ ready: async () => downReport });
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ ok: true });
  });

  test('/readyz: 200 with the parts when ready', async () => {
    const { get } = await serve({
      ready: async () => ({ ok: true, database: 'ok', scheduler: 'ok', slack: 'connected' }),
    });
    const response = await get('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, database: 'ok', scheduler: 'ok', slack: 'connected' });
  });

  test('/readyz: 503 by category only; the URL, password and host name are in the log, not the answer', async () => {
    const { get, lines } = await serve({
      ready: async () =>
        ({ ...downReport, url: DATABASE_URL, host: 'db-primary.internal.example' }) as ReadinessReport,
    });
    const response = await get('/readyz');
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toEqual({
      ok: false,
      database: 'unavailable',
      scheduler: 'ok',
      reasons: ['database: unavailable'],
    });
    expectNothingLeaked(text);
    // Said once per change of the failing parts, not on every probe.
    await get('/readyz');
    const notReady = lines.filter((line) => line['msg'] === 'not ready');
    expect(notReady).toHaveLength(1);
    expect(JSON.stringify(notReady[0]?.['details'])).toContain(
      'db-primary.internal.example:6432/smtp_check_prod',
    );
  });

  test('/readyz: a readiness check that throws is 503 `readiness check: failed`, its words in the log', async () => {
    const { get, lines } = await serve({
      ready: async () => {
        throw new Error(`connect ECONNREFUSED db-primary.internal.example:6432 (${DATABASE_URL})`);
      },
    });
    const response = await get('/readyz');
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ ok: false, reasons: ['readiness check: failed'] });
    expectNothingLeaked(text);
    expect(lines.some((line) => line['msg'] === 'readiness check failed')).toBe(true);
  });

  test('/metrics: the exposition with its content type', async () => {
    const contentType = 'text/plain; version=0.0.4; charset=utf-8';
    const { get } = await serve({
      metrics: {
        contentType,
        exposition: async () => '# TYPE smtp_check_ticks_total counter\nsmtp_check_ticks_total 3\n',
      },
    });
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(await response.text()).toBe('# TYPE smtp_check_ticks_total counter\nsmtp_check_ticks_total 3\n');
  });

  test('/metrics: 404 without a registry; 500 when the exposition fails, its error in the log only', async () => {
    expect((await (await serve()).get('/metrics')).status).toBe(404);
    const { get, lines } = await serve({
      metrics: {
        contentType: 'text/plain',
        exposition: async () => {
          throw new Error(`pool of ${DATABASE_URL} is gone`);
        },
      },
    });
    const response = await get('/metrics');
    expect(response.status).toBe(500);
    expectNothingLeaked(await response.text());
    expect(JSON.stringify(lines)).toContain('metrics exposition failed');
  });

  test.each(['/', '/health', '/readyz/extra', '/slack/events', '/metrics.txt'])('%s: 404', async (path) => {
    const response = await (
      await serve({ metrics: { contentType: 'text/plain', exposition: async () => '' } })
    ).get(path);
    expect(response.status).toBe(404);
  });

  test.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('%s /readyz: 405, GET and HEAD allowed', async (method) => {
    const response = await (await serve()).get('/readyz', { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  test('HEAD answers the status without a body; a query string is ignored', async () => {
    const { get } = await serve({ ready: async () => downReport });
    const head = await get('/readyz', { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
    expect((await get('/healthz?verbose=1')).status).toBe(200);
  });

  test('a request target no URL parser reads is 400, and the server keeps serving', async () => {
    const { server, get } = await serve();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await get('/healthz')).status).toBe(200);
  });

  test('close() ends kept-alive connections and stops listening', async () => {
    const { server, get, url } = await serve();
    expect((await get('/healthz', { keepalive: true })).status).toBe(200);
    await server.close();
    await expect(fetch(url('/healthz'))).rejects.toThrow();
  });

  test('a port that is taken is a rejection, not a crash', async () => {
    const { server } = await serve();
    await expect(
      startHealthServer({
        host: '127.0.0.1',
        port: server.port,
        handler: createHealthHandler({ logger: recordingLogger().logger }),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('createHealth() with the JSON file and a Slack connection', () => {
  test('ready while the data file’s folder is writable and Slack connected; says which part is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-check-readyz-'));
    try {
      let slack: 'connected' | 'reconnecting' = 'connected';
      let dataFile = join(dir, 'smtp-check.json');
      const ready = () => createHealth({ dataFile, slack: { connection: () => slack } })();
      expect(await ready()).toEqual({
        ok: true,
        database: 'not configured',
        dataFile: 'ok',
        scheduler: 'not running',
        slack: 'connected',
      });
      slack = 'reconnecting';
      dataFile = join(dir, 'gone', 'smtp-check.json');
      const down = await ready();
      expect(down).toMatchObject({
        ok: false,
        dataFile: 'not writable',
        slack: 'reconnecting',
        reasons: ['dataFile: not writable', 'slack: reconnecting'],
      });
      expect(down.details?.[0]).toContain(join(dir, 'gone'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
