import { afterAll, describe, expect, test } from 'vitest';
import { createPgFleetCoordinator } from '../../src/fleet/pg-fleet-coordinator.js';
import { silentLogger } from '../../src/log.js';
import {
  createPgWatchStore,
  createPool,
  migrate,
  type Pool,
  saveAlertStatesIn,
} from '../../src/store/pg/index.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import type { PortSketch } from '../watch/diagnosis-builder.js';
import { TICK_MS, World } from '../watch/watch-harness.js';

// What a fleet tick costs the database per re-tested host (bench/fleet-tick-bench.ts measures the
// same at 2 000 hosts): one read and one write of the store, the coordinator's claim and done —
// at most 6 statements, where it was about 29. An alert still goes through the post ledger.

const skip = await requirePostgres();
const CHANNEL = 'C0TICK';
const PORTS = [25, 465, 587, 2525];
const HOSTS = Array.from({ length: 12 }, (_, i) => `h${i}.tick.example.test`);
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const answering = (filtered: number[] = []): PortSketch[] =>
  PORTS.map((port) =>
    filtered.includes(port) ? { port, class: 'filtered' } : { port, class: 'open-starttls' },
  );

function countingPool(url: string, counter: { statements: number }): Pool {
  const pool = createPool(url);
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.statements += 1;
      return query(...args);
    };
  });
  return pool;
}

describe.skipIf(skip !== null)('a fleet tick on PostgreSQL', () => {
  test('costs at most 6 statements per host, and alerts as before', async () => {
    const db = await createTestDatabase('smtp_check_tick_statements');
    databases.push(db);
    const counter = { statements: 0 };
    const fleetCounter = { statements: 0 };
    const pool = countingPool(db.url, counter);
    await migrate(pool, db.name);
    const store = createPgWatchStore({ pool, url: db.url });
    try {
      const world = new World();
      for (const host of HOSTS) {
        world.set(host, answering());
        await store.saveWatch({
          channel: CHANNEL,
          host,
          ports: PORTS,
          addedBy: 'U0',
          addedAt: world.now().toISOString(),
        });
      }
      const fleet = createPgFleetCoordinator({
        pool: {
          query: (text, values) => {
            fleetCounter.statements += 1;
            return pool.query(text, values);
          },
        },
        url: db.url,
        leaseMs: 30_000,
        batchSize: 4,
        logger: silentLogger,
        replica: 'replica-0',
        store: { transaction: (doing, work) => store.transaction(doing, work), saveAlertStatesIn },
      });
      const tick = async () => {
        world.nowMs += TICK_MS;
        const before = { all: counter.statements, fleet: fleetCounter.statements };
        const summary = await recheckWatches({
          store,
          runCheck: world.runCheck,
          notify: world.notifier,
          now: world.now,
          logger: silentLogger,
          concurrency: 4,
          jitterMs: 0,
          fleet,
          slot: world.now(),
        });
        expect(summary.retested).toBe(HOSTS.length);
        const all = counter.statements - before.all;
        return {
          all,
          fleet: fleetCounter.statements - before.fleet,
          store: all - (fleetCounter.statements - before.fleet),
        };
      };

      const first = await tick();
      expect(first.all / HOSTS.length).toBeLessThanOrEqual(6);
      const quiet = await tick();
      expect(quiet.all / HOSTS.length).toBeLessThanOrEqual(6);
      // The watch list, then one read and one write per host.
      expect(quiet.store).toBe(1 + 2 * HOSTS.length);
      for (const port of PORTS) expect((await store.getHistory(HOSTS[0]!, port))?.samples).toBe('11');

      // An outage is announced once, through the ledger, and its states land with the post.
      world.set(HOSTS[3]!, answering([25]));
      for (let i = 0; i < 3; i += 1) await tick();
      const alerts = world.notifier.take().filter((call) => call.method === 'postAlert');
      expect(alerts.map((call) => call.channel)).toEqual([CHANNEL]);
      expect(await store.getIncident(CHANNEL, HOSTS[3]!)).toMatchObject({
        status: 'open',
        alertTs: alerts[0]?.ts,
      });
      expect((await store.getAlertStates(CHANNEL, HOSTS[3]!))[25]?.phase).toBe('blocked');
      expect((await store.getHistory(HOSTS[3]!, 25))?.samples).toBe('11000');
      const { rows } = await pool.query<{ status: string }>('SELECT status FROM fleet_alert_posts');
      expect(rows.map((row) => row.status)).toEqual(['posted']);
    } finally {
      await store.close();
    }
  }, 60_000);
});
