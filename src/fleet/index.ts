import type { FleetCoordinator } from './types.js';
import type { OpenPgFleetOptions } from './pg-fleet-coordinator.js';

export { createLocalCoordinator } from './local-coordinator.js';
export type {
  OpenPgFleetOptions,
  PgFleetCoordinatorOptions,
  Queryable,
  StoreTransactions,
} from './pg-fleet-coordinator.js';
export {
  type FleetCoordinator,
  POST_KINDS,
  type PostDecision,
  type PostedKey,
  type PostIntent,
  type PostKind,
  type PostLedger,
  type TickClaims,
  type WatchStatesWrite,
} from './types.js';

/**
 * The fleet's coordinator on PostgreSQL (see pg-fleet-coordinator.ts). The driver loads only for
 * deployments that set DATABASE_URL.
 */
export async function openPgFleet(
  options: OpenPgFleetOptions,
): Promise<{ fleet: FleetCoordinator; close(): Promise<void> }> {
  const { openPgFleet: open } = await import('./pg-fleet-coordinator.js');
  return open(options);
}
