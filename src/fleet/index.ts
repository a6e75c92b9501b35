export { createLocalCoordinator } from './local-coordinator.js';
export {
  createPgFleetCoordinator,
  type OpenPgFleetOptions,
  openPgFleet,
  type PgFleetCoordinatorOptions,
  type Queryable,
  replicaName,
} from './pg-fleet-coordinator.js';
export {
  type FleetCoordinator,
  POST_KINDS,
  type PostDecision,
  type PostIntent,
  type PostKind,
  type PostLedger,
  type TickClaims,
} from './types.js';
