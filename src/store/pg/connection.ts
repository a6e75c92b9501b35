import pg from 'pg';

// One pool per process. DATABASE_URL carries a password: it never appears in a message or a log
// line; errors name the database by describeDatabase().

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  /** Connections this process may hold. */
  max?: number;
  /** How long a new connection may take before the attempt fails. */
  connectTimeoutMs?: number;
  /** Called for errors of idle connections (a database restart); without a handler they crash Node. */
  onIdleError?: (error: Error) => void;
}

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'smtp-check',
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

export { isUnavailable, storeErrorFrom } from './errors.js';
