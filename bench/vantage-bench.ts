import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckPriority, CheckRequest } from '../src/check/types.js';
import { silentLogger } from '../src/log.js';
import { createPool, migrate, type Pool } from '../src/store/pg/index.js';
import { openPgVantageProbes } from '../src/vantage/pg-vantage-probes.js';
import { POLL_SECONDS, probeQueue } from '../src/vantage/queue-names.js';
import { grantWorkerRole } from '../src/vantage/worker-role.js';
import { createTestCa } from '../test/helpers/certs.js';
import { asSuperuser, createTestDatabase, requirePostgres } from '../test/helpers/postgres.js';
import { benchConfig, benchRunCheck } from './bench-check.js';
import { type FastServer, startFastSmtpServer } from './fast-smtp-server.js';
import { type BenchWorker, startBenchWorker, workerCommand } from './vantage-worker-process.js';

// Vantages through the real queue: the bot's side (openPgVantageProbes, as src/main.ts opens it)
// in this process, real `smtp-check worker --vantage v` processes, one fresh PostgreSQL database.
// Every host is a scripted MTA that greets at once (STARTTLS, a certificate from the run's CA) on
// its own loopback address 127.1.x.y, one port each, so the probe itself takes a few milliseconds
// and the figures are the queue's: job sent, taken by a worker (woken, or polling), answer stored and notified, read
// back by the bot. The workers connect as a worker role bound to the vantage (over TCP to
// 127.0.0.1, with a password); their ALLOW_TARGETS is 127.0.0.0/8. Loopback only.
//
// 1. Overhead per check: probeFrom(['v']) timed from call to outcome, minus the probe's own
//    durationMs in the worker's answer; one by one (each asked at a random moment within a poll
//    interval, as a person's check arrives) and several at once. pg-boss's job rows give how long
//    each job waited to be polled.
// 2. A tick of 1 000 watched hosts over 1, 2 and 4 workers of the vantage: 1 000 probeFrom calls,
//    a bounded number in flight, then every answer counted in vantage_results, every probe in the
//    workers' logs and every job in pg-boss's table.

const VANTAGE = 'v';

export interface OverheadFigures {
  checks: number;
  inFlight: number;
  /** probeFrom call to outcome. */
  totalMs: number[];
  /** The probe's own durationMs, as the worker reported it. */
  probeMs: number[];
  /** totalMs − probeMs, per check. */
  overheadMs: number[];
  /** pg-boss job created → started (waiting for a worker's poll), per job. */
  queueWaitMs: number[];
  /** Checks that came back without an answer. */
  unanswered: number;
}

export interface VantageTickRun {
  workers: number;
  wallMs: number;
  checksPerSecond: number;
  /** probeFrom outcomes that were answers for the host asked. */
  answered: number;
  /** Rows in vantage_results after the tick, and how many distinct checks they answer. */
  rows: number;
  distinctChecks: number;
  /** Rows per worker (each worker's share of the tick). */
  byWorker: number[];
  /** "probing" lines in the workers' logs during the tick, and distinct job ids among them. */
  probes: number;
  distinctProbedJobs: number;
  /** pg-boss jobs of the tick by state, and retries among them. */
  jobStates: Record<string, number>;
  retries: number;
  queueWaitMs: number[];
}

export interface VantageBenchResult {
  pollSeconds: number;
  workerConcurrency: number;
  workerCommand: string;
  sequential: OverheadFigures;
  concurrent: OverheadFigures;
  /** The same check (probe and diagnosis) run in this process, for comparison. */
  inProcessMs: number[];
  hosts: number;
  tickInFlight: number;
  ticks: VantageTickRun[];
}

export interface VantageBenchOptions {
  checks?: number;
  hosts?: number;
  /** Worker counts for the tick. */
  workers?: number[];
  /** Jobs each worker probes at once (`--concurrency`; the CLI's default unless given). */
  workerConcurrency?: number;
  /** Checks in flight at the bot during the tick (CHECK_CONCURRENCY's default unless given). */
  tickInFlight?: number;
  /** Checks in flight for the concurrent overhead figure. */
  concurrentInFlight?: number;
}

/** 127.1.0.1 … 127.1.3.250 for the first 1 000 hosts: all loopback, all distinct. */
const hostAddress = (i: number): string => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

