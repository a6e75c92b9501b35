import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { limitsFor } from '../check/run-check.js';
import { policyRefusal } from '../diagnose/policy-refusal.js';
import type { Logger } from '../log.js';
import type { TargetPolicy } from '../policy/index.js';
import type { HostProbe, ProbeHost, ProbeLimits, Resolver } from '../probe/types.js';
import { createPool, type Pool } from '../store/pg/connection.js';
import { toJsonb } from '../store/pg/jsonb.js';
import { type ProbeJob, probeJobSchema, type VantageAnswer } from './facts-schema.js';
import { ANSWER_CHANNEL, HEARTBEAT_MS, JOB_CHANNEL, POLL_SECONDS, probeQueue } from './queue-names.js';

// A probe worker: one process in one network ("vantage"). It dials out to PostgreSQL, announces
// itself, takes its vantage's probe jobs from the queue, probes with the same engine as the bot
// under its own target policy, and stores what it found as facts. Nothing listens here.

export interface WorkerDeps {
  databaseUrl: string;
  vantage: string;
  /** This worker's own policy (its ALLOW_TARGETS): a job for a refused target comes back refused. */
  policy: TargetPolicy;
  limits: ProbeLimits;
  probeHost: ProbeHost;
  resolver?: Resolver;
  extraCa?: string[];
  /** Jobs probed at once. */
  concurrency: number;
  logger: Logger;
  version: string;
  now?: () => Date;
  heartbeatMs?: number;
  /** How often an idle slot looks for jobs without a wake-up (default POLL_SECONDS). */
  pollSeconds?: number;
}

