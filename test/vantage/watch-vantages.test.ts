import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck } from '../../src/check/index.js';
import { silentLogger } from '../../src/log.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import { createMemoryWatchStore, type WatchStore } from '../../src/store/index.js';
import { createPool, type Pool } from '../../src/database/connection.js';
import { openPgWatchStore } from '../../src/store/pg/index.js';
import type { ClosableVantageProbes } from '../../src/vantage/pg-vantage-probes.js';
import { timelineRows } from '../../src/chat/use-cases/history-picture.js';
import { renderTimelineSvg } from '../../src/render/timeline-svg.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { requireNamespaces } from '../helpers/netns.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { testLimits } from '../helpers/probe-limits.js';
import {
  type Network,
  startVantageWorld,
  type VantageWorld,
  openTestVantageProbes,
} from '../helpers/vantage-harness.js';
import { RecordingNotifier } from '../watch/watch-harness.js';

// A watch from office and aws-eu, re-tested through the real queue by real workers in two
// namespaces, on the PostgreSQL store. Mid-test aws-eu's network starts dropping outbound 25:
// one alert, naming aws-eu and saying 25 still works from office; with ALERT_QUORUM=2 the same
// observations announce nothing, since only one vantage sees the port blocked.

const pgSkip = await requirePostgres();
const skip = pgSkip !== null || requireNamespaces() !== null;
const TIMEOUT = 180_000;
const CHANNEL = 'C0WATCH';
const HOST = '127.0.0.1';

describe.skipIf(skip)('watches from vantages, with real workers', () => {
  let db: TestDatabase;
  let pool: Pool;
  let probes: ClosableVantageProbes;
  let world: VantageWorld;
  let pgStore: WatchStore;
  const runCheck = createRunCheck({
    probeHost,
    limits: testLimits(),
    now: () => new Date(),
    policy: createTargetPolicy(['127.0.0.0/8']),
  });

  beforeAll(async () => {
    db = await createTestDatabase('smtp_check_vantage_watch');
    pgStore = await openPgWatchStore(db.url, { logger: silentLogger });
    pool = createPool(db.url, { max: 4 });
    world = await startVantageWorld(
      db,
      async () => {
        probes = await openTestVantageProbes(pool, db.url, runCheck);
      },
      { awsEuDrops25: false },
    );
  }, TIMEOUT);

  afterAll(async () => {
    await probes?.close();
    await world?.close();
    await pgStore?.close();
    await pool?.end();
    await db?.drop();
  }, TIMEOUT);

  async function watching(store: WatchStore, quorum: number) {
    const notifier = new RecordingNotifier();
    const commands = createWatchCommands({
      store,
      runCheck,
      now: () => new Date(),
      logger: silentLogger,
      vantageProbes: probes,
      alertQuorum: quorum,
    });
    const added = await commands.addWatch({
      channel: CHANNEL,
      host: HOST,
      ports: '25,587',
      vantages: ['office', 'aws-eu'],
      user: 'U0LEAD',
    });
    expect(added.ok).toBe(true);
    const tick = () =>
      recheckWatches({
        store,
        runCheck,
        notify: notifier,
        now: () => new Date(),
        logger: silentLogger,
        concurrency: 2,
        jitterMs: 0,
        vantageProbes: probes,
        alertQuorum: quorum,
      });
    return { notifier, tick };
  }

  test(
    'aws-eu starts dropping 25: one alert naming aws-eu (quorum 1); nothing with quorum 2',
    async () => {
      const one = await watching(pgStore, 1);
      const two = await watching(createMemoryWatchStore(), 2);
      await one.tick();
      await two.tick();
      expect(one.notifier.calls).toEqual([]);

      const awsEu = world.networks.find((network) => network.name === 'aws-eu') as Network;
      awsEu.block(25);
      // Two failed observations in a row confirm the block (ALERT_AFTER_FAILURES's default).
      for (let round = 0; round < 3; round += 1) {
        await one.tick();
        await two.tick();
      }
      const alerts = one.notifier.take();
      expect(alerts.map((call) => call.method)).toEqual(['postAlert']);
      const text = alerts[0]?.message.text ?? '';
      expect(text).toContain('port 25 blocked');
      expect(text).toContain('25 blocked from aws-eu; still open from office');
      expect((await pgStore.getVantageStates(CHANNEL, HOST))['aws-eu']?.[25]?.phase).toBe('blocked');
      expect((await pgStore.getVantageStates(CHANNEL, HOST))['office']?.[25]?.phase).toBe('ok');
      expect(two.notifier.calls).toEqual([]);
    },
    TIMEOUT,
  );

  test('history keeps a series per vantage, and the picture has a row per port and vantage', async () => {
    const series = await pgStore.getHistory(HOST, 25, 'aws-eu');
    expect(series?.changes.at(-1)).toMatchObject({ class: 'filtered', usable: false });
    expect((await pgStore.getHistory(HOST, 25, 'office'))?.changes.at(-1)).toMatchObject({ usable: true });

    const commands = createWatchCommands({
      store: pgStore,
      runCheck,
      now: () => new Date(),
      logger: silentLogger,
      vantageProbes: probes,
    });
    const history = await commands.historyOf({ host: HOST, channel: CHANNEL });
    if (!history.ok) throw new Error('no history');
    const rows = timelineRows(history.ports);
    expect(rows.map((row) => `${row.port} ${row.vantage}`)).toEqual([
      '25 office',
      '25 aws-eu',
      '587 office',
      '587 aws-eu',
    ]);
    const now = new Date();
    const svg = renderTimelineSvg({
      host: HOST,
      from: new Date(now.getTime() - 86_400_000).toISOString(),
      to: now.toISOString(),
      timeZone: 'UTC',
      rows,
    });
    expect(svg).toContain('aws-eu');
    expect(svg).toContain('office');
  });
});
