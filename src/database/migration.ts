import type { PoolClient } from './connection.js';

/** One versioned schema change. A released migration is never edited: the next one is added. */
export interface Migration {
  version: number;
  name: string;
  /** Runs inside the migration's transaction. */
  up(client: PoolClient): Promise<void>;
}
