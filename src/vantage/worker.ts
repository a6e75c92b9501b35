import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { NO_METRICS } from '../metrics/index.js';
import { connectionOptions, createPool, type ConnectionLimits, type Pool } from '../database/connection.js';
import { toJsonb } from '../database/jsonb.js';
import { probeJobSchema, type VantageAnswer } from './facts-schema.js';
import { HEARTBEAT_MS, JOB_CHANNEL, MAX_ANSWER_BYTES, POLL_SECONDS } from './queue-names.js';
import { sleep } from '../util/time.js';
import { MAX_JOB_TIMEOUT_MS, jobLimits, probeJob } from './probe-job.js';
import type { WorkerDeps } from './worker-deps.js';

export { MAX_JOB_TIMEOUT_MS, jobLimits };

// A probe worker: one process in one network ("vantage"). It dials out to PostgreSQL, announces
// itself, takes its vantage's probe jobs, probes with the same engine as the bot under its own
// target and port policy, and stores what it found as facts. Nothing listens here.
//
// Its database role may only call the worker functions (see the migration "worker roles bound to
// one vantage"): the database decides which vantage it speaks for, stamps every time with its own
// clock, and refuses what is not this vantage's. This code is the untrusted side of that contract.

export type { WorkerDeps } from './worker-deps.js';

export interface RunningWorker {
  readonly workerId: string;
  /** The worker's own connections, for a readiness check's `SELECT 1`. */
  readonly db: { pool: Pool; url: string };
  /** When the database last took this worker's heartbeat (or its hello), and how often it beats. */
  readonly heartbeat: { lastAt(): number; intervalMs: number };
  /** Finishes the running jobs (or leaves them to expire after `timeoutMs`), then says goodbye. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

export class WorkerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

/** A worker's own connections: short limits, it only calls small functions. */
const WORKER_CONNECTION_LIMITS: ConnectionLimits = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
  queryTimeoutMs: 20_000,
};

/** How long a start waits between looks when the bot has not prepared the database yet. */
const PREPARE_RETRY_MS = 2_000;

interface TakenJob {
  job_id: string;
  data: unknown;
  remaining_ms: number;
}

/** The answer as stored: one that would be over the database's limit says so instead. */
function storable(answer: VantageAnswer, version: string): string {
  const json = toJsonb(answer);
  if (Buffer.byteLength(json) <= MAX_ANSWER_BYTES) return json;
  return toJsonb({
    kind: 'failed',
    error: `the facts found were over ${MAX_ANSWER_BYTES} bytes, the most an answer may be`,
    version,
  } satisfies VantageAnswer);
}

/** SQLSTATEs that mean the bot has not prepared the database yet: no function, no table, no schema. */
const NOT_PREPARED = new Set(['42883', '42P01', '3F000']);

