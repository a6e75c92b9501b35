import type { Queryable } from '../database/transaction.js';
import { LIVE_WITHIN_MS } from './queue-names.js';

// Who is running where, from the workers' heartbeats. The database stamps every heartbeat with its
// own clock (a worker cannot write one); a time that is not finite or lies in the future is left
// out all the same, so a bad row can neither crash a listing nor keep a vantage "live" for ever.

export interface VantageHeartbeat {
  /** Workers of the vantage heard from within LIVE_WITHIN_MS and not stopped. */
  live: number;
  /** Newest heartbeat, ISO 8601. */
  lastSeen: string;
  /** Versions the live workers run. */
  versions: string[];
}

/** How far ahead of the database's clock a heartbeat may be and still count (none should be). */
const FUTURE_SLACK_MS = 5_000;

/** The heartbeats of the named vantages (all of them when null), keyed by vantage. */
export async function readHeartbeats(
  db: Queryable,
  names: string[] | null,
): Promise<Map<string, VantageHeartbeat>> {
  const { rows } = await db.query<{
    vantage: string;
    live: number;
    last_seen: Date | number | null;
    versions: string[] | null;
  }>(
    `SELECT vantage,
            count(*) FILTER (WHERE stopped_at IS NULL AND last_seen > now() - $2 * interval '1 millisecond')::int AS live,
            max(last_seen) AS last_seen,
            array_agg(DISTINCT version) FILTER (WHERE stopped_at IS NULL AND last_seen > now() - $2 * interval '1 millisecond') AS versions
       FROM vantage_workers
      WHERE ($1::text[] IS NULL OR vantage = ANY($1))
        AND isfinite(last_seen) AND last_seen <= now() + $3 * interval '1 millisecond'
      GROUP BY vantage
      ORDER BY vantage`,
    [names, LIVE_WITHIN_MS, FUTURE_SLACK_MS],
  );
  const beats = new Map<string, VantageHeartbeat>();
  for (const row of rows) {
    const seen = row.last_seen instanceof Date ? row.last_seen.getTime() : Number.NaN;
    if (!Number.isFinite(seen)) continue;
    beats.set(row.vantage, {
      live: row.live,
      lastSeen: new Date(seen).toISOString(),
      versions: row.versions ?? [],
    });
  }
  return beats;
}
