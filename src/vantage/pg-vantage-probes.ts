import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { implicitTlsPortsFor } from '../check/run-check.js';
import type { CheckRequest, RunCheck } from '../check/types.js';
import { planPorts, policyRefusal } from '../diagnose/index.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { FleetDatabase } from '../database/fleet-database.js';
import type { Logger } from '../log.js';
import { type ConnectionLimits, connectionOptions } from '../database/connection.js';
import type { ProbeJob } from './facts-schema.js';
import { within } from '../util/within.js';
import { openAnswerWaiters } from './answer-waiters.js';
import { JOB_CHANNEL, probeQueue } from './queue-names.js';
import type { ProbeFromOptions, VantageInfo, VantageProbes } from './types.js';
import { readHeartbeats, type VantageHeartbeat } from './worker-directory.js';

// The bot's side of the queue: a check "from aws-eu,office" becomes one job per vantage with a
// live worker, answered through the vantage_results table (see answer-waiters.ts).
//
// Nothing a worker or the database does can hold a check past its deadline: the deadline timer is
// set before the first statement, a waiting check is settled when it fires, and the job is
// cancelled afterwards in the background (a worker may hold its row locked).

export interface PgVantageProbesDeps {
  db: FleetDatabase;
  /** This process's own vantage (VANTAGE_NAME): its checks run here, through runCheck. */
  local: string;
  runCheck: RunCheck;
  /** Ports probed when a request names none (PROBE_PORTS): every vantage probes the same plan. */
  defaultPorts: number[];
  deadlineMs: number;
  logger: Logger;
  now?: () => Date;
  /** How long an answer is kept after it arrived (answers are read once, within the deadline). */
  answerRetentionMs?: number;
}

export interface ClosableVantageProbes extends VantageProbes {
  close(): Promise<void>;
}

/**
 * pg-boss's connections: its maintenance and cancels may meet a row a worker keeps locked, and
 * then give up after a while instead of waiting for ever.
 */
const QUEUE_CONNECTION_LIMITS: ConnectionLimits = {
  lockTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  queryTimeoutMs: 35_000,
};

/** At the deadline, how long the last look for an answer (and whether the job was taken) may take. */
const LAST_LOOK_MS = 500;
/** How long reading the heartbeats may take before the remote vantages are reported as failed. */
const DIRECTORY_TIMEOUT_MS = 5_000;
/**
 * Starts the queue (installing pg-boss's schema on first use, under its own lock) and listens for
 * answers. The bot's pg-boss supervises: a job whose worker died is failed after its expiry and
 * retried, and the database drops a job past its deadline instead of handing it out.
 */
