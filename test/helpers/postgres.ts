import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';

// PostgreSQL for the tests: the machine's own server, reached through its Unix socket (which a
// network namespace can reach too). When it is installed but stopped, the tests start it (as root)
// — no one starts it by hand. Each test gets a database of its own, dropped afterwards.
//
// Without a server the PostgreSQL tests are skipped and say why; under CI (CI set) they fail
// (requireInfrastructure(), which the network namespace tests share).

/** The folder of the test server's Unix socket. */
export const SOCKET_DIR = process.env['PGTEST_SOCKET_DIR'] ?? '/var/run/postgresql';
/** The role the tests connect as: this process's user (peer authentication over the socket). */
export const USER = userInfo().username;
/** The URL of a database on the test server, connecting as this process's user over the socket. */
export const testDatabaseUrl = (database: string): string =>
  `postgres://${USER}@/${database}?host=${encodeURIComponent(SOCKET_DIR)}`;

async function reachable(): Promise<string | null> {
  const client = new pg.Client({
    connectionString: testDatabaseUrl('postgres'),
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function sh(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the first installed cluster and gives root a superuser role; returns why not, or null. */
function startLocalServer(): string | null {
  if (process.getuid?.() !== 0) return 'not root, so the tests cannot start it';
  let clusters: string;
  try {
    clusters = sh('pg_lsclusters', ['--no-header']);
  } catch {
    return 'PostgreSQL is not installed (apt-get install postgresql)';
  }
  const first = clusters.trim().split('\n')[0]?.trim().split(/\s+/);
  if (!first || first.length < 2) return 'pg_lsclusters lists no cluster';
  const [version, cluster] = first as [string, string];
  try {
    if (!clusters.includes('online')) sh('pg_ctlcluster', [version, cluster, 'start']);
    sh('su', [
      'postgres',
      '-c',
      `psql -qc "DO \\$\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${USER}') THEN CREATE ROLE \\"${USER}\\" SUPERUSER LOGIN; END IF; END \\$\\$"`,
    ]);
  } catch (error) {
    return `could not start PostgreSQL ${version}/${cluster}: ${(error as Error).message.split('\n')[0]}`;
  }
  return null;
}

let availability: Promise<string | null> | undefined;

/** Null when a server is reachable (started if need be), else why not. Asked once per test file. */
export function postgresUnavailable(): Promise<string | null> {
  availability ??= (async () => {
    const first = await reachable();
    if (first === null) return null;
    const started = startLocalServer();
    if (started !== null) return started;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      if ((await reachable()) === null) return null;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return `PostgreSQL started but does not answer on ${SOCKET_DIR}: ${await reachable()}`;
  })();
  return availability;
}

/**
 * The one rule for what a test needs from the machine (PostgreSQL, network namespaces): with
 * `reason` null it is there, and this returns null. Otherwise the tests that need it are skipped
 * with the reason (returned, and said on the console) — or, under CI (CI set), this throws it, so a CI
 * machine without it fails instead of passing on skipped tests. Called at a test file's top level,
 * the throw fails the file.
 */
export function requireInfrastructure(what: string, reason: string | null): string | null {
  if (reason === null) return null;
  if (process.env['CI']) throw new Error(`${what} is required under CI: ${reason}`);
  console.warn(`tests that need ${what} skipped: ${reason}`);
  return reason;
}

/** Null when PostgreSQL can be used; otherwise see requireInfrastructure(). */
export async function requirePostgres(): Promise<string | null> {
  return requireInfrastructure('PostgreSQL', await postgresUnavailable());
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh empty database; drop() ends its connections and removes it. */
export async function createTestDatabase(prefix = 'smtp_check_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: testDatabaseUrl(name),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs SQL as the superuser in one database (roles, inspection). */
export function asSuperuser<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return (async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl(database) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  })();
}
