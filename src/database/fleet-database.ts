import type { Pool } from './connection.js';

/** The fleet's shared PostgreSQL: the pool to query and the URL, for messages that name it safely. */
export interface FleetDatabase {
  pool: Pool;
  /** DATABASE_URL; only describeDatabase()/storeErrorFrom() ever read it, so no password is shown. */
  url: string;
}
