import type { Pool } from '../store/pg/connection.js';

// A worker runs in someone else's network and holds database credentials, so its role gets the
// least a worker needs: take and finish jobs in pg-boss's tables, insert its heartbeat (and renew
// it), insert its answers. It cannot read or change watches, alert state, the post ledger, check
// results or anything else the bot keeps.

/** PostgreSQL role names this command creates: plain identifiers, nothing to quote or escape. */
export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The statements that give `role` a worker's privileges (the role itself must exist). */
export function workerGrants(role: string, database: string): string[] {
  if (!ROLE_NAME.test(role)) throw new Error(`"${role}" is not a plain role name (a-z, 0-9, _)`);
  const db = `"${database.replaceAll('"', '""')}"`;
  return [
    `GRANT CONNECT ON DATABASE ${db} TO ${role}`,
    // pg-boss: check the installed version, take jobs (UPDATE … RETURNING), finish them, and hand
    // them back on stop (a failed job is deleted and inserted again as a retry).
    `GRANT USAGE ON SCHEMA pgboss TO ${role}`,
    `GRANT SELECT ON pgboss.version, pgboss.queue TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON pgboss.job TO ${role}`,
    // Its own heartbeat: inserted at start, last_seen and stopped_at renewed by worker id.
    `GRANT INSERT, SELECT (worker_id), UPDATE (last_seen, stopped_at) ON vantage_workers TO ${role}`,
    // Its answers: inserted, never read back (the bot reads them).
    `GRANT INSERT ON vantage_results TO ${role}`,
  ];
}

/**
 * Creates the role when it does not exist (LOGIN, no password: set one with ALTER ROLE, or use
 * peer authentication over a local socket) and grants it a worker's privileges. Idempotent. Run
 * with the bot's own DATABASE_URL after the bot has started once (it creates the tables).
 */
export async function grantWorkerRole(pool: Pool, role: string): Promise<{ created: boolean }> {
  if (!ROLE_NAME.test(role)) throw new Error(`"${role}" is not a plain role name (a-z, 0-9, _)`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const created = exists.rowCount === 0;
    if (created) await client.query(`CREATE ROLE ${role} LOGIN`);
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    for (const statement of workerGrants(role, rows[0]?.db ?? '')) await client.query(statement);
    await client.query('COMMIT');
    return { created };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
