import type { FleetDatabase } from '../../src/fleet-context/index.js';
import { createPool } from '../../src/database/connection.js';
import { describeDatabase } from '../../src/database/database-url.js';
import { migrate } from '../../src/store/pg/migrations.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

/** A migrated database of its own for one test file, and the pools of the "replicas" opened on it. */
export interface FleetTestDatabase {
  database: TestDatabase;
  /** A replica's own pool on the shared database, closed by close(). */
  open(options?: { max?: number; connectTimeoutMs?: number }): FleetDatabase;
  close(): Promise<void>;
}

export async function createFleetTestDatabase(): Promise<FleetTestDatabase> {
  const database = await createTestDatabase('smtp_check_fleet');
  const pools: FleetDatabase['pool'][] = [];
  const open = (options: { max?: number; connectTimeoutMs?: number } = {}): FleetDatabase => {
    const pool = createPool(database.url, { ...options, onIdleError: () => undefined });
    pools.push(pool);
    return { pool, url: database.url };
  };
  const first = open();
  await migrate(first.pool, describeDatabase(database.url));
  return {
    database,
    open,
    async close() {
      await Promise.all(pools.map((pool) => pool.end()));
      await database.drop();
    },
  };
}

/** A URL whose socket folder holds no server: every connection fails at once (ENOENT). */
export const unreachableDatabase = (password = ''): string =>
  `postgres://smtp${password ? `:${password}` : ''}@/nowhere?host=${encodeURIComponent('/nonexistent-smtp-check-socket')}`;
