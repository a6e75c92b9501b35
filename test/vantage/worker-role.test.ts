import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runWorkerCommand, runWorkerRoleCommand } from '../../src/cli/worker-command.js';
import { silentLogger } from '../../src/log.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import { createPool, dialUrl, type Pool } from '../../src/database/connection.js';
import { migrate } from '../../src/store/pg/migrations.js';
import { MIGRATIONS } from '../../src/store/pg/migrations/index.js';
import { startWorker, WorkerStartError } from '../../src/vantage/worker.js';
import { testLimits } from '../helpers/probe-limits.js';
import { asSuperuser, createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { openTestVantageProbes } from '../helpers/vantage-harness.js';

// `smtp-check worker-role` and a worker's start, against a real PostgreSQL: the role is bound to
// one vantage by the database, the command refuses what must never become a worker, and a worker
// with the wrong role, or started before the bot prepared the database, says so.

const skip = await requirePostgres();
const TIMEOUT = 60_000;

function output() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
    },
    out: () => out,
    err: () => err,
  };
}

/** A role's password login over TCP on 127.0.0.1 (the test process is root: peer login would be root's). */
async function withPassword(db: TestDatabase, role: string): Promise<string> {
  const password = randomBytes(9).toString('hex');
  await asSuperuser(db.name, (client) => client.query(`ALTER ROLE "${role}" PASSWORD '${password}'`));
  return `postgres://${encodeURIComponent(role)}:${password}@127.0.0.1:5432/${db.name}`;
}

const workerDeps = (databaseUrl: string, vantage: string) => ({
  databaseUrl,
  vantage,
  policy: createTargetPolicy([]),
  allowedPorts: [],
  limits: testLimits(),
  probeHost,
  concurrency: 1,
  logger: silentLogger,
  version: '0.0.0-test',
  pollSeconds: 0.5,
});

