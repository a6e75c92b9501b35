import type { PoolClient } from './connection.js';
import { quoteIdent } from './quote-ident.js';

// What the database's worker functions (migration 006) and the bot's code agree on. Names here
// are stored and called across processes and versions: they do not change.

/** LISTEN/NOTIFY channel the answer function notifies; the payload is `checkId:vantage`. */
export const ANSWER_CHANNEL = 'smtp_check_vantage_answer';

/** pg-boss queue of one vantage's probe jobs. */
export function probeQueue(vantage: string): string {
  return `smtp-check-probe-${vantage}`;
}

/** The largest answer the database takes, in bytes of its JSON text. */
export const MAX_ANSWER_BYTES = 262_144;

/** The functions a worker role may execute, with their argument types (for GRANT and REVOKE). */
export const WORKER_FUNCTIONS = [
  'smtp_check_worker_hello(text, uuid, text, text)',
  'smtp_check_worker_beat(uuid)',
  'smtp_check_worker_bye(uuid)',
  'smtp_check_worker_take(uuid, integer)',
  'smtp_check_worker_answer(uuid, uuid, jsonb)',
] as const;

/**
 * Takes back what earlier versions granted a worker role directly: the answer, heartbeat and
 * binding tables and pg-boss's tables. The migration does it for every such role, `worker-role
 * --update` for the one it rebinds.
 */
export async function revokeDirectGrants(client: PoolClient, role: string): Promise<void> {
  const r = quoteIdent(role);
  await client.query(`REVOKE ALL ON vantage_results, vantage_workers, vantage_roles FROM ${r}`);
  const pgboss = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'");
  if ((pgboss.rowCount ?? 0) > 0) {
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA pgboss FROM ${r}`);
    await client.query(`REVOKE USAGE ON SCHEMA pgboss FROM ${r}`);
  }
}
