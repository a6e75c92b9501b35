import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { limitConcurrency } from '../src/check/index.js';
import type { RunCheck } from '../src/check/types.js';
import { createPgFleetCoordinator } from '../src/fleet/pg-fleet-coordinator.js';
import { silentLogger } from '../src/log.js';
import type { Resolver } from '../src/probe/index.js';
import {
  createPgWatchStore,
  createPool,
  migrate,
  type Pool,
  saveAlertStatesIn,
} from '../src/store/pg/index.js';
import { recheckWatches } from '../src/watch/index.js';
import { createTestCa } from '../test/helpers/certs.js';
import { createTestDatabase, requirePostgres } from '../test/helpers/postgres.js';
import { startSmtpServer } from '../test/helpers/smtp-test-server.js';
import { benchConfig, benchRunCheck } from './bench-check.js';
import { droppedNotifier } from './dropped-notifier.js';

// One scheduled tick of a fleet on PostgreSQL: N watched hosts × 4 ports, every host a name that
// resolves (in memory) to 127.0.0.1, where four smtp-server instances answer with STARTTLS. Each
// replica is a process of its own (bench/fleet-tick-replica.ts: the store, the coordinator and the
// check as main.ts builds them), started and connected before the clock starts; the tick is timed
// with one replica, then with two running the same slot at once on the same database. Every port
// probed is counted by host, so a host re-tested twice in a tick shows up as a duplicate; every
// statement sent to the database is counted on the replicas' connections. Loopback only; a
// database of its own, dropped at the end.

export interface FleetTickRun {
  replicas: number;
  /** From the slot handed to the replicas to the last one's end of tick. */
  tickMs: number;
  /** Ports probed in the tick (should be hosts × ports). */
  probes: number;
  /** host:port pairs probed more than once in the tick. */
  duplicates: number;
  /** Hosts each replica re-tested. */
  retestedBy: number[];
  /** Statements sent to PostgreSQL during the tick, by every replica (store and coordinator). */
  roundTrips: number;
  roundTripsPerHost: number;
  /** Of those, the coordinator's own: registering, claiming, renewing, marking hosts done. */
  fleetRoundTrips: number;
  checkFailures: number;
  fleetFailures: number;
}

export interface FleetTickBenchResult {
  hosts: number;
  ports: number;
  concurrency: number;
  jitterMs: number;
  /** The first tick writes every port's baseline; it is not one of the measured runs. */
  baselineTickMs: number;
  runs: FleetTickRun[];
}

export interface FleetTickBenchOptions {
  hosts?: number;
  /** Hosts re-tested at once per replica; the shipped default unless given. */
  concurrency?: number;
  jitterMs?: number;
}

/** What a replica process is told (a JSON file) and what it answers per tick (a JSON line). */
export interface ReplicaSettings {
  url: string;
  name: string;
  ports: number[];
  caCert: string;
  concurrency: number;
  jitterMs: number;
}

export interface ReplicaTick {
  retested: number;
  probed: Record<string, number>;
  statements: number;
  fleetStatements: number;
  checkFailures: number;
  fleetFailures: number;
}

const PORT_COUNT = 4;
export const fleetHost = (i: number): string => `h${i}.fleet-tick.bench.test`;

/** A pool whose every statement (pool.query and transactions alike) is counted. */
function countingPool(url: string, counter: { statements: number }): Pool {
  const pool = createPool(url, { max: 10 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.statements += 1;
      return query(...args);
    };
  });
  return pool;
}

/** One replica as main.ts builds it, with counters; `tick(slot)` runs one scheduled tick. */
export function benchReplica(settings: ReplicaSettings) {
  const config = benchConfig();
  const counter = { statements: 0 };
  const fleetCounter = { statements: 0 };
  const pool = countingPool(settings.url, counter);
  const store = createPgWatchStore({ pool, url: settings.url });
  const fleet = createPgFleetCoordinator({
    pool: {
      query: (text, values) => {
        fleetCounter.statements += 1;
        return pool.query(text, values);
      },
    },
    url: settings.url,
    leaseMs: config.watch.leaseSeconds * 1_000,
    batchSize: settings.concurrency,
    logger: silentLogger,
    replica: settings.name,
    store: { transaction: (doing, work) => store.transaction(doing, work), saveAlertStatesIn },
  });
  const noRecord = (host: string) => Object.assign(new Error(`no record for ${host}`), { code: 'ENODATA' });
  const resolver: Resolver = {
    resolve4: async () => ['127.0.0.1'],
    resolve6: async (host) => {
      throw noRecord(host);
    },
    resolveMx: async (host) => {
      throw noRecord(host);
    },
  };
  const limited = limitConcurrency(benchRunCheck(config, { extraCa: [settings.caCert], resolver }), {
    maxConcurrentChecks: config.rate.maxConcurrentChecks,
    maxPerTarget: 1,
  });
  let probed: Record<string, number> = {};
  const runCheck: RunCheck = async (request, hooks) => {
    const diagnosis = await limited.runScheduledCheck(request, hooks);
    for (const port of diagnosis.ports) {
      const key = `${request.target}:${port.port}`;
      probed[key] = (probed[key] ?? 0) + 1;
    }
    return diagnosis;
  };
  return {
    store,
    async tick(slot: Date): Promise<ReplicaTick> {
      probed = {};
      const [before, fleetBefore] = [counter.statements, fleetCounter.statements];
      const summary = await recheckWatches({
        store,
        fleet,
        slot,
        runCheck,
        notify: droppedNotifier,
        now: () => new Date(),
        logger: silentLogger,
        concurrency: settings.concurrency,
        jitterMs: settings.jitterMs,
      });
      return {
        retested: summary.retested,
        probed,
        statements: counter.statements - before,
        fleetStatements: fleetCounter.statements - fleetBefore,
        checkFailures: summary.checkFailures,
        fleetFailures: summary.fleetFailures,
      };
    },
    close: () => store.close(),
  };
}

