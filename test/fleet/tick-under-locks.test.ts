import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { createPgFleetCoordinator } from '../../src/fleet/pg-fleet-coordinator.js';
import { silentLogger } from '../../src/log.js';
import { openPgWatchStore, saveAlertStatesIn } from '../../src/store/pg/index.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import {
  createTestDatabase,
  requirePostgres,
  type TestDatabase,
  testDatabaseUrl,
} from '../helpers/postgres.js';
import { healthy, TICK_MS, World } from '../watch/watch-harness.js';

// Anyone can hold a row lock for minutes: a worker in an open transaction, a stuck replica, an
// operator's psql. The bot's connections give up on a lock after a few seconds, so a tick that
// meets one ends on time with an error for that host, the other watches are re-tested, and the
// next tick runs as usual.

const skip = await requirePostgres();
const LOCKED = 'locked.example.test';
const FREE = 'free.example.test';
const CHANNEL = 'C0LOCKS';
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe.skipIf(skip !== null)('a tick on the fleet’s database while a row stays locked', () => {
  test('ends on time, re-tests the other watch, and the next tick re-tests the locked host once it is free', async () => {
    const db = await createTestDatabase('smtp_check_locks');
    databases.push(db);
    const store = await openPgWatchStore(db.url);
    const locker = new pg.Client({ connectionString: testDatabaseUrl(db.name) });
    try {
      const world = new World();
      world.set(LOCKED, healthy());
      world.set(FREE, healthy());
      const commands = createWatchCommands({
        store,
        runCheck: world.runCheck,
        now: world.now,
        logger: silentLogger,
      });
      for (const host of [LOCKED, FREE])
        await commands.addWatch({ channel: CHANNEL, host, ports: '25,587', user: 'U0' });
      const fleet = createPgFleetCoordinator({
        pool: store.pool,
        url: db.url,
        leaseMs: 30_000,
        batchSize: 4,
        logger: silentLogger,
        replica: 'replica-0',
        store: { transaction: (doing, work) => store.transaction(doing, work), saveAlertStatesIn },
      });
      const tick = () => {
        world.nowMs += TICK_MS;
        return recheckWatches({
          store,
          runCheck: world.runCheck,
          notify: world.notifier,
          now: world.now,
          logger: silentLogger,
          concurrency: 2,
          jitterMs: 0,
          fleet,
          slot: world.now(),
        });
      };
      const samples = async (host: string) => (await store.getHistory(host, 25))?.samples.length ?? 0;

      await tick();
      const before = { locked: await samples(LOCKED), free: await samples(FREE) };
      expect(before.locked).toBeGreaterThan(0);

      // Someone locks the locked host's history and keeps the transaction open.
      await locker.connect();
      await locker.query('BEGIN');
      const held = await locker.query('SELECT * FROM history_series WHERE host = $1 FOR UPDATE', [LOCKED]);
      expect(held.rowCount).toBeGreaterThan(0);

      const started = Date.now();
      const summary = await tick();
      const tookMs = Date.now() - started;
      // The bot's lock timeout is 5 s: the tick ends within a few of them, not when the lock goes.
      expect(tookMs).toBeLessThan(20_000);
      expect(summary.retested + summary.checkFailures + summary.fleetFailures).toBeGreaterThan(0);
      expect(await samples(FREE)).toBe(before.free + 1);
      expect(await samples(LOCKED)).toBe(before.locked);

      await locker.query('ROLLBACK');
      await tick();
      expect(await samples(FREE)).toBe(before.free + 2);
      expect(await samples(LOCKED)).toBeGreaterThan(before.locked);
    } finally {
      await locker.end().catch(() => undefined);
      await store.close();
    }
  }, 90_000);
});
