import pg from 'pg';
import type { Logger } from '../log.js';
import { StoreError } from './store-error.js';
import { isUnavailable, type Pool, type PoolClient, storeErrorFrom } from './connection.js';
import { describeDatabase, redactUrl } from './database-url.js';

// One transaction on one pooled connection, for the store and for whoever writes beside it in
// the same transaction (the fleet's post ledger, `store import`).

/** A PostgreSQL connection, or a pool (which runs each query on any free connection). */
export type Queryable = Pick<PoolClient, 'query'>;

/**
 * Errors from the database or the connection become StoreError (without the URL); a StoreError
 * or an error of the caller's own code passes unchanged.
 */
export function fromDriver(error: unknown, url: string, doing: string): unknown {
  if (error instanceof StoreError) return error;
  if (error instanceof pg.DatabaseError || isUnavailable(error)) return storeErrorFrom(error, url, doing);
  return error;
}

/**
 * Runs work in one transaction on one connection: committed when it resolves, rolled back when it
 * throws. A connection whose rollback failed is closed rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: Pool,
  url: string,
  doing: string,
  work: (client: PoolClient) => Promise<T>,
  logger?: Logger,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw fromDriver(error, url, doing);
  }
  let broken: Error | undefined;
  // A connection lost while checked out emits 'error' besides failing its query; unheard, that
  // event would end the process.
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (broken === undefined) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
        logger?.warn('PostgreSQL rollback failed; the connection is closed', {
          database: describeDatabase(url),
          doing,
          reason: redactUrl(broken.message, url),
        });
      }
    }
    throw fromDriver(error, url, doing);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
