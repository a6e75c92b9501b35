import { limitConcurrency } from '../src/check/index.js';
import type { RunCheck } from '../src/check/types.js';
import type { FleetCoordinator } from '../src/fleet/index.js';
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
import { droppedNotifier } from './dropped-notifier.js';
import { createTestCa } from '../test/helpers/certs.js';
import { createTestDatabase, requirePostgres } from '../test/helpers/postgres.js';
import { startSmtpServer } from '../test/helpers/smtp-test-server.js';
import { benchConfig, benchRunCheck } from './bench-check.js';

// One scheduled tick of a fleet on PostgreSQL: N watched hosts × 4 ports, every host a name that
// resolves (in memory) to 127.0.0.1, where four smtp-server instances answer with STARTTLS. The
// tick is timed with one replica, then with two replicas running the same slot at once on the same
// database (two coordinators and two stores in this process, each on its own pool, as two bot
// processes would have). Every port probed is counted by host, so a host re-tested twice in a
// tick shows up as duplicates; every statement sent to the database is counted on the pools'
// connections. Loopback only; a database of its own, dropped at the end.

export interface FleetTickRun {
  replicas: number;
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

const PORT_COUNT = 4;
const fleetHost = (i: number): string => `h${i}.fleet-tick.bench.test`;

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

export async function fleetTickBench(options: FleetTickBenchOptions = {}): Promise<FleetTickBenchResult> {
  const unavailable = await requirePostgres();
  if (unavailable !== null) throw new Error(`the fleet tick bench needs PostgreSQL: ${unavailable}`);
  const hosts = options.hosts ?? 2_000;
  const jitterMs = options.jitterMs ?? 2_000;
  const ca = createTestCa();
  const leaf = ca.issue({ commonName: 'mx.fleet-tick.bench.test', dnsNames: ['*.fleet-tick.bench.test'] });
  const servers = await Promise.all(
    Array.from({ length: PORT_COUNT }, () =>
      startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mx.fleet-tick.bench.test' }),
    ),
  );
  const ports = servers.map((server) => server.port);
  const db = await createTestDatabase('smtp_check_fleet_bench');
  const counter = { statements: 0 };
  const fleetCounter = { statements: 0 };
  const pools: Pool[] = [];
  try {
    const setup = createPool(db.url);
    await migrate(setup, db.name);
    await setup.end();

    const config = benchConfig();
    const concurrency = options.concurrency ?? config.watch.concurrency;
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
    const probed = new Map<string, number>();
    const replica = (name: string) => {
      const pool = countingPool(db.url, counter);
      pools.push(pool);
      const store = createPgWatchStore({ pool, url: db.url });
      const fleet: FleetCoordinator = createPgFleetCoordinator({
        pool: {
          query: (text, values) => {
            fleetCounter.statements += 1;
            return pool.query(text, values);
          },
        },
        url: db.url,
        leaseMs: config.watch.leaseSeconds * 1_000,
        batchSize: concurrency,
        logger: silentLogger,
        replica: name,
        store: { transaction: (doing, work) => store.transaction(doing, work), saveAlertStatesIn },
      });
      // Each replica has its own caps, as each bot process does.
      const limited = limitConcurrency(benchRunCheck(config, { extraCa: [ca.cert], resolver }), {
        maxConcurrentChecks: config.rate.maxConcurrentChecks,
        maxPerTarget: 1,
      });
      const runCheck: RunCheck = async (request, hooks) => {
        const diagnosis = await limited.runScheduledCheck(request, hooks);
        for (const port of diagnosis.ports) {
          const key = `${request.target}:${port.port}`;
          probed.set(key, (probed.get(key) ?? 0) + 1);
        }
        return diagnosis;
      };
      return { store, fleet, runCheck };
    };
    const [first, second] = [replica('replica-1'), replica('replica-2')];
    const addedAt = new Date().toISOString();
    for (let i = 0; i < hosts; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, hosts - i) }, (_, j) =>
          first.store.saveWatch({
            channel: 'C0BENCH',
            host: fleetHost(i + j),
            ports,
            addedBy: 'U0BENCH',
            addedAt,
          }),
        ),
      );
    }

    let slot = Date.parse('2026-03-01T12:00:00.000Z');
    const tick = async (replicas: Array<ReturnType<typeof replica>>): Promise<FleetTickRun> => {
      probed.clear();
      slot += 15 * 60_000;
      const at = new Date(slot);
      const before = counter.statements;
      const fleetBefore = fleetCounter.statements;
      const started = performance.now();
      const summaries = await Promise.all(
        replicas.map(({ store, fleet, runCheck }) =>
          recheckWatches({
            store,
            fleet,
            slot: at,
            runCheck,
            notify: droppedNotifier,
            now: () => new Date(),
            logger: silentLogger,
            concurrency,
            jitterMs,
          }),
        ),
      );
      const tickMs = performance.now() - started;
      const roundTrips = counter.statements - before;
      return {
        replicas: replicas.length,
        tickMs,
        probes: [...probed.values()].reduce((sum, n) => sum + n, 0),
        duplicates: [...probed.values()].filter((n) => n > 1).length,
        retestedBy: summaries.map((summary) => summary.retested),
        roundTrips,
        roundTripsPerHost: roundTrips / hosts,
        fleetRoundTrips: fleetCounter.statements - fleetBefore,
        checkFailures: summaries.reduce((sum, summary) => sum + summary.checkFailures, 0),
        fleetFailures: summaries.reduce((sum, summary) => sum + summary.fleetFailures, 0),
      };
    };

    const baseline = await tick([first]);
    const runs = [await tick([first]), await tick([first, second])];
    return { hosts, ports: PORT_COUNT, concurrency, jitterMs, baselineTickMs: baseline.tickMs, runs };
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
    await db.drop();
    await Promise.all(servers.map((server) => server.close()));
  }
}
