import { afterAll, describe, expect, test } from 'vitest';
import { createPgFleetCoordinator } from '../../src/fleet/pg-fleet-coordinator.js';
import { silentLogger } from '../../src/log.js';
import { openPgWatchStore, type PgWatchStore, saveAlertStatesIn } from '../../src/store/pg/index.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { asSuperuser, createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { FakeVantages } from '../watch/vantage-harness.js';
import { healthy, port25Filtered, TICK_MS, World } from '../watch/watch-harness.js';

// A watch from vantages in a fleet: the alert goes through the post ledger, and the vantages'
// states are saved in the same transaction that records the post.

const skip = await requirePostgres();
const HOST = 'smtp.example.test';
const CHANNEL = 'C0ALERTS';
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe.skipIf(skip !== null)('a watch from vantages on the fleet’s database', () => {
  test('two replicas ticking the same slots post one alert, and each vantage’s states land with it', async () => {
    const db = await createTestDatabase('smtp_check_vantage_tick');
    databases.push(db);
    const stores: PgWatchStore[] = [await openPgWatchStore(db.url), await openPgWatchStore(db.url)];
    try {
      const world = new World();
      world.set(HOST, healthy());
      const vantages = new FakeVantages(world);
      vantages.set('office', healthy());
      vantages.set('aws-eu', healthy());
      const [first, second] = stores;
      if (!first || !second) throw new Error('two stores expected');
      const commands = createWatchCommands({
        store: first,
        runCheck: world.runCheck,
        now: world.now,
        logger: silentLogger,
        vantageProbes: vantages,
      });
      await commands.addWatch({
        channel: CHANNEL,
        host: HOST,
        ports: '25,587',
        vantages: ['office', 'aws-eu'],
        user: 'U0',
      });
      const fleets = stores.map((store, index) =>
        createPgFleetCoordinator({
          pool: store.pool,
          url: db.url,
          leaseMs: 30_000,
          batchSize: 4,
          logger: silentLogger,
          replica: `replica-${index}`,
          store: { transaction: (doing, work) => store.transaction(doing, work), saveAlertStatesIn },
        }),
      );

      vantages.set('aws-eu', port25Filtered());
      for (let i = 0; i < 2; i += 1) {
        world.nowMs += TICK_MS;
        const slot = world.now();
        await Promise.all(
          stores.map((store, index) =>
            recheckWatches({
              store,
              runCheck: world.runCheck,
              notify: world.notifier,
              now: world.now,
              logger: silentLogger,
              concurrency: 2,
              jitterMs: 0,
              fleet: fleets[index],
              slot,
              vantageProbes: vantages,
              alertQuorum: 1,
            }),
          ),
        );
      }
      const posts = world.notifier.take();
      expect(posts.map((call) => call.method)).toEqual(['postAlert']);
      expect(posts[0]?.message.text).toContain('25 blocked from aws-eu; still open from office');
      const vantageStates = await second.getVantageStates(CHANNEL, HOST);
      expect(vantageStates['aws-eu']?.[25]?.phase).toBe('blocked');
      expect(vantageStates['office']?.[25]?.phase).toBe('ok');
      const ledger = await asSuperuser(db.name, (client) =>
        client.query<{ kind: string; status: string }>('SELECT kind, status FROM fleet_alert_posts'),
      );
      expect(ledger.rows).toEqual([{ kind: 'alert', status: 'posted' }]);
      expect((await second.getHistory(HOST, 25, 'aws-eu'))?.samples).toBe('100');
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
