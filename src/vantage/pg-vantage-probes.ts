import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { implicitTlsPortsFor } from '../check/run-check.js';
import type { CheckRequest, RunCheck } from '../check/types.js';
import { diagnoseHost, matchProvider, planPorts, policyRefusal } from '../diagnose/index.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { FleetDatabase } from '../fleet-context/fleet-database.js';
import type { Logger } from '../log.js';
import type { HostProbe } from '../probe/types.js';
import { escapeControls } from '../render/sanitize.js';
import { vantageAnswerSchema } from './facts-schema.js';
import { ANSWER_CHANNEL, JOB_CHANNEL, LIVE_WITHIN_MS, probeQueue } from './queue-names.js';
import type { ProbeFromOptions, VantageInfo, VantageProbes } from './types.js';

// The bot's side of the queue: a check "from aws-eu,office" becomes one job per vantage with a
// live worker, answered through the vantage_results table. A notification wakes the waiting
// check at once; a sweep every second covers a notification lost with a dropped connection.

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

/** The live-worker counts and newest heartbeat of the named vantages (all of them when null). */
async function heartbeats(
  db: FleetDatabase,
  names: string[] | null,
): Promise<Map<string, { live: number; lastSeen: string; versions: string[] }>> {
  const { rows } = await db.pool.query<{
    vantage: string;
    live: number;
    last_seen: Date;
    versions: string[];
  }>(
    `SELECT vantage,
            count(*) FILTER (WHERE stopped_at IS NULL AND last_seen > now() - $2 * interval '1 millisecond')::int AS live,
            max(last_seen) AS last_seen,
            array_agg(DISTINCT version) FILTER (WHERE stopped_at IS NULL AND last_seen > now() - $2 * interval '1 millisecond') AS versions
       FROM vantage_workers
      WHERE $1::text[] IS NULL OR vantage = ANY($1)
      GROUP BY vantage
      ORDER BY vantage`,
    [names, LIVE_WITHIN_MS],
  );
  return new Map(
    rows.map((row) => [
      row.vantage,
      { live: row.live, lastSeen: row.last_seen.toISOString(), versions: row.versions ?? [] },
    ]),
  );
}

interface Waiter {
  checkId: string;
  vantage: string;
  request: CheckRequest;
  resolve: (outcome: VantageOutcome) => void;
}

/**
 * Starts the queue (installing pg-boss's schema on first use, under its own lock) and listens for
 * answers. The bot's pg-boss supervises: a job whose worker died is failed after its expiry and
 * retried, and a retry past the deadline is dropped by the worker unprobed.
 */
