import type { Logger } from '../log.js';
import { openLowdbWatchStore } from './lowdb-watch-store.js';
import type { WatchStore } from '../watch-model/watch-store.js';

export interface StoreSettings {
  /** DATA_FILE: the JSON file, used when no database is set. */
  dataFile: string;
  /** DATABASE_URL: PostgreSQL, shared by replicas; null for the JSON file. */
  databaseUrl: string | null;
}

/**
 * The bot's store: PostgreSQL when DATABASE_URL is set (connected and migrated), the JSON file
 * otherwise. Throws StoreError, in one line with the fix, when it cannot be opened.
 */
export async function openStore(settings: StoreSettings, logger: Logger): Promise<WatchStore> {
  if (settings.databaseUrl === null) return openLowdbWatchStore(settings.dataFile, { logger });
  // The driver loads only for deployments that use it.
  const { describeDatabase, openPgWatchStore } = await import('./pg/index.js');
  logger.info('opening the watch store in PostgreSQL', { database: describeDatabase(settings.databaseUrl) });
  return openPgWatchStore(settings.databaseUrl, { logger });
}
