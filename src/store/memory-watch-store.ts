import { createDataWatchStore } from './data-watch-store.js';
import { emptyStoreData } from './store-data.js';
import { DEFAULT_HISTORY_LIMITS, type HistoryLimits, type WatchStore } from '../watch-model/watch-store.js';

/** A WatchStore that lives and dies with the process (tests, console mode without DATA_FILE). */
export function createMemoryWatchStore(options: { limits?: HistoryLimits } = {}): WatchStore {
  const data = emptyStoreData();
  return createDataWatchStore({
    location: ':memory:',
    data: () => data,
    commit: async () => {},
    release: async () => {},
    limits: options.limits ?? DEFAULT_HISTORY_LIMITS,
  });
}
