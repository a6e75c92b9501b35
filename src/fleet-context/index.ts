export type { FleetDatabase } from '../database/fleet-database.js';
export {
  CHECK_RESULT_RETENTION_MS,
  createPgCheckResults,
  type PgCheckResultsOptions,
} from './pg-check-results.js';
export { FleetRateLimiter, type FleetRateLimiterOptions } from './fleet-rate-limiter.js';
export {
  createTargetLeases,
  type ReleaseTarget,
  type TargetLeaseOptions,
  type TargetLeases,
} from './target-leases.js';
export {
  createHealth,
  createTickWatch,
  type HealthOptions,
  type HealthReport,
  type Liveness,
  pingDatabase,
  type TickWatch,
} from './health.js';
