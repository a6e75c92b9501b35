import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { type SocketModeServer, startSocketModeServer } from '../helpers/slack-socket-server.js';

// The bot as `npm start` runs it, with HEALTH_PORT=0: in Socket Mode and in console mode it serves
// /healthz, /readyz and /metrics on a loopback port of its own, says which in its log, tells a
// dropped Slack connection in /readyz, and closes the port when it stops.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(ROOT, 'src/main.ts');
const BOT_TOKEN = 'xoxb-1-health-port-test-token';
const APP_TOKEN = 'xapp-1-health-port-app-token';

interface Bot {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** The port the log says health and metrics listen on. */
  healthPort(): Promise<number>;
}

const children: ChildProcess[] = [];
let dir: string;

function startBot(env: Record<string, string>): Bot {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      DATA_FILE: join(dir, `data-${children.length}.json`),
      HEALTH_PORT: '0',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const listener of [...listeners]) listener();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const healthPort = () =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const match = /"msg":"health and metrics listening".*?"port":(\d+)/.exec(output);
        if (!match) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(Number(match[1]));
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no health port in the log:\n${output}`));
      }, 20_000);
      listeners.add(check);
      check();
    });
  return { child, output: () => output, exited, healthPort };
}

async function get(port: number, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smtp-check-health-port-'));
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HEALTH_PORT', () => {
  let api: FakeSlackApi;
  let socket: SocketModeServer;
  beforeAll(async () => {
    api = await startFakeSlackApi({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  });
  afterAll(async () => {
    await api.close();
  });

  test('Socket Mode: alive, ready while connected, 503 `slack` when the connection drops, ready again once back; closed at SIGTERM', {
    timeout: 60_000,
  }, async () => {
    socket = await startSocketModeServer();
    api.setSocketUrl(socket.url);
    const bot = startBot({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: api.apiUrl,
    });
    const port = await bot.healthPort();
    await socket.connected();
    expect(bot.output()).toMatch(/"msg":"health and metrics listening","host":"127\.0\.0\.1"/);

    expect(await get(port, '/healthz')).toMatchObject({ status: 200, text: '{"ok":true}' });
    await expect
      .poll(async () => JSON.parse((await get(port, '/readyz')).text), { timeout: 10_000 })
      .toEqual({ ok: true, database: 'not configured', dataFile: 'ok', scheduler: 'ok', slack: 'connected' });
    const metrics = await get(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^# HELP /m);
    expect((await get(port, '/slack/events')).status).toBe(404);

    // Slack goes away: the bot is still alive, but not ready, and says only which part.
    await socket.close();
    await expect.poll(async () => (await get(port, '/readyz')).status, { timeout: 10_000 }).toBe(503);
    const down = JSON.parse((await get(port, '/readyz')).text) as Record<string, unknown>;
    expect(down['slack']).toMatch(/^(disconnected|reconnecting)$/);
    expect(down['reasons']).toEqual([`slack: ${down['slack']}`]);
    expect((await get(port, '/healthz')).status).toBe(200);

    // Back: the client reconnects on its own (its first retry comes after its ping timeout).
    socket = await startSocketModeServer();
    api.setSocketUrl(socket.url);
    await expect
      .poll(async () => (await get(port, '/readyz')).status, { timeout: 30_000, interval: 250 })
      .toBe(200);

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await socket.close();
  });

  test('console mode: the same endpoints, no Slack part; closed when the console ends', async () => {
    const bot = startBot({ LOG_LEVEL: 'info' });
    const port = await bot.healthPort();
    expect(await get(port, '/healthz')).toMatchObject({ status: 200, type: 'application/json' });
    expect(JSON.parse((await get(port, '/readyz')).text)).toEqual({
      ok: true,
      database: 'not configured',
      dataFile: 'ok',
      scheduler: 'ok',
    });
    expect((await get(port, '/metrics')).status).toBe(200);
    bot.child.stdin?.end('quit\n');
    expect(await bot.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  test('a HEALTH_PORT that is taken stops start-up with the port named, exit 2', async () => {
    const first = startBot({});
    const port = await first.healthPort();
    const second = startBot({ HEALTH_PORT: String(port) });
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain(`smtp-check: HEALTH_PORT=${port} on 127.0.0.1:`);
    expect(second.output()).toContain('EADDRINUSE');
    first.child.stdin?.end('quit\n');
    expect(await first.exited).toBe(0);
  });
});
