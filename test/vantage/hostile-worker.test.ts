import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck } from '../../src/check/index.js';
import type { CheckRequest } from '../../src/check/types.js';
import { silentLogger } from '../../src/log.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import { createPool, type Pool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import type { ClosableVantageProbes } from '../../src/vantage/pg-vantage-probes.js';
import { probeQueue } from '../../src/vantage/queue-names.js';
import { startWorker, WorkerStartError } from '../../src/vantage/worker.js';
import { asSuperuser, createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { createWorkerRole, openTestVantageProbes, type WorkerRole } from '../helpers/vantage-harness.js';

// A worker's machine is someone else's: here its role ("office") logs in for real (a password
// over 127.0.0.1, as the worker command documents) and attacks the database directly. Every attack
// is refused by PostgreSQL, or harmless to the bot; "cloud" is the other vantage it aims at.

const pgSkip = await requirePostgres();
const TIMEOUT = 60_000;

let db: TestDatabase;
let pool: Pool;
let probes: ClosableVantageProbes;
let office: WorkerRole;
let cloud: WorkerRole;
const urls = new Map<WorkerRole, string>();
let smtp: RunningServer;

/** The bot's reads of answers (SQL with `FROM vantage_results r`): how many, and how many at once. */
const reads = { total: 0, inFlight: 0, max: 0 };
function countingPool(target: Pool): Pool {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (property !== 'query') return typeof value === 'function' ? value.bind(object) : value;
      return (...args: unknown[]) => {
        const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
        const run = (object.query as (...a: unknown[]) => Promise<unknown>).apply(object, args);
        if (!sql?.includes('FROM vantage_results r')) return run;
        reads.total += 1;
        reads.inFlight += 1;
        reads.max = Math.max(reads.max, reads.inFlight);
        return run.finally(() => {
          reads.inFlight -= 1;
        });
      };
    },
  });
}

const loopbackRunCheck = () =>
  createRunCheck({
    probeHost,
    limits: QUICK_LIMITS,
    now: () => new Date(),
    policy: createTargetPolicy(['127.0.0.0/8']),
  });
const request = (ports: number[]): CheckRequest => ({ target: '127.0.0.1', ports, mx: 'auto' });
const ask = { priority: 'interactive' as const };
/** An answer that passes the bot's validation: a forged one would be used if nothing else stopped it. */
const validAnswer = JSON.stringify({
  kind: 'answered',
  version: '0.1.0',
  probe: {
    target: '127.0.0.1',
    host: '127.0.0.1',
    mx: null,
    addresses: [],
    ports: [],
    durationMs: 1,
    checkedAt: new Date().toISOString(),
    resolveFailure: null,
  },
});

/** Runs work on a connection that logged in as the worker's role (no superuser behind it). */
async function asRole<T>(role: WorkerRole, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urls.get(role) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The SQLSTATE a statement fails with, or 'succeeded'. */
const sqlState = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'succeeded',
    (error: { code?: string }) => error.code ?? String(error),
  );
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Rows of one statement run by the superuser (the bot's side, or an operator). */
const su = <Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
  asSuperuser(db.name, (client) => client.query<Row>(sql, params)).then((found) => found.rows);

async function hello(client: pg.Client, vantage: string): Promise<string> {
  const worker = randomUUID();
  await client.query("SELECT smtp_check_worker_hello($1, $2, '0.1.0', 'attacker')", [vantage, worker]);
  return worker;
}

/** The newest job of a vantage's queue created after `since` (database clock), polled. */
async function jobOf(vantage: string, since: Date): Promise<{ id: string; checkId: string }> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const rows = await su<{ id: string; check_id: string }>(
      `SELECT id, data->>'checkId' AS check_id FROM pgboss.job
        WHERE name = $1 AND created_on >= $2 ORDER BY created_on DESC LIMIT 1`,
      [probeQueue(vantage), since],
    );
    if (rows[0]) return { id: rows[0].id, checkId: rows[0].check_id };
    await pause(50);
  }
  throw new Error(`no job for ${vantage}`);
}