export interface RunningWorker {
  readonly workerId: string;
  /** Finishes the running jobs (or hands them back after `timeoutMs`), then says goodbye. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

export class WorkerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

/** Probes one job, or says why not. Never throws: a failure is an answer too. */
async function probeJob(deps: WorkerDeps, job: ProbeJob): Promise<VantageAnswer> {
  try {
    const probe: HostProbe = await deps.probeHost(job.target, {
      ports: job.ports,
      limits: limitsFor(deps.limits, job.timeoutMs),
      mx: job.mx,
      implicitTlsPorts: job.implicitTlsPorts,
      checkAddress: (address, host) => deps.policy.checkAddress(host, address),
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
      ...(deps.extraCa ? { extraCa: deps.extraCa } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
    const refusal = policyRefusal(probe);
    if (refusal !== null) return { kind: 'refused', reason: refusal, version: deps.version };
    return { kind: 'answered', probe, version: deps.version };
  } catch (error) {
    deps.logger.error('probe failed', { error, target: job.target });
    return { kind: 'failed', error: (error as Error)?.message ?? String(error), version: deps.version };
  }
}

/**
 * Stores the answer and wakes the bot in one statement (a notification is sent when the
 * transaction commits). A job delivered twice answers once: the first answer stays.
 */
async function storeAnswer(
  pool: Pool,
  workerId: string,
  job: ProbeJob,
  answer: VantageAnswer,
): Promise<void> {
  await pool.query(
    `WITH stored AS (
       INSERT INTO vantage_results (check_id, vantage, worker_id, result) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT DO NOTHING RETURNING 1
     )
     SELECT pg_notify($5, $1 || ':' || $2) FROM stored`,
    [job.checkId, job.vantage, workerId, toJsonb(answer), ANSWER_CHANNEL],
  );
}

async function announce(pool: Pool, deps: WorkerDeps, workerId: string): Promise<void> {
  await pool.query(
    `INSERT INTO vantage_workers (worker_id, vantage, version, hostname, started_at, last_seen)
     VALUES ($1, $2, $3, $4, now(), now())`,
    [workerId, deps.vantage, deps.version.slice(0, 40), hostname().slice(0, 255)],
  );
}

/** What went wrong at start, said with the fix; the URL's password never appears. */
function startProblem(error: unknown, vantage: string): WorkerStartError {
  const code = (error as { code?: string }).code;
  const message = (error as Error)?.message ?? String(error);
  if (code === '42P01' || /pg-boss is not installed|requires migrations/.test(message)) {
    return new WorkerStartError(
      'the database has no probe queue yet: start the bot once with this DATABASE_URL (it prepares the queue), then the worker',
    );
  }
  if (code === '42501') {
    return new WorkerStartError(
      `the database role may not do what a worker needs (${message}): grant it with \`smtp-check worker-role ROLE\`, run with the bot's DATABASE_URL`,
    );
  }
  if (code === '23514')
    return new WorkerStartError(`"${vantage}" is not a vantage name the database accepts`);
  return new WorkerStartError(`cannot reach the database: ${message}`);
}

/**
 * Wakes the worker's idle slots when the bot sends this vantage a job (LISTEN needs no privilege),
 * so a job waits for a fetch, not for the next poll. A lost connection is opened again; until
 * then the slots poll.
 */
async function listenForJobs(deps: WorkerDeps, wake: () => void): Promise<{ close(): Promise<void> }> {
  let client: pg.Client | null = null;
  let closed = false;
  const open = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: deps.databaseUrl,
      application_name: `smtp-check worker ${deps.vantage}`,
    });
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
  const pool = createPool(deps.databaseUrl, {
    max: 2,
    onIdleError: (error) => log.warn('database connection lost', { error }),
  });
  const { default: Boss } = (await import('pg-boss')) as unknown as { default: typeof PgBoss };
  // No migrations, no maintenance, no cron: the bot owns the queue; a worker only takes jobs.
  const boss = new Boss({
    connectionString: deps.databaseUrl,
    migrate: false,
    supervise: false,
    schedule: false,
    max: Math.max(2, deps.concurrency + 1),
    application_name: `smtp-check worker ${deps.vantage}`,
  });
  boss.on('error', (error: Error) => log.warn('queue error', { error }));
  try {
    await announce(pool, deps, workerId);
    await boss.start();
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw startProblem(error, deps.vantage);
  }

  const beat = setInterval(() => {
    pool
      .query('UPDATE vantage_workers SET last_seen = now() WHERE worker_id = $1', [workerId])
      .catch((error: unknown) => log.warn('heartbeat failed', { error }));
  }, deps.heartbeatMs ?? HEARTBEAT_MS);
  beat.unref();

  const handle = async (jobs: Array<PgBoss.Job<unknown>>): Promise<void> => {
    for (const job of jobs) {
      const parsed = probeJobSchema.safeParse(job.data);
      if (!parsed.success || parsed.data.vantage !== deps.vantage) {
        log.warn('job dropped: not a probe job for this vantage', { job: job.id });
        continue;
      }
      const data = parsed.data;
      // A retried job after the bot stopped waiting: nobody reads the answer, so nothing is dialled.
      if (Date.now() > data.deadline) {
        log.info('job dropped: past its deadline', { job: job.id, target: data.target });
        continue;
      }
      log.info('probing', { job: job.id, target: data.target, ports: data.ports });
      const answer = await probeJob(deps, data);
      await storeAnswer(pool, workerId, data, answer);
    }
  };
  const queue = probeQueue(deps.vantage);
  const slots: string[] = [];
  for (let slot = 0; slot < Math.max(1, deps.concurrency); slot += 1) {
    slots.push(
      await boss.work(
        queue,
        { pollingIntervalSeconds: deps.pollSeconds ?? POLL_SECONDS, batchSize: 1 },
        handle,
      ),
    );
  }
  const wakeUps = await listenForJobs(deps, () => {
    for (const slot of slots) boss.notifyWorker(slot);
  });
  log.info('worker ready: waiting for probe jobs', { vantage: deps.vantage, worker: workerId });

  let stopping: Promise<void> | null = null;
  return {
    workerId,
    stop(options = {}) {
      stopping ??= (async () => {
        clearInterval(beat);
        await wakeUps.close();
        // Graceful: running jobs finish; after the timeout pg-boss fails them, and the bot's
        // supervisor hands them to another worker of the vantage.
        await boss.stop({ graceful: true, wait: true, timeout: options.timeoutMs ?? 30_000 });
        await pool
          .query('UPDATE vantage_workers SET stopped_at = now(), last_seen = now() WHERE worker_id = $1', [
            workerId,
          ])
          .catch((error: unknown) => log.warn('could not record the stop', { error }));
        await pool.end();
      })();
      return stopping;
    },
  };
}