describe.skipIf(skip !== null)('smtp-check worker-role and a worker’s start', () => {
  let db: TestDatabase;
  let pool: Pool;
  const made: string[] = [];
  const role = (name: string) => {
    const full = `${name}_${randomBytes(3).toString('hex')}`;
    made.push(full);
    return full;
  };
  const grant = (args: string[]) => {
    const captured = output();
    return runWorkerRoleCommand(args, { ...captured.io, env: { DATABASE_URL: db.url } }).then((code) => ({
      code,
      out: captured.out(),
      err: captured.err(),
    }));
  };

  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_role');
    pool = createPool(db.url, { max: 2 });
    await migrate(pool, db.name);
  }, TIMEOUT);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    for (const name of made) {
      await asSuperuser('postgres', (client) => client.query(`DROP ROLE IF EXISTS "${name}"`)).catch(
        () => undefined,
      );
    }
  }, TIMEOUT);

  test('binds a new role to one vantage, with a connection limit and no privilege on any table', async () => {
    const name = role('office-worker.a');
    const result = await grant([name, '--vantage', 'office']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(`created role ${name}`);
    expect(result.out).toMatch('bound to vantage office');
    const { rows } = await pool.query(
      'SELECT rolsuper, rolconnlimit, rolcanlogin, rolcreaterole FROM pg_roles WHERE rolname = $1',
      [name],
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolconnlimit: 10, rolcanlogin: true, rolcreaterole: false });
    const bound = await pool.query('SELECT vantage FROM vantage_roles WHERE role = $1', [name]);
    expect(bound.rows).toEqual([{ vantage: 'office' }]);
    const tables = await pool.query(
      `SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE grantee = $1`,
      [name],
    );
    expect(tables.rows[0]).toEqual({ n: 0 });
  });

  test('refuses an existing role unless --update, which rebinds it and says what it spoke for', async () => {
    const name = role('rebind');
    expect((await grant([name, '--vantage', 'office'])).code).toBe(0);
    const again = await grant([name, '--vantage', 'cloud']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(`role ${name} exists already: add --update`);
    const bound = await pool.query('SELECT vantage FROM vantage_roles WHERE role = $1', [name]);
    expect(bound.rows).toEqual([{ vantage: 'office' }]);
    const updated = await grant([name, '--vantage', 'cloud', '--update', '--connection-limit', '3']);
    expect(updated.code).toBe(0);
    expect(updated.out).toMatch('it spoke for office before');
    const after = await pool.query(
      'SELECT b.vantage, r.rolconnlimit FROM vantage_roles b JOIN pg_roles r ON r.rolname = b.role WHERE b.role = $1',
      [name],
    );
    expect(after.rows).toEqual([{ vantage: 'cloud', rolconnlimit: 3 }]);
  });

  test('refuses the bot’s own role and superusers, even with --update', async () => {
    const { rows } = await pool.query<{ me: string }>('SELECT current_user AS me');
    const own = await grant([rows[0]?.me ?? '', '--vantage', 'office', '--update']);
    expect(own.code).toBe(2);
    expect(own.err).toMatch("is the bot's own role");
    const boss = role('boss');
    await pool.query(`CREATE ROLE "${boss}" SUPERUSER`);
    const superuser = await grant([boss, '--vantage', 'office', '--update']);
    expect(superuser.code).toBe(2);
    expect(superuser.err).toMatch('is a superuser');
    const bound = await pool.query('SELECT count(*)::int AS n FROM vantage_roles WHERE role = ANY($1)', [
      [rows[0]?.me, boss],
    ]);
    expect(bound.rows[0]).toEqual({ n: 0 });
  });

  test.each([
    [['x"; DROP TABLE watches; --', '--vantage', 'office'], 'is not a role name this command makes'],
    [['worker_a'], 'name the vantage the role speaks for'],
    [['worker_a', '--vantage', 'Not A Name'], 'use lower-case letters'],
    [['--vantage', 'office'], 'name the role to create'],
  ])('bad input %j is refused with exit 2 and what to type', async (args, message) => {
    const result = await grant(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    const watches = await pool.query("SELECT to_regclass('watches') IS NOT NULL AS present");
    expect(watches.rows[0]).toEqual({ present: true });
  });

  test(
    'a worker started as another vantage with this role fails at start, naming both',
    async () => {
      const name = role('office');
      expect((await grant([name, '--vantage', 'office'])).code).toBe(0);
      const url = await withPassword(db, name);
      const captured = output();
      const code = await runWorkerCommand(['--vantage', 'cloud'], {
        ...captured.io,
        env: { DATABASE_URL: url },
        stopSignal: new Promise(() => undefined),
      });
      expect(code).toBe(1);
      expect(captured.err()).toMatch(`role ${name} speaks for vantage office, not cloud`);
      expect(captured.err()).toMatch('start this worker with --vantage office');
      expect(captured.err()).not.toContain(url.split(':')[2]?.split('@')[0] ?? 'never');
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM vantage_workers WHERE role = $1', [
        name,
      ]);
      expect(rows[0]).toEqual({ n: 0 });
    },
    TIMEOUT,
  );

  test(
    'a worker started before the bot prepared the database waits, says so once, and starts when it is ready',
    async () => {
      const fresh = await createTestDatabase('smtp_check_early');
      const name = role('early');
      const freshPool = createPool(fresh.url, { max: 2 });
      try {
        await asSuperuser(fresh.name, (client) => client.query(`CREATE ROLE "${name}" LOGIN`));
        const url = await withPassword(fresh, name);
        const lines: string[] = [];
        const logger = { ...silentLogger, warn: (msg: string) => void lines.push(msg) };
        const starting = startWorker({ ...workerDeps(url, 'office'), logger: logger as typeof silentLogger });
        // Several retries pass (every 2 s) before the bot prepares the database.
        await new Promise((resolve) => setTimeout(resolve, 4_500));
        await migrate(freshPool, fresh.name);
        const { grantWorkerRole } = await import('../../src/vantage/worker-role.js');
        await grantWorkerRole(freshPool, { role: name, vantage: 'office', update: true });
        const worker = await starting;
        expect(lines.filter((line) => /waiting for the bot to prepare it/.test(line))).toHaveLength(1);
        const { rows } = await freshPool.query('SELECT vantage, role FROM vantage_workers');
        expect(rows).toEqual([{ vantage: 'office', role: name }]);
        await worker.stop();
      } finally {
        await freshPool.end();
        await fresh.drop();
      }
    },
    TIMEOUT,
  );

  test(
    'a job taken with less time left than one connect may take is answered as not probed, never as a verdict',
    async () => {
      const name = role('late');
      expect((await grant([name, '--vantage', 'late'])).code).toBe(0);
      const url = await withPassword(db, name);
      const probes = await openTestVantageProbes(pool, db.url);
      // Connect may take 5 s here; the check waits 3 s: a probe would be cut before its connect
      // timeout, and a port where nothing answers yet would be judged on a clipped wait.
      const worker = await startWorker({
        ...workerDeps(url, 'late'),
        policy: createTargetPolicy(['127.0.0.0/8']),
        limits: testLimits({ connectTimeoutMs: 5_000 }),
      });
      try {
        const [outcome] = await probes.probeFrom(
          ['late'],
          { target: '127.0.0.1', ports: [2525], mx: 'auto' },
          { priority: 'interactive', deadlineMs: 3_000 },
        );
        expect(outcome).toMatchObject({ vantage: 'late', kind: 'failed' });
        expect(outcome?.kind === 'failed' && outcome.error).toMatch(
          /less than one connect may take \(5000 ms\): not probed/,
        );
      } finally {
        await worker.stop();
        await probes.close();
      }
    },
    TIMEOUT,
  );

  test(
    'a role granted tables by an earlier version loses them when the bot migrates, and is bound to nothing',
    async () => {
      const fresh = await createTestDatabase('smtp_check_upgrade');
      const name = role('earlier');
      const freshPool = createPool(fresh.url, { max: 2 });
      try {
        await migrate(freshPool, fresh.name, MIGRATIONS.slice(0, 5));
        // What `worker-role` granted before version 6.
        await freshPool.query(`CREATE ROLE "${name}" LOGIN`);
        await freshPool.query(
          `GRANT INSERT, SELECT (worker_id), UPDATE (last_seen, stopped_at) ON vantage_workers TO "${name}"`,
        );
        await freshPool.query(`GRANT INSERT ON vantage_results TO "${name}"`);
        await migrate(freshPool, fresh.name);
        const grants = await freshPool.query(
          `SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE grantee = $1`,
          [name],
        );
        expect(grants.rows[0]).toEqual({ n: 0 });
        const columns = await freshPool.query(
          `SELECT count(*)::int AS n FROM information_schema.column_privileges WHERE grantee = $1`,
          [name],
        );
        expect(columns.rows[0]).toEqual({ n: 0 });
        const bound = await freshPool.query('SELECT count(*)::int AS n FROM vantage_roles WHERE role = $1', [
          name,
        ]);
        expect(bound.rows[0]).toEqual({ n: 0 });
      } finally {
        await freshPool.end();
        await fresh.drop();
      }
    },
    TIMEOUT,
  );

  test('a worker whose role was never bound is told how to bind it', async () => {
    const name = role('unbound');
    await pool.query(`CREATE ROLE "${name}" LOGIN`);
    const url = await withPassword(db, name);
    await expect(startWorker(workerDeps(url, 'office'))).rejects.toThrow(WorkerStartError);
    await expect(startWorker(workerDeps(url, 'office'))).rejects.toThrow(/worker-role ROLE --vantage NAME/);
  });
});