/** Takes jobs of the role's own queue until `jobId` is among them (inside whatever transaction is open). */
async function takeJob(client: pg.Client, worker: string, jobId: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { rows } = await client.query<{ job_id: string }>(
      'SELECT job_id FROM smtp_check_worker_take($1, 64)',
      [worker],
    );
    if (rows.some((row) => row.job_id === jobId)) return;
    await pause(50);
  }
  throw new Error(`job ${jobId} never taken`);
}

const dbNow = () => su<{ now: Date }>('SELECT now()').then((rows) => rows[0]?.now as Date);

const resultOf = (checkId: string) =>
  su<{ result: unknown; received_at: Date }>(
    'SELECT result, received_at FROM vantage_results WHERE check_id = $1',
    [checkId],
  );

const workerDeps = (role: WorkerRole, vantage: string, allowedPorts: number[]) => ({
  databaseUrl: urls.get(role) as string,
  vantage,
  policy: createTargetPolicy(['127.0.0.0/8']),
  allowedPorts,
  limits: QUICK_LIMITS,
  probeHost,
  concurrency: 1,
  logger: silentLogger,
  version: '0.1.0',
  pollSeconds: 1,
});

describe.skipIf(pgSkip !== null)('a hostile worker with a real role bound to one vantage', () => {
  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_hostile');
    pool = createPool(db.url, { max: 4 });
    await migrate(pool, db.name);
    probes = await openTestVantageProbes(countingPool(pool), db.url, loopbackRunCheck());
    office = await createWorkerRole(db, 'office');
    cloud = await createWorkerRole(db, 'cloud');
    const port = (await su<{ port: string }>("SELECT current_setting('port') AS port"))[0]?.port;
    for (const role of [office, cloud]) {
      const password = randomBytes(12).toString('hex');
      await su(`ALTER ROLE ${role.role} PASSWORD '${password}'`);
      urls.set(role, `postgres://${role.role}:${password}@127.0.0.1:${port}/${db.name}`);
    }
    smtp = await startSmtpServer({ disabledCommands: ['STARTTLS'] });
  }, TIMEOUT);

  afterAll(async () => {
    await smtp?.close();
    await probes?.close();
    await pool?.end();
    await office?.remove();
    await cloud?.remove();
    await db?.drop();
  }, TIMEOUT);

  test("refuses reading, locking, editing or adding jobs and reading the bot's tables", async () => {
    const cloudQueue = probeQueue('cloud');
    const attacks = [
      'SELECT id, data FROM pgboss.job',
      `SELECT id FROM pgboss.job WHERE name = '${cloudQueue}' FOR UPDATE`,
      `UPDATE pgboss.job SET data = jsonb_set(data, '{target}', '"169.254.169.254"') WHERE name = '${cloudQueue}'`,
      `UPDATE pgboss.job SET data = jsonb_set(data, '{ports}', '[22, 6379]'), expire_in = interval '1 day'`,
      `INSERT INTO pgboss.job (name, data) VALUES ('${cloudQueue}', '{"target": "10.0.0.1"}')`,
      'SELECT * FROM pgboss.queue',
      'SELECT * FROM watches',
      'SELECT * FROM vantage_results',
      'SELECT * FROM vantage_workers',
      'SELECT * FROM vantage_roles',
    ];
    const states = await asRole(office, async (client) => {
      const found: Record<string, string> = {};
      for (const sql of attacks) found[sql] = await sqlState(client.query(sql));
      return found;
    });
    expect(states).toEqual(Object.fromEntries(attacks.map((sql) => [sql, '42501'])));
  });

  test("refuses an answer to another vantage's job, in the database and in the bot", async () => {
    // cloud takes its job as a real worker would; office then answers it with cloud's job id.
    const since = await dbNow();
    const officeWorker = await asRole(office, (client) => hello(client, 'office'));
    const cloudWorker = await asRole(cloud, (client) => hello(client, 'cloud'));
    const asked = probes.probeFrom(['cloud'], request([25]), { ...ask, deadlineMs: 4_000 });
    const job = await jobOf('cloud', since);
    await asRole(cloud, (client) => takeJob(client, cloudWorker, job.id));
    const stored = await asRole(office, (client) =>
      client.query<{ ok: boolean }>('SELECT smtp_check_worker_answer($1, $2, $3) AS ok', [
        job.id,
        officeWorker,
        validAnswer,
      ]),
    );
    expect(stored.rows[0]?.ok).toBe(false);
    expect(await asked).toMatchObject([{ vantage: 'cloud', kind: 'no-answer', taken: true }]);
    expect(await resultOf(job.checkId)).toEqual([]);

    // A row for cloud written by office's role (as if stored some other way) is refused by the bot.
    const since2 = await dbNow();
    await asRole(cloud, (client) => hello(client, 'cloud'));
    const waiting = probes.probeFrom(['cloud'], request([25]), { ...ask, deadlineMs: 15_000 });
    const forged = await jobOf('cloud', since2);
    await su(
      `INSERT INTO vantage_results (check_id, vantage, worker_id, written_by, result)
       VALUES ($1, 'cloud', $2, $3, $4)`,
      [forged.checkId, officeWorker, office.role, validAnswer],
    );
    const [outcome] = await waiting;
    expect(outcome).toMatchObject({ vantage: 'cloud', kind: 'failed' });
    expect(outcome?.kind === 'failed' && outcome.error).toMatch(/not bound to this vantage/);
  });

  test('refuses starting as another vantage, naming both', async () => {
    const start = startWorker(workerDeps(office, 'cloud', []));
    await expect(start).rejects.toThrow(WorkerStartError);
    await expect(start).rejects.toThrow(/speaks for vantage office, not cloud/);
    expect(await asRole(office, (client) => sqlState(hello(client, 'cloud')))).toBe('42501');
    expect(
      await su("SELECT 1 FROM vantage_workers WHERE vantage = 'cloud' AND role = $1", [office.role]),
    ).toEqual([]);
  });

  test('refuses poisoned and future heartbeats: none counts, none breaks a listing or a check', async () => {
    await asRole(office, async (client) => {
      expect(await sqlState(client.query("UPDATE vantage_workers SET last_seen = 'infinity'"))).toBe('42501');
      const worker = await hello(client, 'office');
      const rows = await su<{ off: number }>(
        'SELECT abs(extract(epoch FROM last_seen - now()))::float AS off FROM vantage_workers WHERE worker_id = $1',
        [worker],
      );
      expect(rows[0]?.off).toBeLessThan(1);
    });
    await su(`INSERT INTO vantage_workers (worker_id, vantage, version, hostname, started_at, last_seen)
      VALUES (gen_random_uuid(), 'poison', '0.1.0', 'x', now(), 'infinity'),
             (gen_random_uuid(), 'future', '0.1.0', 'x', now(), now() + interval '10 years')`);
    const list = await probes.list();
    for (const name of ['poison', 'future']) {
      expect(list.find((vantage) => vantage.name === name)?.live ?? false).toBe(false);
    }
    const outcomes = await probes.probeFrom(['poison', 'future'], request([25]), ask);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['no-worker', 'no-worker']);
  });

  test("refuses stopping another vantage's worker", async () => {
    const cloudWorker = await asRole(cloud, (client) => hello(client, 'cloud'));
    await asRole(office, async (client) => {
      await hello(client, 'office');
      await client.query('SELECT smtp_check_worker_bye($1)', [cloudWorker]);
      const beat = await client.query<{ ok: boolean }>('SELECT smtp_check_worker_beat($1) AS ok', [
        cloudWorker,
      ]);
      expect(beat.rows[0]?.ok).toBe(false);
    });
    const rows = await su('SELECT stopped_at FROM vantage_workers WHERE worker_id = $1', [cloudWorker]);
    expect(rows).toEqual([{ stopped_at: null }]);
    expect((await probes.list()).find((vantage) => vantage.name === 'cloud')).toMatchObject({ live: true });
  });

  test('refuses a 1 MB answer, through the function and straight into the table', async () => {
    const huge = JSON.stringify({ kind: 'failed', error: 'x'.repeat(1_000_000), version: '0.1.0' });
    const worker = await asRole(office, (client) => hello(client, 'office'));
    const state = await asRole(office, (client) =>
      sqlState(client.query('SELECT smtp_check_worker_answer($1, $2, $3)', [randomUUID(), worker, huge])),
    );
    expect(state).toBe('54000');
    const direct = await sqlState(
      su(
        `INSERT INTO vantage_results (check_id, vantage, worker_id, written_by, result)
         VALUES ($1, 'office', $2, $3, $4)`,
        [randomUUID(), worker, office.role, huge],
      ),
    );
    expect(direct).toBe('23514');
  });

  test('a NOTIFY storm from a worker costs the bot one read at a time, and a bounded number of them', async () => {
    const since = await dbNow();
    const worker = await asRole(office, (client) => hello(client, 'office'));
    const asked = probes.probeFrom(['office'], request([25]), { ...ask, deadlineMs: 20_000 });
    const job = await jobOf('office', since);
    Object.assign(reads, { total: 0, inFlight: 0, max: 0 });
    const NOTIFICATIONS = 5_000;
    const stormStarted = Date.now();
    await asRole(office, async (client) => {
      // Each NOTIFY its own transaction: PostgreSQL folds equal notifications of one transaction.
      for (let sent = 0; sent < NOTIFICATIONS; sent += 1) {
        await client.query(`NOTIFY smtp_check_vantage_answer, '${job.checkId}:office'`);
      }
      // Then the real answer: the bot must still take it.
      await takeJob(client, worker, job.id);
      const answer = { kind: 'refused', reason: 'after the storm', version: '0.1.0' };
      await client.query('SELECT smtp_check_worker_answer($1, $2, $3)', [job.id, worker, answer]);
    });
    expect(await asked).toEqual([{ vantage: 'office', kind: 'refused', reason: 'after the storm' }]);
    // The waiter existed (and could be read) from the storm's start until now.
    const windowMs = Date.now() - stormStarted;
    const seen = `${reads.total} reads (at most ${reads.max} at once) for ${NOTIFICATIONS} notifications in ${windowMs} ms`;
    expect(reads.max, seen).toBe(1);
    expect(reads.total, seen).toBeGreaterThan(0);
    // Far below the notifications, and no more often than once per re-read gap (50 ms) plus the sweep.
    expect(reads.total, seen).toBeLessThan(NOTIFICATIONS / 20);
    expect(reads.total, seen).toBeLessThanOrEqual(10 + (windowMs / 1_000) * 25);
  });

  test('refuses keeping answers or jobs past their pruning; received_at is the database clock', async () => {
    await asRole(office, async (client) => {
      const attacks = [
        "UPDATE vantage_results SET received_at = now() + interval '10 years'",
        "UPDATE pgboss.job SET keep_until = 'infinity', expire_in = interval '100 years'",
      ];
      for (const sql of attacks) expect(await sqlState(client.query(sql)), sql).toBe('42501');
    });
    const since = await dbNow();
    const worker = await asRole(office, (client) => hello(client, 'office'));
    const asked = probes.probeFrom(['office'], request([25]), { ...ask, deadlineMs: 20_000 });
    const job = await jobOf('office', since);
    const before = await dbNow();
    await asRole(office, async (client) => {
      await takeJob(client, worker, job.id);
      const answer = { kind: 'refused', reason: 'timed', version: '0.1.0' };
      await client.query('SELECT smtp_check_worker_answer($1, $2, $3)', [job.id, worker, answer]);
    });
    const after = await dbNow();
    await asked;
    const [row] = await resultOf(job.checkId);
    expect(row?.received_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(row?.received_at.getTime()).toBeLessThanOrEqual(after.getTime());
  });

  test('refuses probing ports outside its policy: answered refused, nothing dialled', async () => {
    // A loopback address of its own, listening on the very ports the job names.
    const address = `127.${1 + (randomBytes(1)[0]! % 200)}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0]! % 250)}`;
    let dialled = 0;
    const servers: Server[] = [];
    const boss = new PgBoss({ connectionString: db.url, schedule: false, supervise: false });
    await boss.start();
    let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      for (const port of [22, 6379]) {
        const server = createServer((socket) => {
          dialled += 1;
          socket.destroy();
        });
        // A port taken on every address (an sshd on 0.0.0.0:22) is left out; one witness is enough.
        const listening = await new Promise<boolean>((resolve) => {
          server.once('error', () => resolve(false));
          server.listen(port, address, () => resolve(true));
        });
        if (listening) servers.push(server);
      }
      expect(servers.length).toBeGreaterThan(0);
      const queue = probeQueue('office');
      if ((await boss.getQueue(queue)) === null) await boss.createQueue(queue);
      const checkId = randomUUID();
      const data = {
        checkId,
        vantage: 'office',
        target: address,
        ports: [22, 6379],
        implicitTlsPorts: [465],
        mx: 'auto',
        budgetMs: 20_000,
      };
      await boss.send(queue, data, { retryLimit: 0, expireInSeconds: 20 });
      worker = await startWorker(workerDeps(office, 'office', []));
      let rows: Awaited<ReturnType<typeof resultOf>> = [];
      for (let attempt = 0; attempt < 200 && rows.length === 0; attempt += 1) {
        rows = await resultOf(checkId);
        if (rows.length === 0) await pause(50);
      }
      expect(rows[0]?.result).toMatchObject({
        kind: 'refused',
        reason: expect.stringMatching(/port 22, 6379/),
      });
      expect(dialled).toBe(0);
    } finally {
      await worker?.stop({ timeoutMs: 5_000 });
      await boss.stop({ graceful: false, wait: true });
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a worker clock 30 s ahead still answers: deadlines are the database clock', async () => {
    const worker = await startWorker({
      ...workerDeps(office, 'office', [smtp.port]),
      now: () => new Date(Date.now() + 30_000),
    });
    try {
      const [outcome] = await probes.probeFrom(['office'], request([smtp.port]), {
        ...ask,
        deadlineMs: 20_000,
      });
      expect(outcome).toMatchObject({ vantage: 'office', kind: 'answered' });
    } finally {
      await worker.stop({ timeoutMs: 5_000 });
    }
  });

  test("a worker holding its job's row lock in an open transaction: the check settles at its deadline, the bot's own network answers", async () => {
    const own = await openTestVantageProbes(pool, db.url, loopbackRunCheck());
    const holder = new pg.Client({ connectionString: urls.get(office) });
    await holder.connect();
    try {
      const worker = await hello(holder, 'office');
      const since = await dbNow();
      const started = Date.now();
      const asked = own.probeFrom(['office', 'bot'], request([smtp.port]), { ...ask, deadlineMs: 3_000 });
      const job = await jobOf('office', since);
      await holder.query('BEGIN');
      await takeJob(holder, worker, job.id);
      const outcomes = await asked;
      expect(Date.now() - started).toBeLessThan(3_000 + 4_000);
      expect(outcomes.find((outcome) => outcome.vantage === 'office')).toMatchObject({ kind: 'no-answer' });
      expect(outcomes.find((outcome) => outcome.vantage === 'bot')).toMatchObject({ kind: 'answered' });
      // Closed while the lock is still held: closing waits for neither the cancel nor pg-boss's pool.
      const closing = Date.now();
      await own.close();
      expect(Date.now() - closing).toBeLessThan(8_000);
      const locked = `SELECT 1 FROM pgboss.job WHERE id = '${job.id}' FOR UPDATE NOWAIT`;
      expect(await sqlState(su(locked))).toBe('55P03');
    } finally {
      await own.close();
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end().catch(() => undefined);
    }
  });

  test('an answers table locked by someone else: a check of a live vantage settles by its deadline', async () => {
    await asRole(cloud, (client) => hello(client, 'cloud'));
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE vantage_results IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const [outcome] = await probes.probeFrom(['cloud'], request([25]), { ...ask, deadlineMs: 3_000 });
      expect(outcome).toMatchObject({ vantage: 'cloud', kind: 'no-answer' });
      expect(Date.now() - started).toBeLessThan(3_000 + 4_000);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end().catch(() => undefined);
    }
  });
});
