import type { CheckResult, CheckResults, PostedMessage } from '../chat/use-cases/index.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import { storeErrorFrom } from '../database/errors.js';
import { toJsonb } from '../database/jsonb.js';
import type { FleetDatabase } from '../database/fleet-database.js';

export interface PgCheckResultsOptions {
  /** How long a check's result answers clicks after its last (re-)check. */
  retentionMs?: number;
  /** Older results are deleted at most this often, by whichever replica stores one. */
  pruneEveryMs?: number;
  /** At most this many results are kept (the least recently checked go first), whatever their age. */
  maxResults?: number;
  now?: () => Date;
}

export const CHECK_RESULT_RETENTION_MS = 30 * 24 * 3_600_000;

/**
 * Check results in PostgreSQL, keyed by the check's channel message: any replica answers a Re-run,
 * Show config or `recheck` in the thread, days after another replica posted the check. A result
 * older than the retention is neither returned nor kept, and the table holds maxResults at most.
 */
export function createPgCheckResults(db: FleetDatabase, options: PgCheckResultsOptions = {}): CheckResults {
  const retentionMs = options.retentionMs ?? CHECK_RESULT_RETENTION_MS;
  const pruneEveryMs = options.pruneEveryMs ?? 3_600_000;
  const maxResults = options.maxResults ?? 100_000;
  const now = options.now ?? (() => new Date());
  let lastPrune = Number.NEGATIVE_INFINITY;
  const cutoff = (at: Date) => new Date(at.getTime() - retentionMs);

  const prune = async (at: Date): Promise<void> => {
    if (at.getTime() - lastPrune < pruneEveryMs) return;
    lastPrune = at.getTime();
    await db.pool.query('DELETE FROM check_results WHERE updated_at < $1', [cutoff(at)]);
    await db.pool.query(
      `DELETE FROM check_results WHERE (channel, message_ts) IN (
         SELECT channel, message_ts FROM check_results ORDER BY updated_at DESC OFFSET $1)`,
      [maxResults],
    );
  };

  return {
    async get(thread: PostedMessage): Promise<CheckResult | undefined> {
      try {
        const { rows } = await db.pool.query<{ diagnosis: HostDiagnosis; requester: string }>(
          `SELECT diagnosis, requester FROM check_results
           WHERE channel = $1 AND message_ts = $2 AND updated_at >= $3`,
          [thread.channel, thread.ts, cutoff(now())],
        );
        const row = rows[0];
        return row ? { diagnosis: row.diagnosis, userId: row.requester } : undefined;
      } catch (error) {
        throw storeErrorFrom(error, db.url, 'reading a check result');
      }
    },
    async set(thread: PostedMessage, result: CheckResult): Promise<void> {
      const at = now();
      try {
        await db.pool.query(
          `INSERT INTO check_results (channel, message_ts, diagnosis, requester, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5)
           ON CONFLICT (channel, message_ts) DO UPDATE
             SET diagnosis = EXCLUDED.diagnosis, requester = EXCLUDED.requester, updated_at = EXCLUDED.updated_at`,
          [thread.channel, thread.ts, toJsonb(result.diagnosis), result.userId, at],
        );
        await prune(at);
      } catch (error) {
        throw storeErrorFrom(error, db.url, 'storing a check result');
      }
    },
  };
}