function sqlState(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/** What went wrong at start, said with the fix; the URL's password never appears. */
function startProblem(error: unknown): WorkerStartError {
  const code = sqlState(error);
  const message = (error as Error)?.message ?? String(error);
  const hint = (error as { hint?: string })?.hint;
  if (code === '42501' && /permission denied for function/.test(message)) {
    return new WorkerStartError(
      `this role may not call the worker functions: bind it with \`smtp-check worker-role ROLE --vantage NAME --update\`, run with the bot's DATABASE_URL`,
    );
  }
  if (code === '42501' || code === '54000')
    return new WorkerStartError(hint ? `${message}: ${hint}` : message);
  return new WorkerStartError(`cannot reach the database: ${message}`);
}

/**
 * Announces the worker. A database the bot has not prepared yet (compose files and systemd start
 * everything at once) is waited for, said once; anything else ends the start.
 */
async function announce(pool: Pool, deps: WorkerDeps, workerId: string): Promise<void> {
  let said = false;
  for (;;) {
    try {
      await pool.query('SELECT smtp_check_worker_hello($1, $2, $3, $4)', [
        deps.vantage,
        workerId,
        deps.version.slice(0, 40),
        hostname().slice(0, 255),
      ]);
      return;
    } catch (error) {
      if (!NOT_PREPARED.has(sqlState(error) ?? '')) throw startProblem(error);
      if (deps.signal?.aborted) throw new WorkerStartError('stopped before the bot prepared the database');
      if (!said) {
        deps.logger.warn(
          'the database has no probe queue yet: waiting for the bot to prepare it (start the bot with this DATABASE_URL)',
        );
        said = true;
      }
      await sleep(PREPARE_RETRY_MS, deps.signal);
    }
  }
}

/**
 * Wakes the worker when the bot sends this vantage a job (LISTEN needs no privilege), so a job
 * waits for a fetch, not for the next poll. A lost connection is opened again; until then it polls.
 */
async function listenForJobs(deps: WorkerDeps, wake: () => void): Promise<{ close(): Promise<void> }> {
  let client: pg.Client | null = null;
  let closed = false;
  const open = async (): Promise<void> => {
    const next = new pg.Client(
      connectionOptions(deps.databaseUrl, `smtp-check worker ${deps.vantage}`, WORKER_CONNECTION_LIMITS),
    );
    next.on('notification', (message) => {
      if (message.payload === deps.vantage) wake();
    });
    next.on('error', (error) => {
      deps.logger.warn('job wake-ups lost; polling until they are back', { error });
      client = null;
      if (!closed) setTimeout(() => void open().catch(() => undefined), 1_000).unref();
    });
    await next.connect();
    await next.query(`LISTEN ${JOB_CHANNEL}`);
    client = next;
  };
  await open().catch((error: unknown) => {
    deps.logger.warn('job wake-ups unavailable; polling until they are back', { error });
    if (!closed) setTimeout(() => void open().catch(() => undefined), 1_000).unref();
  });
  return {
    close: async () => {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}

/** Connects, announces the worker and starts taking jobs. Rejects with WorkerStartError. */
export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const workerId = randomUUID();
  const log = deps.logger;
  const metrics = deps.metrics ?? NO_METRICS;
  const concurrency = Math.max(1, deps.concurrency);
  const pool = createPool(deps.databaseUrl, {
    max: 2,
    limits: WORKER_CONNECTION_LIMITS,
    applicationName: `smtp-check worker ${deps.vantage}`,
    onIdleError: (error) => log.warn('database connection lost', { error }),
  });
  try {
    await announce(pool, deps, workerId);
    metrics.workerHeartbeat(new Date());
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error instanceof WorkerStartError ? error : startProblem(error);
  }

  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  // Wall-clock time, not deps.now (the probe's clock, which tests may hold still for certificates).
  let lastBeatAt = Date.now();
  const beat = setInterval(() => {
    pool.query('SELECT smtp_check_worker_beat($1)', [workerId]).then(
      () => {
        lastBeatAt = Date.now();
      },
      (error: unknown) => log.warn('heartbeat failed', { error }),
    );
  }, heartbeatMs);
  beat.unref();

  const running = new Set<Promise<void>>();
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  const wake = (): void => {
    wakeUp?.();
  };
  let waitingForQueue = false;

  const handle = async (taken: TakenJob): Promise<void> => {
    const parsed = probeJobSchema.safeParse(taken.data);
    if (!parsed.success || parsed.data.vantage !== deps.vantage) {
      log.warn('job answered as failed: not a probe job for this vantage', { job: taken.job_id });
      await answer(taken.job_id, {
        kind: 'failed',
        error: 'the job was not a probe job this worker understands',
        version: deps.version,
      });
      return;
    }
    const job = parsed.data;
    log.info('probing', {
      job: taken.job_id,
      target: job.target,
      ports: job.ports,
      remainingMs: taken.remaining_ms,
    });
    await answer(taken.job_id, await probeJob(deps, job, taken.remaining_ms));
  };

  const answer = async (jobId: string, result: VantageAnswer): Promise<void> => {
    try {
      const { rows } = await pool.query<{ stored: boolean }>(
        'SELECT smtp_check_worker_answer($1, $2, $3::jsonb) AS stored',
        [jobId, workerId, storable(result, deps.version)],
      );
      metrics.workerJob(rows[0]?.stored ? result.kind : 'unstored');
      if (!rows[0]?.stored)
        log.info('answer not kept: the job was cancelled or answered already', { job: jobId });
    } catch (error) {
      metrics.workerJob('unstored');
      log.warn('could not store an answer', { error, job: jobId });
    }
  };

  const take = async (count: number): Promise<TakenJob[]> => {
    try {
      const { rows } = await pool.query<TakenJob>(
        'SELECT job_id, data, remaining_ms FROM smtp_check_worker_take($1, $2)',
        [workerId, count],
      );
      if (waitingForQueue) log.info('the probe queue is ready');
      waitingForQueue = false;
      return rows;
    } catch (error) {
      if (NOT_PREPARED.has(sqlState(error) ?? '')) {
        if (!waitingForQueue)
          log.warn(
            'the probe queue is not prepared yet: waiting for the bot (start it with this DATABASE_URL)',
          );
        waitingForQueue = true;
      } else log.warn('could not take jobs', { error });
      return [];
    }
  };

  const loop = (async () => {
    while (!stopping) {
      const free = concurrency - running.size;
      let got = 0;
      if (free > 0) {
        const jobs = await take(free);
        got = jobs.length;
        for (const job of jobs) {
          const done: Promise<void> = handle(job)
            .catch((error: unknown) => log.error('job failed', { error, job: job.job_id }))
            .finally(() => {
              running.delete(done);
              wake();
            });
          running.add(done);
        }
      }
      if (got > 0 && got === free) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, (deps.pollSeconds ?? POLL_SECONDS) * 1_000);
        function finish(): void {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        }
        wakeUp = finish;
      });
    }
  })();

  const wakeUps = await listenForJobs(deps, wake);
  log.info('worker ready: waiting for probe jobs', { vantage: deps.vantage, worker: workerId });

  let stopped: Promise<void> | null = null;
  return {
    workerId,
    db: { pool, url: deps.databaseUrl },
    heartbeat: { lastAt: () => lastBeatAt, intervalMs: heartbeatMs },
    stop(options = {}) {
      stopped ??= (async () => {
        stopping = true;
        wake();
        clearInterval(beat);
        await wakeUps.close();
        await loop;
        // Running probes finish; past the timeout they are left, and the bot's queue expires and
        // retries them.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...running]),
          new Promise((resolve) => {
            timer = setTimeout(resolve, options.timeoutMs ?? 30_000);
          }),
        ]);
        clearTimeout(timer);
        await pool
          .query('SELECT smtp_check_worker_bye($1)', [workerId])
          .catch((error: unknown) => log.warn('could not record the stop', { error }));
        await pool.end();
      })();
      return stopped;
    },
  };
}