/** A port free on the first host's address (the same number is then used on every address). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs work(0 … count−1) with at most `limit` calls in flight; results in index order. */
async function eachLimited<T>(count: number, limit: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long each job of the vantage's queue created since `since` waited to be polled, ms. */
async function queueWaits(pool: Pool, since: Date): Promise<number[]> {
  const { rows } = await pool.query<{ ms: number }>(
    `SELECT (extract(epoch FROM started_on - created_on) * 1000)::float8 AS ms
       FROM pgboss.job WHERE name = $1 AND created_on >= $2 AND started_on IS NOT NULL`,
    [probeQueue(VANTAGE), since],
  );
  return rows.map((row) => row.ms);
}

async function activeJobs(pool: Pool, since: Date): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND created_on >= $2 AND state = 'active'",
    [probeQueue(VANTAGE), since],
  );
  return rows[0]?.n ?? 0;
}

export async function vantageBench(options: VantageBenchOptions = {}): Promise<VantageBenchResult> {
  const unavailable = await requirePostgres();
  if (unavailable !== null) throw new Error(`the vantage bench needs PostgreSQL: ${unavailable}`);
  const config = benchConfig();
  const checks = options.checks ?? 200;
  const hosts = options.hosts ?? 1_000;
  const workerCounts = options.workers ?? [1, 2, 4];
  const workerConcurrency = options.workerConcurrency ?? 4;
  const tickInFlight = options.tickInFlight ?? config.watch.concurrency;
  const concurrentInFlight = options.concurrentInFlight ?? workerConcurrency;

  const ca = createTestCa();
  const addresses = Array.from({ length: hosts }, (_, i) => hostAddress(i));
  const certificate = ca.issue({ commonName: 'mx.vantage.bench.test', ips: addresses });
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-vantage-bench-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  const port = await freePort(addresses[0]!);
  const servers: FastServer[] = [];
  const workers: BenchWorker[] = [];
  const db = await createTestDatabase('smtp_check_vantage_bench');
  const role = `smtp_check_bench_${randomBytes(4).toString('hex')}`;
  const rolePassword = randomBytes(12).toString('hex');
  const pool = createPool(db.url, { max: 10 });
  let probes: Awaited<ReturnType<typeof openPgVantageProbes>> | null = null;
  try {
    for (let i = 0; i < hosts; i += 100) {
      servers.push(
        ...(await Promise.all(
          addresses
            .slice(i, i + 100)
            .map((host) => startFastSmtpServer({ host, port, implicitTls: false, certificate })),
        )),
      );
    }
    await migrate(pool, db.name);
    // The bot's side, as src/main.ts opens it: this installs pg-boss's schema before any worker starts.
    probes = await openPgVantageProbes({
      db: { pool, url: db.url },
      local: 'bot',
      runCheck: () => Promise.reject(new Error('the bench asks only the remote vantage')),
      defaultPorts: config.probePorts,
      deadlineMs: config.vantage.deadlineMs,
      logger: silentLogger,
    });
    const opened = probes;
    // The workers log in as a worker role bound to the vantage, as in production, with a password
    // over TCP to 127.0.0.1 (peer login over the socket would be this process's own superuser).
    await grantWorkerRole(pool, { role, vantage: VANTAGE, connectionLimit: 40 });
    await pool.query(`ALTER ROLE ${role} PASSWORD '${rolePassword}'`);
    const workerUrl = `postgres://${role}:${rolePassword}@127.0.0.1:5432/${db.name}`;
    const addWorker = async () => {
      workers.push(
        await startBenchWorker({
          databaseUrl: workerUrl,
          vantage: VANTAGE,
          concurrency: workerConcurrency,
          allowTargets: '127.0.0.0/8',
          allowedPorts: String(port),
          caFile,
        }),
      );
    };
    await addWorker();

    const request = (i: number): CheckRequest => ({
      target: addresses[i % hosts]!,
      ports: [port],
      mx: 'auto',
    });
    /** One check from the vantage: [whole ms, probe ms], or null when it was not answered. */
    const ask = async (i: number, priority: CheckPriority): Promise<[number, number] | null> => {
      const started = performance.now();
      const [outcome] = await opened.probeFrom([VANTAGE], request(i), { priority });
      const ms = performance.now() - started;
      if (outcome?.kind !== 'answered' || outcome.diagnosis.target !== request(i).target) return null;
      return [ms, outcome.diagnosis.durationMs];
    };
    const overhead = async (inFlight: number, pauseMs: number): Promise<OverheadFigures> => {
      const since = new Date();
      const samples = await eachLimited(checks, inFlight, async (i) => {
        if (pauseMs > 0) await sleep(Math.random() * pauseMs);
        return ask(i, 'interactive');
      });
      const answered = samples.filter((sample) => sample !== null);
      return {
        checks,
        inFlight,
        totalMs: answered.map(([total]) => total),
        probeMs: answered.map(([, probe]) => probe),
        overheadMs: answered.map(([total, probe]) => total - probe),
        queueWaitMs: await queueWaits(pool, since),
        unanswered: checks - answered.length,
      };
    };

    // Warm-up (the queue is created on the first check; first connections, JIT): not counted.
    await eachLimited(10, 1, (i) => ask(i, 'interactive'));
    const sequential = await overhead(1, POLL_SECONDS * 1_000);
    const concurrent = await overhead(concurrentInFlight, 0);

    const local = benchRunCheck(config, { extraCa: [ca.cert], verify: false });
    const inProcessMs: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      const started = performance.now();
      await local(request(i), { priority: 'interactive' });
      if (i >= 5) inProcessMs.push(performance.now() - started);
    }

    const ticks: VantageTickRun[] = [];
    for (const count of workerCounts) {
      while (workers.length < count) await addWorker();
      await pool.query('DELETE FROM vantage_results');
      const probedBefore = workers.map((worker) => worker.probedJobs.length);
      const since = new Date();
      const started = performance.now();
      const outcomes = await eachLimited(hosts, tickInFlight, (i) => ask(i, 'scheduled'));
      const wallMs = performance.now() - started;
      // A worker stores its answer just before pg-boss marks the job done: let the last ones finish.
      for (let wait = 0; wait < 50 && (await activeJobs(pool, since)) > 0; wait += 1) await sleep(100);
      const { rows: counted } = await pool.query<{ rows: number; checks: number; byworker: number[] }>(
        `SELECT count(*)::int AS rows, count(DISTINCT check_id)::int AS checks,
                (SELECT array_agg(n ORDER BY n DESC) FROM
                   (SELECT count(*)::int AS n FROM vantage_results GROUP BY worker_id) AS per) AS byworker
           FROM vantage_results`,
      );
      const { rows: states } = await pool.query<{ state: string; jobs: number; retries: number }>(
        `SELECT state::text, count(*)::int AS jobs, sum(retry_count)::int AS retries
           FROM pgboss.job WHERE name = $1 AND created_on >= $2 GROUP BY state`,
        [probeQueue(VANTAGE), since],
      );
      const probed = workers.flatMap((worker, w) => worker.probedJobs.slice(probedBefore[w] ?? 0));
      ticks.push({
        workers: count,
        wallMs,
        checksPerSecond: hosts / (wallMs / 1_000),
        answered: outcomes.filter((outcome) => outcome !== null).length,
        rows: counted[0]?.rows ?? 0,
        distinctChecks: counted[0]?.checks ?? 0,
        byWorker: counted[0]?.byworker ?? [],
        probes: probed.length,
        distinctProbedJobs: new Set(probed).size,
        jobStates: Object.fromEntries(states.map((row) => [row.state, row.jobs])),
        retries: states.reduce((sum, row) => sum + row.retries, 0),
        queueWaitMs: await queueWaits(pool, since),
      });
    }
    return {
      pollSeconds: POLL_SECONDS,
      workerConcurrency,
      workerCommand: workerCommand()[0]?.endsWith('.js')
        ? 'bin/smtp-check.js (built)'
        : 'src/cli/main.ts (tsx)',
      sequential,
      concurrent,
      inProcessMs,
      hosts,
      tickInFlight,
      ticks,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await probes?.close();
    await pool.end();
    await db.drop();
    await dropRole(role);
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Roles outlive the bench's database: the worker role goes with it. */
async function dropRole(role: string): Promise<void> {
  await asSuperuser('postgres', (client) => client.query(`DROP ROLE IF EXISTS ${role}`)).catch(
    () => undefined,
  );
}

// `node --import tsx bench/vantage-bench.ts [checks] [hosts]`: this part alone, as one JSON line.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [checks, hosts] = process.argv.slice(2).map(Number);
  const result = await vantageBench({
    ...(checks ? { checks } : {}),
    ...(hosts ? { hosts } : {}),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
