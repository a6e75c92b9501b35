import type { Queryable } from '../database/transaction.js';
import type { VantageDirectory } from '../metrics/index.js';
import { LIVE_WITHIN_MS, probeQueue } from './queue-names.js';

// What a scrape shows of the vantages: each queue's waiting jobs and each worker's heartbeat, read
// in one statement at scrape time (a timer would query the database whether anyone looks or not).
// Ages are computed on the database's clock, which stamps every heartbeat, so the bot's clock
// cannot make a worker look late. Times that are not finite or lie ahead are left out, as in
// worker-directory.ts.

/** A worker not heard from for this long is no longer shown: series of stopped workers end. */
const SHOWN_WITHIN_MS = 10 * 60_000;
const FUTURE_SLACK_MS = 5_000;

/** Reads the vantage directory; `timeoutMs` bounds the statement on the client's side. */
export async function readVantageDirectory(db: Queryable, timeoutMs = 2_000): Promise<VantageDirectory> {
  // node-pg honours a query's own query_timeout; its types do not list it.
  const query = {
    query_timeout: timeoutMs,
    text: `WITH beats AS (
             SELECT vantage, worker_id, last_seen, stopped_at FROM vantage_workers
              WHERE isfinite(last_seen) AND last_seen <= now() + $3 * interval '1 millisecond')
           SELECT
             (SELECT json_agg(json_build_object('vantage', substr(q.name, length($1) + 1), 'depth',
                       (SELECT count(*) FROM pgboss.job j
                         WHERE j.name = q.name AND j.state IN ('created', 'retry'))))
                FROM pgboss.queue q WHERE left(q.name, length($1)) = $1) AS queues,
             (SELECT json_agg(json_build_object('vantage', vantage,
                       'live', count_live, 'heartbeatAgeSeconds', age))
                FROM (SELECT vantage,
                             count(*) FILTER (WHERE stopped_at IS NULL
                               AND last_seen > now() - $2 * interval '1 millisecond') AS count_live,
                             extract(epoch FROM now() - max(last_seen))::float8 AS age
                        FROM beats GROUP BY vantage) v) AS vantages,
             (SELECT json_agg(json_build_object('vantage', vantage, 'worker', worker_id::text,
                       'heartbeatAgeSeconds', extract(epoch FROM now() - last_seen)::float8))
                FROM beats
               WHERE stopped_at IS NULL AND last_seen > now() - $4 * interval '1 millisecond') AS workers`,
    values: [probeQueue(''), LIVE_WITHIN_MS, FUTURE_SLACK_MS, SHOWN_WITHIN_MS],
  };
  const { rows } = await db.query<{
    queues: { vantage: string; depth: number }[] | null;
    vantages: { vantage: string; live: number; heartbeatAgeSeconds: number }[] | null;
    workers: { vantage: string; worker: string; heartbeatAgeSeconds: number }[] | null;
  }>(query);
  const row = rows[0];
  const notAhead = <T extends { heartbeatAgeSeconds: number }>(list: T[] | null | undefined): T[] =>
    (list ?? []).map((entry) => ({ ...entry, heartbeatAgeSeconds: Math.max(0, entry.heartbeatAgeSeconds) }));
  return {
    queues: row?.queues ?? [],
    vantages: notAhead(row?.vantages),
    workers: notAhead(row?.workers),
  };
}
