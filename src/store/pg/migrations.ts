import type pg from 'pg';
import type { Pool, PoolClient } from '../../database/connection.js';
import { MIGRATIONS } from './migrations/index.js';
import { StoreError } from '../../database/store-error.js';

// Versioned schema changes, applied at start. Replicas starting at once serialise on one advisory
// lock, so each migration runs once; a database migrated by newer code is refused untouched.

export type { Migration } from '../../database/migration.js';

/** Any 64-bit number that no other user of the database locks on: "smtp-check" in ASCII. */
export const MIGRATION_LOCK = 0x736d_7470_2d63n;

/** How long a replica waits for another's migrations (and a migration may run). */
const MIGRATION_WAIT_MS = 120_000;

export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

async function currentVersion(client: PoolClient): Promise<number> {
  await client.query(`CREATE TABLE IF NOT EXISTS smtp_check_schema (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM smtp_check_schema',
  );
  return rows[0]?.version ?? 0;
}

/**
 * Brings the schema to LATEST_SCHEMA_VERSION. Every migration is its own transaction holding the
 * advisory lock, so a replica that waited finds the work done. Throws StoreError when the database
 * is newer than this code (a rollback of the bot after an upgrade): nothing is changed then.
 */
export async function migrate(pool: Pool, where: string, migrations = MIGRATIONS): Promise<MigrationResult> {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  const client = await pool.connect();
  // A connection lost while it is checked out emits 'error' on the client, which would end the
  // process if nobody listens; the query in flight rejects with the same failure and is reported.
  let lost = false;
  const onLost = (): void => {
    lost = true;
  };
  client.on('error', onLost);
  const applied: string[] = [];
  let from = 0;
  try {
    // Another replica may be migrating: waiting for its lock is expected at start, so this one
    // connection waits longer than the bot's usual lock and statement limits, and then resets.
    await client.query(
      `SET lock_timeout = ${MIGRATION_WAIT_MS}; SET statement_timeout = ${MIGRATION_WAIT_MS}`,
    );
    await client.query({
      text: 'SELECT pg_advisory_lock($1)',
      values: [MIGRATION_LOCK.toString()],
      query_timeout: MIGRATION_WAIT_MS + 5_000,
    } as pg.QueryConfig);
    try {
      from = await currentVersion(client);
      if (from > latest) {
        throw new StoreError(
          `PostgreSQL at ${where} holds schema version ${from}, newer than this smtp-check knows (${latest}). ` +
            'Run the newer smtp-check, or restore a backup taken before the upgrade; nothing was changed.',
          { file: where },
        );
      }
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= from) continue;
        await client.query('BEGIN');
        try {
          await migration.up(client);
          await client.query('INSERT INTO smtp_check_schema (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          // The migration's own error is the one to report; a failed rollback ends with the connection.
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(`${migration.version} ${migration.name}`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => undefined);
      await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => {
        lost = true;
      });
    }
  } finally {
    client.off('error', onLost);
    // A lost connection is closed rather than handed back to the pool.
    client.release(lost);
  }
  return { from, to: Math.max(from, latest), applied };
}