describe.skipIf(skip !== null)('DATABASE_URL without a user name', () => {
  test('means the operating-system user, as for psql, also when USER is unset', async () => {
    const saved = process.env['USER'];
    delete process.env['USER'];
    const pool = createPool('postgres:///postgres?host=%2Fvar%2Frun%2Fpostgresql', { max: 1 });
    try {
      const { rows } = await pool.query<{ me: string }>('SELECT current_user AS me');
      const { userInfo } = await import('node:os');
      expect(rows[0]?.me).toBe(userInfo().username);
    } finally {
      await pool.end();
      if (saved !== undefined) process.env['USER'] = saved;
    }
  });
});

describe('dialUrl()', () => {
  test.each([
    ['postgres:///db?host=/run/postgresql', /^postgres:\/\/[^@:/]+@\/db\?host=\/run\/postgresql$/],
    ['postgresql://db.example:5432/db', /^postgresql:\/\/[^@:/]+@db\.example:5432\/db$/],
    ['postgres://:s3cret@db.example/db', /^postgres:\/\/[^@:/]+:s3cret@db\.example\/db$/],
    ['postgres://named:pw@db.example/db', /^postgres:\/\/named:pw@db\.example\/db$/],
  ])('%s', (url, dialled) => {
    expect(dialUrl(url)).toMatch(dialled);
  });
});
