import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runWorkerCommand } from '../../src/cli/worker-command.js';
import { createPool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import {
  createTestDatabase,
  requireInfrastructure,
  requirePostgres,
  type TestDatabase,
} from '../helpers/postgres.js';
import { createWorkerRole, type WorkerRole, workerCli } from '../helpers/vantage-harness.js';

// `smtp-check worker` with HEALTH_PORT=0: the real worker (the bundled CLI) as its least-privilege
// role's OS user, on this machine's loopback rather than in a network namespace, so the test can
// reach its health port. It is alive from the start, ready once it has announced itself, and
// closes the port when it stops.

const pgSkip = await requirePostgres();
const rootSkip = requireInfrastructure(
  'root (an OS user per worker role)',
  process.getuid?.() === 0 ? null : 'making the worker role’s OS user needs root',
);
const skip = pgSkip !== null || rootSkip !== null;
const SOCKET_DIR = process.env['PGTEST_SOCKET_DIR'] ?? '/var/run/postgresql';

interface Worker {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

async function startWorker(role: WorkerRole, url: string): Promise<Worker> {
  const cli = await workerCli();
  const child = spawn(
    'setpriv',
    [
      `--reuid=${role.uid}`,
      `--regid=${role.gid}`,
      '--clear-groups',
      process.execPath,
      cli,
      'worker',
      '--vantage',
      role.vantage,
    ],
    {
      cwd: '/',
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: url,
        HEALTH_PORT: '0',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const listener of [...listeners]) listener();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (!match) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${pattern} within 30 s:\n${output}`));
      }, 30_000);
      listeners.add(check);
      check();
    });
  return { child, output: () => output, exited, waitFor };
}

async function get(port: number, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe.skipIf(skip)('smtp-check worker with HEALTH_PORT', () => {
  let db: TestDatabase;
  let empty: TestDatabase;
  let role: WorkerRole;
  const workers: Worker[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_worker_health');
    const pool = createPool(db.url, { max: 1 });
    try {
      await migrate(pool, db.name);
    } finally {
      await pool.end();
    }
    role = await createWorkerRole(db, 'office');
    empty = await createTestDatabase('smtp_check_worker_unprepared');
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await role?.remove();
    await empty?.drop();
    await db?.drop();
  }, 30_000);

  test('alive, ready with its database and heartbeat, /metrics; the port closes at SIGTERM', {
    timeout: 60_000,
  }, async () => {
    const worker = await startWorker(role, role.url);
    workers.push(worker);
    const [, port] = await worker.waitFor(
      /waiting for probe jobs \(health and metrics on http:\/\/127\.0\.0\.1:(\d+), nothing else listens\)/,
    );
    const healthPort = Number(port);
    expect(await get(healthPort, '/healthz')).toMatchObject({ status: 200, text: '{"ok":true}' });
    const ready = await get(healthPort, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ok: true, database: 'ok', heartbeat: 'ok' });
    const metrics = await get(healthPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect((await get(healthPort, '/nothing')).status).toBe(404);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${healthPort}/healthz`)).rejects.toThrow();
  });

  test('while it waits for the bot to prepare the database: alive, not ready (`worker: starting`)', {
    timeout: 60_000,
  }, async () => {
    const url = `postgres://${role.role}@/${empty.name}?host=${encodeURIComponent(SOCKET_DIR)}`;
    const worker = await startWorker(role, url);
    workers.push(worker);
    const [, port] = await worker.waitFor(/"msg":"health and metrics listening".*?"port":(\d+)/);
    await worker.waitFor(/waiting for the bot to prepare it/);
    const healthPort = Number(port);
    expect((await get(healthPort, '/healthz')).status).toBe(200);
    const ready = await get(healthPort, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({
      ok: false,
      database: 'unavailable',
      heartbeat: 'late',
      reasons: ['worker: starting'],
    });
    expect(ready.text).not.toContain(empty.name);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${healthPort}/healthz`)).rejects.toThrow();
  });
});

test('a HEALTH_PORT that is taken stops the worker before it connects, with the setting named, exit 2', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  let stderr = '';
  try {
    const code = await runWorkerCommand(['--vantage', 'office'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: { DATABASE_URL: 'postgres://nobody@/nowhere?host=/nonexistent', HEALTH_PORT: String(port) },
      stopSignal: new Promise<string>(() => {}),
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`smtp-check worker: HEALTH_PORT=${port} on 127.0.0.1: listen EADDRINUSE`);
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
});
