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
  createWorkerHealth,
  type HealthOptions,
  type HealthReport,
  type Liveness,
  pingDatabase,
  type SlackHealth,
  type TickWatch,
  type WorkerHealthReport,
} from './health.js';
export {
  ALIVE_PATH,
  createHealthHandler,
  type HealthEndpoints,
  type HealthHandler,
  HEALTH_PATHS,
  type HealthServer,
  METRICS_PATH,
  type MetricsSource,
  READY_PATH,
  type ReadinessReport,
  servedReadiness,
  startHealthPort,
  startHealthServer,
} from './health-server.js';
export { type BotDomainChecks, createBotDomainChecks } from './domain-checks.js';
