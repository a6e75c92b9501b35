import pg from 'pg';
import type { CheckRequest } from '../check/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { FleetDatabase } from '../database/fleet-database.js';
import type { Logger } from '../log.js';
import { connectionOptions } from '../database/connection.js';
import { within } from '../util/within.js';
import { judgeAnswer } from './judge-answer.js';
import { ANSWER_CHANNEL } from './queue-names.js';

// Checks waiting for vantages' answers. The database notifies `checkId:vantage` when a worker
// stores an answer, and a waiting check reads it at once; a sweep every second covers a
// notification lost with a dropped connection. Anyone may NOTIFY that channel: however many
// notifications arrive, a waiting check has at most one read in flight.

export interface AnswerWaiters {
  /** Waits for (checkId, vantage)'s answer until `settle` or an answer settles it. */
  wait(checkId: string, vantage: string, request: CheckRequest): Promise<VantageOutcome>;
  waiting(checkId: string, vantage: string): boolean;
  /** One more read, bounded by `ms`: the answer may have landed as the time ran out. */
  lastLook(checkId: string, vantage: string, ms: number): Promise<void>;
  /** Settles a waiting check with this outcome (nothing when it is settled already). */
  settle(checkId: string, vantage: string, outcome: VantageOutcome): void;
  /** Settles every waiting check as unanswered and stops listening. */
  close(): Promise<void>;
}

interface Waiter {
  checkId: string;
  vantage: string;
  request: CheckRequest;
  resolve: (outcome: VantageOutcome) => void;
  /** The read of this waiter's answer in flight, if any: never more than one. */
  reading: Promise<void> | null;
  /** A notification arrived while reading or pausing: read once more when both are over. */
  again: boolean;
  /** In the pause after a read: notifications now are answered by one read when it ends. */
  paused: boolean;
}

/** Pause after each read before the next: notifications meanwhile are answered by one read after it. */
const REREAD_GAP_MS = 50;

export async function openAnswerWaiters(deps: {
  db: FleetDatabase;
  logger: Logger;
  now: () => Date;
}): Promise<AnswerWaiters> {
  const log = deps.logger;
  const waiters = new Map<string, Waiter>();
  const key = (checkId: string, vantage: string) => `${checkId}:${vantage}`;

  const settle = (waiter: Waiter, outcome: VantageOutcome): void => {
    if (waiters.delete(key(waiter.checkId, waiter.vantage))) waiter.resolve(outcome);
  };

  /** Reads the answers of these waiters that have arrived, and settles them. */
  const collect = async (pending: Waiter[]): Promise<void> => {
    if (pending.length === 0) return;
    const { rows } = await deps.db.pool.query<{
      check_id: string;
      vantage: string;
      result: unknown;
      written_by: string | null;
      bound: string | null;
    }>(
      `SELECT r.check_id, r.vantage, r.result, r.written_by, b.vantage AS bound
         FROM vantage_results r LEFT JOIN vantage_roles b ON b.role = r.written_by
        WHERE (r.check_id, r.vantage) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [pending.map((waiter) => waiter.checkId), pending.map((waiter) => waiter.vantage)],
    );
    for (const row of rows) {
      const waiter = waiters.get(key(row.check_id, row.vantage));
      if (!waiter) continue;
      const outcome = judgeAnswer(
        { vantage: row.vantage, result: row.result, writtenBy: row.written_by, boundVantage: row.bound },
        waiter.request,
        { now: deps.now, logger: log },
      );
      settle(waiter, outcome);
    }
  };

  /** One read for these waiters; a waiter notified meanwhile is read once more afterwards. */
  const read = (batch: Waiter[]): Promise<void> => {
    const reading: Promise<void> = collect(batch)
      .catch((error: unknown) => log.warn('reading answers failed', { error }))
      .finally(() => {
        for (const waiter of batch) {
          if (waiter.reading !== reading) continue;
          waiter.reading = null;
          if (!waiters.has(key(waiter.checkId, waiter.vantage))) continue;
          // Every read is followed by a pause, not only one that was notified meanwhile: a storm
          // whose notifications land just after each read would otherwise be read at its own pace.
          waiter.paused = true;
          setTimeout(() => {
            waiter.paused = false;
            if (!waiter.again) return;
            waiter.again = false;
            requestRead(waiter);
          }, REREAD_GAP_MS).unref();
        }
      });
    for (const waiter of batch) waiter.reading = reading;
    return reading;
  };
  const requestRead = (waiter: Waiter): void => {
    if (!waiters.has(key(waiter.checkId, waiter.vantage))) return;
    // Notified while a read runs or during the pause after one: one more read once both are over.
    if (waiter.reading || waiter.paused) waiter.again = true;
    else void read([waiter]);
  };

  // LISTEN needs a connection of its own; it is re-opened when the database drops it.
  let listener: pg.Client | null = null;
  let closed = false;
  const listen = async (): Promise<void> => {
    const client = new pg.Client(connectionOptions(deps.db.url, 'smtp-check answers'));
    client.on('notification', (message) => {
      const waiter = waiters.get(message.payload ?? '');
      if (waiter) requestRead(waiter);
    });
    client.on('error', (error) => {
      log.warn('answer channel lost; reconnecting', { error });
      listener = null;
      if (!closed) setTimeout(() => void listen().catch(() => undefined), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${ANSWER_CHANNEL}`);
    listener = client;
  };
  await listen();

  const sweep = setInterval(() => {
    const idle = [...waiters.values()].filter((waiter) => waiter.reading === null);
    if (idle.length > 0) void read(idle);
  }, 1_000);
  sweep.unref();

  return {
    wait: (checkId, vantage, request) =>
      new Promise<VantageOutcome>((resolve) => {
        waiters.set(key(checkId, vantage), {
          checkId,
          vantage,
          resolve,
          request,
          reading: null,
          again: false,
          paused: false,
        });
      }),
    waiting: (checkId, vantage) => waiters.has(key(checkId, vantage)),
    async lastLook(checkId, vantage, ms) {
      const waiter = waiters.get(key(checkId, vantage));
      if (waiter) await within(waiter.reading ?? read([waiter]), ms);
    },
    settle(checkId, vantage, outcome) {
      const waiter = waiters.get(key(checkId, vantage));
      if (waiter) settle(waiter, outcome);
    },
    async close() {
      closed = true;
      clearInterval(sweep);
      for (const waiter of [...waiters.values()]) {
        settle(waiter, {
          vantage: waiter.vantage,
          kind: 'no-answer',
          lastSeen: null,
          deadlineMs: 0,
          taken: false,
        });
      }
      await listener?.end().catch(() => undefined);
    },
  };
}
