export {
  createPool,
  isUnavailable,
  type Pool,
  type PoolClient,
  storeErrorFrom,
} from '../../database/connection.js';
export { describeDatabase, isPostgresUrl, redactUrl } from '../../database/database-url.js';
export { LATEST_SCHEMA_VERSION, MIGRATION_LOCK, migrate, type MigrationResult } from './migrations.js';
export {
  createPgWatchStore,
  isPgWatchStore,
  openPgWatchStore,
  type OpenPgWatchStoreOptions,
  type PgWatchStore,
  type PgWatchStoreOptions,
  saveAlertStatesIn,
} from './pg-watch-store.js';
export { inTransaction, type Queryable } from '../../database/transaction.js';
export { type ImportCounts, importProblem, importStoreData } from './import-json.js';
