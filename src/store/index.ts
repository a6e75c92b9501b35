export { createMemoryWatchStore } from './memory-watch-store.js';
export { openLowdbWatchStore, type LowdbWatchStoreOptions } from './lowdb-watch-store.js';
export { observeStore } from './observe-store.js';
export { openStore, type StoreSettings } from './open-store.js';
export {
  describeSchemaError,
  historySampleSchema,
  incidentSchema,
  muteSchema,
  portAlertStateSchema,
  SCHEMA_VERSION,
  storeDataSchema,
  watchSchema,
} from './schema.js';
export { StoreError } from '../database/store-error.js';
export { DEFAULT_HISTORY_LIMITS, type HistoryLimits, type WatchStore } from '../watch-model/watch-store.js';