export async function openPgVantageProbes(deps: PgVantageProbesDeps): Promise<ClosableVantageProbes> {
  const log = deps.logger;
  const now = deps.now ?? (() => new Date());
  const { default: Boss } = (await import('pg-boss')) as unknown as { default: typeof PgBoss };
  const boss = new Boss({
    ...(connectionOptions(deps.db.url, 'smtp-check queue', QUEUE_CONNECTION_LIMITS) as {
      connectionString: string;
    }),
    max: 4,
    schedule: false,
    // Expired jobs (a worker killed mid-probe) are failed, and retried, within a few seconds.
    maintenanceIntervalSeconds: 5,
  });
  boss.on('error', (error: Error) => log.warn('queue error', { error }));
  await boss.start();

  const answers = await openAnswerWaiters({ db: deps.db, logger: log, now });
  const queues = new Set<string>();
  const background = new Set<Promise<unknown>>();
  const inBackground = (work: Promise<unknown>): void => {
    const tracked = work.catch(() => undefined).finally(() => background.delete(tracked));
    background.add(tracked);
  };

  let lastPrune = 0;
  const prune = (): void => {
    const at = Date.now();
    if (at - lastPrune < 600_000) return;
    lastPrune = at;
    inBackground(
      deps.db.pool
        .query("DELETE FROM vantage_results WHERE received_at < now() - $1 * interval '1 millisecond'", [
          deps.answerRetentionMs ?? 3_600_000,
        ])
        .then(() =>
          deps.db.pool.query("DELETE FROM vantage_workers WHERE last_seen < now() - interval '30 days'"),
        )
        .catch((error: unknown) => log.warn('pruning old answers failed', { error })),
    );
  };

  // Creating a queue attaches a partition to pg-boss's job table, which locks it: two creations at
  // once can deadlock. They are made one at a time here, and retried when another replica's
  // creation deadlocked with ours.
  let creating: Promise<void> = Promise.resolve();
  const ensureQueue = (name: string): Promise<void> => {
    if (queues.has(name)) return Promise.resolve();
    const created = creating.then(async () => {
      for (let attempt = 1; !queues.has(name); attempt += 1) {
        try {
          if ((await boss.getQueue(name)) === null) await boss.createQueue(name);
          queues.add(name);
        } catch (error) {
          if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
        }
      }
    });
    creating = created.catch(() => undefined);
    return created;
  };

  /** Cancels a job nobody waits for; a worker may hold its row, so this never delays a check. */
  const cancelLater = (queue: string, jobId: string): void => {
    inBackground(
      boss
        .cancel(queue, jobId)
        .catch((error: unknown) =>
          log.warn('could not cancel a job past its deadline', { error, job: jobId }),
        ),
    );
  };

  /** Sends one vantage's job and waits for its answer until the deadline, and not a moment longer. */
  const ask = (
    vantage: string,
    checkId: string,
    request: CheckRequest,
    deadlineMs: number,
    lastSeen: string | null,
  ): Promise<VantageOutcome> => {
    const plan = planPorts(request.target, request.ports, deps.defaultPorts);
    const queue = probeQueue(vantage);
    let jobId: string | null = null;
    const answer = answers.wait(checkId, vantage, request);

    const atDeadline = async (): Promise<void> => {
      if (!answers.waiting(checkId, vantage)) return;
      // One last look, bounded: the answer may have landed as the time ran out.
      await answers.lastLook(checkId, vantage, LAST_LOOK_MS);
      if (!answers.waiting(checkId, vantage)) return;
      const job =
        jobId === null
          ? null
          : await within(
              boss.getJobById(queue, jobId).catch(() => null),
              LAST_LOOK_MS,
            );
      const taken = job != null && job.state !== 'created' && job.state !== 'retry';
      answers.settle(checkId, vantage, { vantage, kind: 'no-answer', lastSeen, deadlineMs, taken });
      if (jobId !== null) cancelLater(queue, jobId);
    };
    const timer = setTimeout(() => void atDeadline(), deadlineMs);

    // Queueing runs beside the timer: a stalled database cannot hold the check past its deadline.
    const job: ProbeJob = {
      checkId,
      vantage,
      target: request.target,
      ports: plan.ports,
      implicitTlsPorts: implicitTlsPortsFor(request, plan.implicitTlsPorts),
      mx: request.mx,
      ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
      budgetMs: deadlineMs,
    };
    void (async () => {
      await ensureQueue(queue);
      jobId = await boss.send(queue, job, {
        retryLimit: 1,
        expireInSeconds: Math.max(1, Math.ceil(deadlineMs / 1_000)),
        retentionSeconds: Math.ceil(deadlineMs / 1_000) + 60,
      });
      if (!answers.waiting(checkId, vantage)) {
        // The deadline passed while the job was being queued.
        if (jobId !== null) cancelLater(queue, jobId);
        return;
      }
      // The vantage's idle workers take it at once instead of at their next poll.
      await deps.db.pool
        .query('SELECT pg_notify($1, $2)', [JOB_CHANNEL, vantage])
        .catch((error: unknown) => log.warn('could not wake the workers; they poll', { error, vantage }));
    })().catch((error: unknown) => {
      log.error('could not ask a vantage', { error, vantage });
      answers.settle(checkId, vantage, {
        vantage,
        kind: 'failed',
        error: 'the bot could not queue the job (see its log)',
      });
    });

    return answer.finally(() => clearTimeout(timer));
  };

  const probes: ClosableVantageProbes = {
    local: deps.local,

    async list(): Promise<VantageInfo[]> {
      const seen = await readHeartbeats(deps.db.pool, null);
      const others: VantageInfo[] = [...seen]
        .filter(([name]) => name !== deps.local)
        .map(([name, beat]) => ({
          name,
          local: false,
          liveWorkers: beat.live,
          versions: beat.versions,
          lastSeen: beat.lastSeen,
          live: beat.live > 0,
        }));
      return [
        { name: deps.local, local: true, liveWorkers: 0, versions: [], lastSeen: null, live: true },
        ...others,
      ];
    },

    async probeFrom(names: string[], request: CheckRequest, options: ProbeFromOptions) {
      prune();
      const deadlineMs = options.deadlineMs ?? deps.deadlineMs;
      const remote = names.filter((name) => name !== deps.local);
      let seen: Map<string, VantageHeartbeat> | null = new Map();
      if (remote.length > 0) {
        seen = await within(
          readHeartbeats(deps.db.pool, remote).catch((error: unknown) => {
            log.error('could not read the workers’ heartbeats', { error });
            return null;
          }),
          DIRECTORY_TIMEOUT_MS,
        ).then((found) => found ?? null);
      }
      const checkId = randomUUID();
      const report = (outcome: VantageOutcome): VantageOutcome => {
        options.onOutcome?.(outcome);
        return outcome;
      };
      const runs = names.map(async (vantage): Promise<VantageOutcome> => {
        if (vantage === deps.local) {
          const diagnosis = await deps.runCheck(request, {
            priority: options.priority,
            ...(options.onLocalPort ? { onPort: options.onLocalPort } : {}),
          });
          const refusal = policyRefusal(diagnosis);
          return report(
            refusal !== null
              ? { vantage, kind: 'refused', reason: refusal }
              : { vantage, kind: 'answered', diagnosis },
          );
        }
        if (seen === null) {
          return report({
            vantage,
            kind: 'failed',
            error: 'the bot could not read the workers’ heartbeats (see its log)',
          });
        }
        const beat = seen.get(vantage);
        if (!beat || beat.live === 0)
          return report({ vantage, kind: 'no-worker', lastSeen: beat?.lastSeen ?? null });
        return report(await ask(vantage, checkId, request, deadlineMs, beat.lastSeen));
      });
      return Promise.all(runs);
    },

    async close() {
      await answers.close();
      await within(Promise.allSettled([...background]), 2_000);
      // A cancel stuck on a row a worker keeps locked ends with the queue's lock timeout; closing
      // does not wait for it.
      await within(
        boss.stop({ graceful: false, wait: true }).catch(() => undefined),
        3_000,
      );
    },
  };
  return probes;
}
