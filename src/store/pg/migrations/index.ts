import type { Migration } from '../../../database/migration.js';
import { watchStoreTables } from './001-watch-store.js';
import { fleetSchedule } from './002-fleet-schedule.js';
import { fleetContext } from './003-fleet-context.js';
import { vantages } from './004-vantages.js';
import { watchVantages } from './005-watch-vantages.js';
import { workerTrust } from './006-worker-trust.js';
import { domainWatches } from './007-domain-watches.js';

/** Every schema change, oldest first. A released migration is never edited: add the next one. */
export const MIGRATIONS: Migration[] = [
  watchStoreTables,
  fleetSchedule,
  fleetContext,
  vantages,
  watchVantages,
  workerTrust,
  domainWatches,
];
