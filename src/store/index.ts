export { createMemoryWatchStore } from './memory-watch-store.js';
export { openLowdbWatchStore, type LowdbWatchStoreOptions } from './lowdb-watch-store.js';
export { SCHEMA_VERSION } from './store-data.js';
export { StoreError } from './store-error.js';
export {
  ALERT_PHASES,
  type AlertPhase,
  CERT_BANDS,
  type CertBand,
  DEFAULT_HISTORY_LIMITS,
  type HistoryLimits,
  type HistorySample,
  type HistorySeries,
  type Incident,
  type Mute,
  type PortAlertState,
  type PortAlertStates,
  type Watch,
  type WatchStore,
} from './types.js';
