import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { StoreError } from '../../src/store/index.js';
import {
  createPgWatchStore,
  createPool,
  describeDatabase,
  LATEST_SCHEMA_VERSION,
  MIGRATION_LOCK,
  migrate,
  openPgWatchStore,
  type PgWatchStore,
  saveAlertStatesIn,
} from '../../src/store/pg/index.js';
import { MIGRATIONS } from '../../src/store/pg/migrations/index.js';
import { createPostgresProxy } from '../helpers/postgres-proxy.js';
import { asSuperuser, requirePostgres } from '../helpers/postgres.js';
import { snapshot, testDatabases } from './pg-test-support.js';
import { aState, anIncident, aWatch, watchStoreContract } from './watch-store-contract.js';

const skip = await requirePostgres();
const REPO = fileURLToPath(new URL('../..', import.meta.url));

const database = testDatabases();

watchStoreContract('openPgWatchStore()', async () => openPgWatchStore((await database()).url), { skip });

/** Log lines of a logger that writes JSON, at every level. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  return { lines, logger };
}

/**
 * Waits until one of the store's connections waits for a lock the test holds, then ends all of the
 * store's connections to the database, as a server restart or failover does.
 */
async function cutWhileWaiting(admin: pg.Client, database: string): Promise<void> {
  const ours = "datname = $1 AND application_name = 'smtp-check'";
  for (;;) {
    const waiting = await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE ${ours} AND wait_event_type = 'Lock'`,
      [database],
    );
    if (waiting.rows.length > 0) break;
  }
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${ours}`, [database]);
}