interface ReplicaProcess {
  tick(slot: Date): Promise<ReplicaTick>;
  stop(): Promise<void>;
}

function startReplicaProcess(settingsFile: string): Promise<ReplicaProcess> {
  const script = fileURLToPath(new URL('fleet-tick-replica.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, settingsFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const pending: Array<(line: string) => void> = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => pending.push(resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return nextLine().then((ready) => {
    if (ready !== 'ready') throw new Error(`fleet tick replica said ${ready}`);
    return {
      async tick(slot) {
        const answer = nextLine();
        child.stdin!.write(`${slot.toISOString()}\n`);
        return JSON.parse(await answer) as ReplicaTick;
      },
      async stop() {
        child.stdin!.end();
        await exited;
      },
    };
  });
}

export async function fleetTickBench(options: FleetTickBenchOptions = {}): Promise<FleetTickBenchResult> {
  const unavailable = await requirePostgres();
  if (unavailable !== null) throw new Error(`the fleet tick bench needs PostgreSQL: ${unavailable}`);
  const hosts = options.hosts ?? 2_000;
  const jitterMs = options.jitterMs ?? 2_000;
  const concurrency = options.concurrency ?? benchConfig().watch.concurrency;
  const ca = createTestCa();
  const leaf = ca.issue({ commonName: 'mx.fleet-tick.bench.test', dnsNames: ['*.fleet-tick.bench.test'] });
  const servers = await Promise.all(
    Array.from({ length: PORT_COUNT }, () =>
      startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mx.fleet-tick.bench.test' }),
    ),
  );
  const ports = servers.map((server) => server.port);
  const db = await createTestDatabase('smtp_check_fleet_bench');
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-fleet-tick-'));
  const replicas: ReplicaProcess[] = [];
  try {
    const setup = createPool(db.url);
    try {
      await migrate(setup, db.name);
      const store = createPgWatchStore({ pool: setup, url: db.url });
      const addedAt = new Date().toISOString();
      for (let i = 0; i < hosts; i += 200) {
        await Promise.all(
          Array.from({ length: Math.min(200, hosts - i) }, (_, j) =>
            store.saveWatch({
              channel: 'C0BENCH',
              host: fleetHost(i + j),
              ports,
              addedBy: 'U0BENCH',
              addedAt,
            }),
          ),
        );
      }
    } finally {
      await setup.end();
    }
    for (const name of ['replica-1', 'replica-2']) {
      const file = join(dir, `${name}.json`);
      const settings: ReplicaSettings = { url: db.url, name, ports, caCert: ca.cert, concurrency, jitterMs };
      writeFileSync(file, JSON.stringify(settings));
      replicas.push(await startReplicaProcess(file));
    }

    let slot = Date.parse('2026-03-01T12:00:00.000Z');
    const tick = async (running: ReplicaProcess[]): Promise<FleetTickRun> => {
      slot += 15 * 60_000;
      const started = performance.now();
      const ticks = await Promise.all(running.map((replica) => replica.tick(new Date(slot))));
      const tickMs = performance.now() - started;
      const probed = new Map<string, number>();
      for (const { probed: seen } of ticks) {
        for (const [key, count] of Object.entries(seen)) probed.set(key, (probed.get(key) ?? 0) + count);
      }
      const sum = (pick: (tick: ReplicaTick) => number) => ticks.reduce((total, t) => total + pick(t), 0);
      return {
        replicas: running.length,
        tickMs,
        probes: [...probed.values()].reduce((total, n) => total + n, 0),
        duplicates: [...probed.values()].filter((n) => n > 1).length,
        retestedBy: ticks.map((t) => t.retested),
        roundTrips: sum((t) => t.statements),
        roundTripsPerHost: sum((t) => t.statements) / hosts,
        fleetRoundTrips: sum((t) => t.fleetStatements),
        checkFailures: sum((t) => t.checkFailures),
        fleetFailures: sum((t) => t.fleetFailures),
      };
    };

    const [first] = replicas as [ReplicaProcess];
    const baseline = await tick([first]);
    const runs = [await tick([first]), await tick(replicas)];
    return { hosts, ports: PORT_COUNT, concurrency, jitterMs, baselineTickMs: baseline.tickMs, runs };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await db.drop();
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}
