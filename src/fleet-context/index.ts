export { type FleetDatabase } from './fleet-database.js';
export { CHECK_RESULT_RETENTION_MS, createPgCheckResults, type PgCheckResultsOptions } from './pg-check-results.js';
