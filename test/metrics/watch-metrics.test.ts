import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import type { WatchStore } from '../../src/watch-model/watch-store.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { samplesOf, sampleValue } from '../helpers/exposition.js';
import { healthy, port25Filtered, TICK_MS, World } from '../watch/watch-harness.js';

// The watch gauges through real ticks: each watched host × port × vantage has an up gauge and
// its alert phase, the alert counters follow what was announced, and a host nobody watches any
// more leaves no series behind.

const HOST = 'smtp.example.test';
const OTHER = 'mx.example.test';

async function setUp(): Promise<{ world: World; store: WatchStore; metrics: Metrics }> {
  const world = new World();
  const store = createMemoryWatchStore();
  world.set(HOST, healthy());
  world.set(OTHER, healthy());
  const commands = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
  });
  for (const [channel, host] of [
    ['C0ALERTS', HOST],
    ['C0OPS', HOST],
    ['C0ALERTS', OTHER],
  ] as const) {
    expect((await commands.addWatch({ channel, host, ports: '25,587', user: 'U0LEAD' })).ok).toBe(true);
  }
  const metrics = createMetrics({ localVantage: 'office', version: '0.0.0-test', processMetrics: false });
  return { world, store, metrics };
}

async function tick(world: World, store: WatchStore, metrics: Metrics): Promise<string> {
  world.nowMs += TICK_MS;
  await recheckWatches({
    store,
    runCheck: world.runCheck,
    notify: world.notifier,
    now: world.now,
    logger: silentLogger,
    concurrency: 2,
    jitterMs: 0,
    metrics,
  });
  return metrics.exposition();
}

const phaseOf = (text: string, host: string, port: number): string[] =>
  samplesOf(text, 'smtp_check_watch_port_phase', { host, port: String(port), vantage: 'office' })
    .filter((sample) => sample.value === 1)
    .map((sample) => sample.labels['phase'] ?? '');

describe('recheckWatches() with metrics', () => {
  test('a port that becomes blocked: up 0, phase suspect then blocked, one alert opened, then resolved', async () => {
    const { world, store, metrics } = await setUp();
    let text = await tick(world, store, metrics);
    expect(sampleValue(text, 'smtp_check_watch_port_up', { host: HOST, port: '25', vantage: 'office' })).toBe(
      1,
    );
    expect(phaseOf(text, HOST, 25)).toEqual(['ok']);
    expect(sampleValue(text, 'smtp_check_watch_last_retest_timestamp_seconds', { host: HOST })).toBe(
      world.nowMs / 1_000,
    );

    world.set(HOST, port25Filtered());
    text = await tick(world, store, metrics);
    expect(sampleValue(text, 'smtp_check_watch_port_up', { host: HOST, port: '25', vantage: 'office' })).toBe(
      0,
    );
    expect(
      sampleValue(text, 'smtp_check_watch_port_up', { host: HOST, port: '587', vantage: 'office' }),
    ).toBe(1);
    expect(phaseOf(text, HOST, 25)).toEqual(['suspect']);
    expect(sampleValue(text, 'smtp_check_alerts_opened_total', { kind: 'port' })).toBe(0);

    text = await tick(world, store, metrics);
    expect(phaseOf(text, HOST, 25)).toEqual(['blocked']);
    // Two channels watch the host: two alerts, one series.
    expect(sampleValue(text, 'smtp_check_alerts_opened_total', { kind: 'port' })).toBe(2);
    expect(samplesOf(text, 'smtp_check_watch_port_up', { host: HOST, port: '25' })).toHaveLength(1);

    world.set(HOST, healthy());
    await tick(world, store, metrics);
    text = await tick(world, store, metrics);
    expect(phaseOf(text, HOST, 25)).toEqual(['ok']);
    expect(sampleValue(text, 'smtp_check_alerts_resolved_total', { kind: 'port' })).toBe(2);
  });

  test("an unwatched host's series disappear at the next tick; the others stay", async () => {
    const { world, store, metrics } = await setUp();
    let text = await tick(world, store, metrics);
    expect(samplesOf(text, 'smtp_check_watch_port_up', { host: OTHER })).toHaveLength(2);

    expect(await store.removeWatch('C0ALERTS', OTHER)).toBe(true);
    text = await tick(world, store, metrics);
    expect(text).not.toContain(OTHER);
    expect(samplesOf(text, 'smtp_check_watch_port_up', { host: HOST })).toHaveLength(2);
  });

  test('a port dropped from every watch of a host disappears; the host stays', async () => {
    const { world, store, metrics } = await setUp();
    await tick(world, store, metrics);
    const commands = createWatchCommands({
      store,
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    for (const channel of ['C0ALERTS', 'C0OPS']) {
      expect((await commands.addWatch({ channel, host: HOST, ports: '587', user: 'U0LEAD' })).ok).toBe(true);
    }
    const text = await tick(world, store, metrics);
    expect(samplesOf(text, 'smtp_check_watch_port_up', { host: HOST }).map((s) => s.labels['port'])).toEqual([
      '587',
    ]);
  });
});