export async function openPgVantageProbes(deps: PgVantageProbesDeps): Promise<ClosableVantageProbes> {
  const log = deps.logger;
  const now = deps.now ?? (() => new Date());
  const { default: Boss } = (await import('pg-boss')) as unknown as { default: typeof PgBoss };
  const boss = new Boss({
    connectionString: deps.db.url,
    max: 4,
    schedule: false,
    // Expired jobs (a worker killed mid-probe) are failed, and retried, within a few seconds.
    maintenanceIntervalSeconds: 5,
    application_name: 'smtp-check queue',
  });
  boss.on('error', (error: Error) => log.warn('queue error', { error }));
  await boss.start();

  const waiters = new Map<string, Waiter>();
  const queues = new Set<string>();
  const key = (checkId: string, vantage: string) => `${checkId}:${vantage}`;

  const settle = (waiter: Waiter, outcome: VantageOutcome): void => {
    if (waiters.delete(key(waiter.checkId, waiter.vantage))) waiter.resolve(outcome);
  };

  /** Reads the answers of these waiters that have arrived, and settles them. */
  const collect = async (pending: Waiter[]): Promise<void> => {
    if (pending.length === 0) return;
    const { rows } = await deps.db.pool.query<{ check_id: string; vantage: string; result: unknown }>(
      `SELECT check_id, vantage, result FROM vantage_results
        WHERE (check_id, vantage) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [pending.map((waiter) => waiter.checkId), pending.map((waiter) => waiter.vantage)],
    );
    for (const row of rows) {
      const waiter = waiters.get(key(row.check_id, row.vantage));
      if (waiter) settle(waiter, outcomeOf(row.vantage, row.result, waiter.request));
    }
  };

  const outcomeOf = (vantage: string, result: unknown, request: CheckRequest): VantageOutcome => {
    const parsed = vantageAnswerSchema.safeParse(result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      log.warn('a vantage answered with facts that do not validate', {
        vantage,
        path: issue?.path.join('.'),
        problem: issue?.message,
      });
      return { vantage, kind: 'failed', error: 'its answer did not pass validation, so it was not used' };
    }
    const answer = parsed.data;
    if (answer.kind === 'refused') return { vantage, kind: 'refused', reason: escapeControls(answer.reason) };
    if (answer.kind === 'failed') return { vantage, kind: 'failed', error: escapeControls(answer.error) };
    // The bot knows what it asked for: the answer's own name for the target is not taken on trust.
    const target = request.target;
    const probe: HostProbe = { ...(answer.probe as HostProbe), target };
    const refusal = policyRefusal(probe);
    if (refusal !== null) return { vantage, kind: 'refused', reason: escapeControls(refusal) };
    const provider = matchProvider(target) ?? matchProvider(probe.host);
    return {
      vantage,
      kind: 'answered',
      diagnosis: diagnoseHost(probe, { now: now(), provider, egressCanary: null }),
    };
  };

  // LISTEN needs a connection of its own; it is re-opened when the database drops it.
  let listener: pg.Client | null = null;
  let closed = false;
  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: deps.db.url, application_name: 'smtp-check answers' });
    client.on('notification', (message) => {
      const [checkId = '', vantage = ''] = (message.payload ?? '').split(':');
      const waiter = waiters.get(key(checkId, vantage));
      if (waiter)
        void collect([waiter]).catch((error: unknown) => log.warn('reading an answer failed', { error }));
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
    if (waiters.size === 0) return;
    void collect([...waiters.values()]).catch((error: unknown) => log.warn('answer sweep failed', { error }));
  }, 1_000);
  sweep.unref();

  let lastPrune = 0;
  const prune = (): void => {
    const at = Date.now();
    if (at - lastPrune < 600_000) return;
    lastPrune = at;
    void deps.db.pool
      .query("DELETE FROM vantage_results WHERE received_at < now() - $1 * interval '1 millisecond'", [
        deps.answerRetentionMs ?? 3_600_000,
      ])
      .then(() =>
        deps.db.pool.query("DELETE FROM vantage_workers WHERE last_seen < now() - interval '30 days'"),
      )
      .catch((error: unknown) => log.warn('pruning old answers failed', { error }));
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

  /** Sends one vantage's job and waits for its answer until the deadline. */
  const ask = async (
    vantage: string,
    checkId: string,
    request: CheckRequest,
    deadlineMs: number,
    lastSeen: string | null,
  ): Promise<VantageOutcome> => {
    const plan = planPorts(request.target, request.ports, deps.defaultPorts);
    const queue = probeQueue(vantage);
    await ensureQueue(queue);
    const deadline = Date.now() + deadlineMs;
    const answer = new Promise<VantageOutcome>((resolve) => {
      waiters.set(key(checkId, vantage), { checkId, vantage, resolve, request });
    });
    const jobId = await boss.send(
      queue,
      {
        checkId,
        vantage,
        target: request.target,
        ports: plan.ports,
        implicitTlsPorts: implicitTlsPortsFor(request, plan.implicitTlsPorts),
        mx: request.mx,
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
        deadline,
      },
      {
        retryLimit: 1,
        expireInSeconds: Math.max(1, Math.ceil(deadlineMs / 1_000)),
        retentionSeconds: Math.ceil(deadlineMs / 1_000) + 60,
      },
    );
    // The vantage's idle workers take it at once instead of at their next poll.
    await deps.db.pool
      .query('SELECT pg_notify($1, $2)', [JOB_CHANNEL, vantage])
      .catch((error: unknown) => log.warn('could not wake the workers; they poll', { error, vantage }));
    const timer = setTimeout(
      () => {
        const waiter = waiters.get(key(checkId, vantage));
        if (!waiter) return;
        void (async () => {
          // One last look: the answer may have landed as the time ran out.
          await collect([waiter]).catch(() => undefined);
          if (!waiters.has(key(checkId, vantage))) return;
          const job = jobId ? await boss.getJobById(queue, jobId).catch(() => null) : null;
          if (jobId) await boss.cancel(queue, jobId).catch(() => undefined);
          const taken = job !== null && job.state !== 'created' && job.state !== 'retry';
          settle(waiter, { vantage, kind: 'no-answer', lastSeen, deadlineMs, taken });
        })();
      },
      Math.max(0, deadline - Date.now()),
    );
    const outcome = await answer;
    clearTimeout(timer);
    return outcome;
  };

  const probes: ClosableVantageProbes = {
    local: deps.local,

    async list(): Promise<VantageInfo[]> {
      const seen = await heartbeats(deps.db, null);
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
      const seen = remote.length > 0 ? await heartbeats(deps.db, remote) : new Map();
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
        const beat = seen.get(vantage);
        if (!beat || beat.live === 0)
          return report({ vantage, kind: 'no-worker', lastSeen: beat?.lastSeen ?? null });
        try {
          return report(await ask(vantage, checkId, request, deadlineMs, beat.lastSeen));
        } catch (error) {
          log.error('could not ask a vantage', { error, vantage });
          return report({ vantage, kind: 'failed', error: 'the bot could not queue the job (see its log)' });
        }
      });
      return Promise.all(runs);
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
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    },
  };
  return probes;
}