describe.skipIf(skip !== null)('PostgreSQL store', () => {
  let store: PgWatchStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  test('keeps what it is given in tables, one row per watch, port state, incident, mute and series', async () => {
    const db = await database();
    store = await openPgWatchStore(db.url);
    await store.saveWatch(aWatch());
    await store.saveWatch(aWatch({ host: 'mx.example.test' }));
    await store.saveAlertStates(
      'C0WATCH',
      'smtp.example.test',
      { 25: aState(), 587: aState() },
      anIncident(),
    );
    await store.setMute('C0WATCH', 'smtp.example.test', {
      channel: 'C0WATCH',
      host: 'smtp.example.test',
      until: '2026-03-01T14:00:00.000Z',
      by: 'U0LEAD',
    });
    await store.appendHistory('smtp.example.test', 25, {
      at: '2026-03-01T12:00:00.000Z',
      class: 'open-starttls',
      usable: true,
    });
    const counts = await asSuperuser(db.name, async (client) => {
      const { rows } = await client.query<Record<string, string | number>>(`SELECT
        (SELECT count(*) FROM watches) AS watches,
        (SELECT count(*) FROM watch_alert_states) AS states,
        (SELECT count(*) FROM watch_incidents) AS incidents,
        (SELECT count(*) FROM watch_mutes) AS mutes,
        (SELECT count(*) FROM history_series) AS series,
        (SELECT max(version) FROM smtp_check_schema) AS version`);
      return rows[0];
    });
    expect(counts).toEqual({
      watches: '2',
      states: '2',
      incidents: '1',
      mutes: '1',
      series: '1',
      version: LATEST_SCHEMA_VERSION,
    });
  });

  test('rows written before vantages existed are the watch’s own states and the bot’s own history', async () => {
    const db = await database();
    const pool = createPool(db.url);
    try {
      await migrate(
        pool,
        'test',
        MIGRATIONS.filter((m) => m.version < 5),
      );
      const old = createPgWatchStore({ pool, url: db.url });
      await pool.query(
        `INSERT INTO watches (channel, host, ports, added_by, added_at)
          VALUES ('C0WATCH', 'smtp.example.test', '{25,587}', 'U0LEAD', '2026-03-01T12:00:00Z')`,
      );
      await pool.query(
        `INSERT INTO watch_alert_states (channel, host, port, phase, streak, since, class, usable, checked_at,
          days_left, alertable, cert_band)
          VALUES ('C0WATCH', 'smtp.example.test', 25, 'ok', 0, '2026-03-01T12:00:00Z', 'open-starttls', true,
          '2026-03-01T12:00:00Z', 90, true, 'ok')`,
      );
      await pool.query(
        `INSERT INTO history_series (host, port, samples, last_at, changes)
          VALUES ('smtp.example.test', 25, '1', '2026-03-01T12:00:00Z',
          '[[1772366400, "open-starttls", 1]]')`,
      );
      expect((await migrate(pool, 'test')).applied).toEqual([
        '5 watches from vantages',
        '6 worker roles bound to one vantage',
        '7 domain watches',
      ]);
      expect(await old.getWatch('C0WATCH', 'smtp.example.test')).toEqual(aWatch());
      expect(await old.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({ 25: aState() });
      expect(await old.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({});
      expect((await old.getHistory('smtp.example.test', 25))?.samples).toBe('1');
      expect(await old.getHistory('smtp.example.test', 25, 'aws-eu')).toBeNull();
    } finally {
      await pool.end();
    }
  });

  test('a vantage’s states and history are rows of their own, keyed by vantage', async () => {
    const db = await database();
    store = await openPgWatchStore(db.url);
    await store.saveWatch(aWatch({ vantages: ['office', 'aws-eu'] }));
    await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, undefined, {
      office: { 25: aState() },
      'aws-eu': { 25: aState() },
    });
    await store.appendHistory(
      'smtp.example.test',
      25,
      { at: '2026-03-01T12:00:00.000Z', class: 'open-starttls', usable: true },
      'aws-eu',
    );
    const rows = await asSuperuser(db.name, async (client) => ({
      watches: (await client.query('SELECT vantages FROM watches')).rows,
      states: (await client.query('SELECT vantage, port FROM watch_alert_states ORDER BY vantage')).rows,
      series: (await client.query('SELECT vantage, port FROM history_series')).rows,
    }));
    expect(rows).toEqual({
      watches: [{ vantages: ['office', 'aws-eu'] }],
      states: [
        { vantage: '', port: 25 },
        { vantage: 'aws-eu', port: 25 },
        { vantage: 'office', port: 25 },
      ],
      series: [{ vantage: 'aws-eu', port: 25 }],
    });
  });

  test('a second store on the same database sees the first one’s writes (replicas share it)', async () => {
    const db = await database();
    store = await openPgWatchStore(db.url);
    const other = await openPgWatchStore(db.url);
    await store.saveWatch(aWatch());
    await other.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState({ phase: 'suspect' }) });
    expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({
      25: aState({ phase: 'suspect' }),
    });
    await other.close();
  });

  test('saveAlertStatesIn() writes inside the caller’s transaction: a rollback undoes the states too', async () => {
    const db = await database();
    store = await openPgWatchStore(db.url);
    await store.saveWatch(aWatch());
    const failure = new Error('the ledger write failed');
    await expect(
      store.transaction('saving states with a ledger entry', async (client) => {
        expect(
          await saveAlertStatesIn(client, 'C0WATCH', 'smtp.example.test', { 25: aState() }, anIncident()),
        ).toBe(true);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({});
    expect(await store.getIncident('C0WATCH', 'smtp.example.test')).toBeNull();

    const saved = await store.transaction('saving states', (client) =>
      saveAlertStatesIn(client, 'C0WATCH', 'nope.example.test', { 25: aState() }),
    );
    expect(saved).toBe(false);
  });

  test('two processes migrating one empty database at once apply each migration once', async () => {
    const db = await database();
    const modules = pathToFileURL(join(REPO, 'src/store/pg/index.ts')).href;
    // Each child connects first, then waits for "go": both then ask for the lock at the same moment.
    const script = `
      import { createPool, migrate } from ${JSON.stringify(modules)};
      import { createInterface } from 'node:readline';
      const pool = createPool(process.env.TEST_DATABASE_URL);
      (await pool.connect()).release();
      process.stdout.write('ready\\n');
      for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;
      const result = await migrate(pool, 'test');
      process.stdout.write(JSON.stringify(result.applied) + '\\n');
      await pool.end();
    `;
    const children: ChildProcess[] = [];
    const outputs: Promise<string>[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < 2; i += 1) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: REPO,
        env: { ...process.env, TEST_DATABASE_URL: db.url },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      let out = '';
      ready.push(
        new Promise((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`migrating child exited early with ${code}`)));
          child.stdout?.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.startsWith('ready\n')) resolve();
          });
        }),
      );
      outputs.push(
        once(child, 'exit').then(([code]) => {
          expect(code).toBe(0);
          return out;
        }),
      );
    }
    await Promise.all(ready);
    for (const child of children) child.stdin?.end('go\n');
    const applied = (await Promise.all(outputs)).map(
      (out) => JSON.parse(out.split('\n')[1] ?? '') as string[],
    );

    expect(applied.map((list) => list.length).sort()).toEqual([0, MIGRATIONS.length]);
    const versions = await asSuperuser(db.name, (client) =>
      client.query<{ version: number }>('SELECT version FROM smtp_check_schema ORDER BY version'),
    );
    expect(versions.rows.map((row) => row.version)).toEqual(
      MIGRATIONS.map((m) => m.version).sort((a, b) => a - b),
    );
  });

  test('a database with a newer schema is refused with what to do, and left untouched', async () => {
    const db = await database();
    const first = await openPgWatchStore(db.url);
    await first.saveWatch(aWatch());
    await first.close();
    await asSuperuser(db.name, (client) =>
      client.query("INSERT INTO smtp_check_schema (version, name) VALUES ($1, 'from a newer smtp-check')", [
        LATEST_SCHEMA_VERSION + 1,
      ]),
    );
    const before = await snapshot(db.name);

    const error = await openPgWatchStore(db.url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toBe(
      `PostgreSQL at ${describeDatabase(db.url)} holds schema version ${LATEST_SCHEMA_VERSION + 1}, newer than this smtp-check knows (${LATEST_SCHEMA_VERSION}). Run the newer smtp-check, or restore a backup taken before the upgrade; nothing was changed.`,
    );
    expect(await snapshot(db.name)).toEqual(before);
    expect(Object.keys(before)).toContain('watches');
  });

  const PASSWORD = 'Sup3r-s3cret-pw';
  test.each([
    [
      'a wrong password',
      `postgres://root:${PASSWORD}@127.0.0.1:5432/smtp_check`,
      /^PostgreSQL at 127\.0\.0\.1:5432\/smtp_check cannot be used: 28P01 password authentication failed for user "root" — check DATABASE_URL/,
      false,
    ],
    [
      'a port nothing listens on',
      `postgres://root:${PASSWORD}@127.0.0.1:1/smtp_check`,
      /^PostgreSQL at 127\.0\.0\.1:1\/smtp_check is not reachable: ECONNREFUSED .* — check DATABASE_URL and that the server runs$/,
      true,
    ],
    [
      'a socket folder that does not exist',
      `postgres://root:${PASSWORD}@/smtp_check?host=/nonexistent/pg-socket`,
      /^PostgreSQL at \/nonexistent\/pg-socket\/smtp_check is not reachable: ENOENT .* — check DATABASE_URL and that the server runs$/,
      true,
    ],
  ])(
    '%s: the error and every log line name host and database, never the password',
    async (_name, url, message, unavailable) => {
      const { lines, logger } = capturedLogger();
      const error = await openPgWatchStore(url, { logger, connectTimeoutMs: 3_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      const storeError = error as StoreError;
      expect(storeError.message).toMatch(message);
      expect(storeError.unavailable).toBe(unavailable);
      expect(storeError.file).toBe(describeDatabase(url));
      expect(storeError.message.split('\n')).toHaveLength(1);
      expect(
        JSON.stringify({ message: storeError.message, stack: storeError.stack, cause: storeError.cause }),
      ).not.toContain(PASSWORD);
      for (const line of lines) {
        expect(line).toContain(describeDatabase(url));
        expect(line).not.toContain(PASSWORD);
      }
    },
  );

  test('the bot exits 2 with one line naming the database when it cannot reach it at start', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'smtp-check-no-db-'));
    try {
      // Run outside the repository (no .env there): tsx by its path.
      const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
      const child = spawn(process.execPath, ['--import', tsx, join(REPO, 'src/main.ts')], {
        cwd,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: cwd,
          DATABASE_URL: `postgres://root:${PASSWORD}@127.0.0.1:1/smtp_check`,
          LOG_FORMAT: 'json',
          LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = await once(child, 'exit');
      expect(code).toBe(2);
      expect(stderr).toContain(
        'smtp-check: PostgreSQL at 127.0.0.1:1/smtp_check is not reachable: ECONNREFUSED',
      );
      expect(stderr).toContain('— check DATABASE_URL and that the server runs\n');
      expect(stderr).not.toContain(PASSWORD);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  test('a connection cut mid-call answers StoreError{unavailable}; the next call reconnects', async () => {
    const db = await database();
    const { lines, logger } = capturedLogger();
    store = await openPgWatchStore(db.url, { logger });
    await store.saveWatch(aWatch());
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      // Holding the watch's row makes the store's save wait inside its transaction.
      await admin.query('BEGIN');
      await admin.query("SELECT 1 FROM watches WHERE host = 'smtp.example.test' FOR UPDATE");
      const saving = store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, anIncident());
      const outcome = saving.then(
        () => null,
        (e: unknown) => e,
      );
      await cutWhileWaiting(admin, db.name);
      const error = await outcome;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).unavailable).toBe(true);
      expect((error as StoreError).message).toMatch(
        new RegExp(`^PostgreSQL at ${describeDatabase(db.url)}: saving alert states failed: 57P01 `),
      );
      await admin.query('ROLLBACK');
    } finally {
      await admin.end();
    }
    expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({});
    await store.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() });
    expect(await store.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({ 25: aState() });
    for (const line of lines) expect(line).toContain(describeDatabase(db.url));
  });

  test('a connection cut while waiting to migrate is a one-line unavailable error', async () => {
    const db = await database();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      // Another replica migrating: this one waits for the lock.
      await admin.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
      const opening = openPgWatchStore(db.url).then(
        () => null,
        (e: unknown) => e,
      );
      await cutWhileWaiting(admin, db.name);
      const error = await opening;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).unavailable).toBe(true);
      expect((error as StoreError).message).toMatch(
        new RegExp(
          `^PostgreSQL at ${describeDatabase(db.url)} is not reachable: 57P01 [^\n]* — check DATABASE_URL and that the server runs$`,
        ),
      );
    } finally {
      await admin.end();
    }
  });

  test('while the server is gone every call answers StoreError{unavailable}; it works again when it is back', async () => {
    const db = await database();
    await (await openPgWatchStore(db.url)).close();
    const proxy = await createPostgresProxy();
    try {
      const url = proxy.url(db.name);
      store = createPgWatchStore({ pool: createPool(url, { connectTimeoutMs: 2_000 }), url });
      await store.saveWatch(aWatch());
      await proxy.stop();
      for (const call of [
        () => store?.listWatches(),
        () => store?.saveWatch(aWatch({ host: 'new.example.test' })),
        () => store?.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }),
        () =>
          store?.appendHistory('smtp.example.test', 25, {
            at: aState().since,
            class: 'refused',
            usable: false,
          }),
      ]) {
        const error = await Promise.resolve(call()).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).unavailable).toBe(true);
        expect((error as StoreError).file).toBe(describeDatabase(url));
      }
      await proxy.start();
      expect(await store.listWatches()).toEqual([aWatch()]);
    } finally {
      await store?.close();
      store = null;
      await proxy.dispose();
    }
  });

  test('migrate() on a database whose schema is current applies nothing', async () => {
    const db = await database();
    const pool = createPool(db.url);
    try {
      expect((await migrate(pool, 'test')).applied).toHaveLength(MIGRATIONS.length);
      expect(await migrate(pool, 'test')).toEqual({
        from: LATEST_SCHEMA_VERSION,
        to: LATEST_SCHEMA_VERSION,
        applied: [],
      });
    } finally {
      await pool.end();
    }
  });
});
