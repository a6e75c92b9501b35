import type { Pool } from '../database/connection.js';
import { quoteIdent } from '../database/quote-ident.js';
import { revokeDirectGrants, WORKER_FUNCTIONS } from '../database/worker-contract.js';

// A worker runs in someone else's network and holds database credentials. Its role is bound to
// one vantage (vantage_roles, written only here, by the bot's role) and may execute the worker
// functions and nothing else: no table, no queue, no other vantage. The database enforces it; the
// worker's own code is the untrusted party.

/** PostgreSQL role names this command accepts; they are quoted in every statement all the same. */
export const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;

/** Serialises worker-role changes: "smtp-chw" in ASCII. */
const ROLE_LOCK = 0x736d_7470_2d63_6877n;

/** Connections a worker role may hold at once by default: a worker process uses three. */
export const DEFAULT_CONNECTION_LIMIT = 10;

export class WorkerRoleRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerRoleRefusal';
  }
}

export interface WorkerRoleOptions {
  role: string;
  vantage: string;
  /** Rebind and re-grant a role that exists already (otherwise an existing role is refused). */
  update?: boolean;
  connectionLimit?: number;
}

/** The statements that give an existing role a worker's privileges, and only those. */
function workerGrants(role: string, database: string, connectionLimit: number): string[] {
  const r = quoteIdent(role);
  return [
    `ALTER ROLE ${r} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${connectionLimit}`,
    `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${r}`,
    ...WORKER_FUNCTIONS.map((fn) => `GRANT EXECUTE ON FUNCTION ${fn} TO ${r}`),
  ];
}

/**
 * Creates the role (LOGIN, no password: set one with ALTER ROLE, or use peer authentication over a
 * local socket), binds it to one vantage and grants it the worker functions. Refuses the bot's own
 * role, superusers, roles that share the bot's privileges, and an existing role unless `update`.
 * Run with the bot's own DATABASE_URL after the schema is migrated.
 */
export async function grantWorkerRole(
  pool: Pool,
  options: WorkerRoleOptions,
): Promise<{ created: boolean; previousVantage: string | null }> {
  const { role, vantage } = options;
  if (!ROLE_NAME.test(role)) throw new WorkerRoleRefusal(`"${role}" is not a role name this command makes`);
  const limit = options.connectionLimit ?? DEFAULT_CONNECTION_LIMIT;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // GRANTs on the same functions from two transactions at once fail ("tuple concurrently
    // updated"): role changes are made one at a time.
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLE_LOCK.toString()]);
    const { rows: me } = await client.query<{ bot: string; db: string }>(
      'SELECT current_user AS bot, current_database() AS db',
    );
    const bot = me[0]?.bot ?? '';
    if (role === bot) {
      throw new WorkerRoleRefusal(
        `${role} is the bot's own role (the one in this DATABASE_URL): a worker needs a role of its own`,
      );
    }
    const { rows: found } = await client.query<{ super: boolean; shares: boolean }>(
      `SELECT rolsuper AS super, pg_has_role(rolname, current_user, 'USAGE') AS shares
         FROM pg_roles WHERE rolname = $1`,
      [role],
    );
    const existing = found[0];
    if (existing?.super) {
      throw new WorkerRoleRefusal(
        `${role} is a superuser: the database cannot hold a superuser to one vantage`,
      );
    }
    if (existing?.shares) {
      throw new WorkerRoleRefusal(
        `${role} is a member of the bot's role ${bot} and would share all of its privileges: use a role of its own`,
      );
    }
    if (existing && !options.update) {
      throw new WorkerRoleRefusal(
        `role ${role} exists already: add --update to bind it to vantage ${vantage} and reset its privileges`,
      );
    }
    const previous = await client.query<{ vantage: string }>(
      'SELECT vantage FROM vantage_roles WHERE role = $1',
      [role],
    );
    if (!existing) await client.query(`CREATE ROLE ${quoteIdent(role)} LOGIN`);
    else await revokeDirectGrants(client, role);
    for (const statement of workerGrants(role, me[0]?.db ?? '', limit)) await client.query(statement);
    await client.query(
      `INSERT INTO vantage_roles (role, vantage) VALUES ($1, $2)
       ON CONFLICT (role) DO UPDATE SET vantage = EXCLUDED.vantage, granted_at = now()`,
      [role, vantage],
    );
    await client.query('COMMIT');
    return { created: !existing, previousVantage: previous.rows[0]?.vantage ?? null };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
