import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { type RecheckSummary, recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { FakeVantages } from './vantage-harness.js';
import { healthy, port25Filtered, TICK_MS, World } from './watch-harness.js';

const HOST = 'smtp.example.test';
const CHANNEL = 'C0ALERTS';

/** A watch from `from`, added as a person would; `tick` re-tests with the vantages (or without them). */
async function setUp(from: string[], quorum = 1) {
  const world = new World();
  const store = createMemoryWatchStore();
  const vantages = new FakeVantages(world);
  world.set(HOST, healthy());
  for (const name of from) if (name !== vantages.local) vantages.set(name, healthy());
  const commands = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
    vantageProbes: vantages,
    alertQuorum: quorum,
  });
  const added = await commands.addWatch({
    channel: CHANNEL,
    host: HOST,
    ports: '25,587',
    vantages: from,
    user: 'U0LEAD',
  });
  expect(added.ok).toBe(true);
  const tick = (options: { withoutProbes?: boolean } = {}): Promise<RecheckSummary> => {
    world.nowMs += TICK_MS;
    return recheckWatches({
      store,
      runCheck: world.runCheck,
      notify: world.notifier,
      now: world.now,
      logger: silentLogger,
      concurrency: 4,
      jitterMs: 0,
      ...(options.withoutProbes ? {} : { vantageProbes: vantages }),
      alertQuorum: quorum,
    });
  };
  return { world, store, vantages, tick };
}

const texts = (world: World): string[] =>
  world.notifier.take().map((call) => `${call.method}: ${call.message.text}`);

describe('recheckWatches() from vantages', () => {
  test('probes the watch’s vantages at scheduled priority; one alert names them, the recovery follows in its thread', async () => {
    const { world, store, vantages, tick } = await setUp(['office', 'aws-eu']);
    const checksAtBaseline = world.checks.length;
    vantages.set('aws-eu', port25Filtered());
    await tick();
    expect(world.notifier.calls).toEqual([]);
    await tick();
    const [alert, ...more] = world.notifier.take();
    expect(more).toEqual([]);
    expect(alert?.method).toBe('postAlert');
    expect(alert?.message.text).toContain('smtp.example.test: port 25 blocked');
    expect(alert?.message.text).toContain('25 blocked from aws-eu; still open from office');
    expect(findLimitViolations(alert?.message ?? { text: '', blocks: [] })).toEqual([]);
    expect(vantages.calls.at(-1)).toEqual({
      names: ['office', 'aws-eu'],
      target: HOST,
      priority: 'scheduled',
    });
    // The bot's own network is not probed: the watch is not from it.
    expect(world.checks).toHaveLength(checksAtBaseline);
    expect(await store.getIncident(CHANNEL, HOST)).not.toBeNull();
    expect((await store.getVantageStates(CHANNEL, HOST))['aws-eu']?.[25]?.phase).toBe('blocked');
    expect((await store.getVantageStates(CHANNEL, HOST))['office']?.[25]?.phase).toBe('ok');

    // Nothing more until aws-eu works again (twice), then the recovery and the resolution.
    await tick();
    expect(world.notifier.calls).toEqual([]);
    vantages.set('aws-eu', healthy());
    await tick();
    await tick();
    const calls = world.notifier.take();
    expect(calls.map((call) => call.method)).toEqual(['postInThread', 'markResolved']);
    expect(calls[0]?.threadTs).toBe(alert?.ts);
    expect(calls[0]?.message.text).toContain('25 open from office and aws-eu');
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();
  });

  test('keeps history per vantage; the bot’s own series is the bot’s own network', async () => {
    const { store, vantages, tick } = await setUp(['bot', 'aws-eu']);
    vantages.set('aws-eu', port25Filtered());
    await tick();
    await tick();
    expect((await store.getHistory(HOST, 25, 'aws-eu'))?.samples).toBe('100');
    expect((await store.getHistory(HOST, 25))?.samples).toBe('111');
    expect(await store.getHistory(HOST, 25, 'bot')).toBeNull();
  });

  test('quorum 2: one vantage seeing the block says nothing; a silent one is never counted; two agreeing alert', async () => {
    const { world, store, vantages, tick } = await setUp(['office', 'aws-eu'], 2);
    vantages.set('aws-eu', port25Filtered());
    vantages.set('office', 'no-answer');
    for (let i = 0; i < 6; i += 1) await tick();
    expect(world.notifier.calls).toEqual([]);
    expect((await store.getVantageStates(CHANNEL, HOST))['office']?.[25]?.checkedAt).toBe(
      '2026-03-01T12:00:00.000Z',
    );
    vantages.set('office', port25Filtered());
    await tick();
    expect(world.notifier.calls).toEqual([]);
    await tick();
    const [alert] = texts(world);
    expect(alert).toContain('postAlert');
    expect(alert).toContain('25 blocked from office and aws-eu');
  });

  test('a silent vantage is named in the alert, never as a port verdict', async () => {
    const { world, vantages, tick } = await setUp(['office', 'aws-eu', 'lab']);
    vantages.set('lab', 'no-answer');
    vantages.set('aws-eu', port25Filtered());
    await tick();
    await tick();
    const [alert] = texts(world);
    expect(alert).toContain('25 blocked from aws-eu; still open from office');
    expect(alert).toContain('no answer from lab (last seen 3 min ago)');
    expect(alert).not.toContain('blocked from lab');
  });

  test('a mute holds the alert back; it is announced once the mute is lifted', async () => {
    const { world, store, vantages, tick } = await setUp(['office', 'aws-eu']);
    await store.setMute(CHANNEL, HOST, {
      channel: CHANNEL,
      host: HOST,
      until: '2026-03-01T14:00:00.000Z',
      by: 'U0',
    });
    vantages.set('aws-eu', port25Filtered());
    await tick();
    const muted = await tick();
    expect(muted.mutedAnnouncements).toBe(1);
    expect(world.notifier.calls).toEqual([]);
    await store.setMute(CHANNEL, HOST, null);
    await tick();
    expect(texts(world)).toEqual([expect.stringContaining('25 blocked from aws-eu; still open from office')]);
  });

  test('probes that throw leave the state as it was and count a failed re-test', async () => {
    const { store, vantages, tick } = await setUp(['office', 'aws-eu']);
    const before = await store.getVantageStates(CHANNEL, HOST);
    vantages.broken = true;
    const summary = await tick();
    expect(summary.checkFailures).toBe(1);
    expect(await store.getVantageStates(CHANNEL, HOST)).toEqual(before);
  });

  test('a host watched from vantages in one channel and from the bot’s network in another: each as it asks', async () => {
    const { world, store, vantages, tick } = await setUp(['office', 'aws-eu']);
    const own = createWatchCommands({
      store,
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    expect((await own.addWatch({ channel: 'C0OWN', host: HOST, ports: '25,587', user: 'U0' })).ok).toBe(true);
    const checks = world.checks.length;
    const calls = vantages.calls.length;
    vantages.set('aws-eu', port25Filtered());
    await tick();
    await tick();
    expect(world.checks.length - checks).toBe(2);
    expect(vantages.calls.length - calls).toBe(2);
    const posts = world.notifier.take();
    expect(posts.map((call) => call.channel)).toEqual([CHANNEL]);
    expect(await store.getVantageStates('C0OWN', HOST)).toEqual({});
  });

  test('without vantage probes a watch from vantages is re-tested from the bot’s own network', async () => {
    const { world, store, tick } = await setUp(['office', 'aws-eu']);
    const checks = world.checks.length;
    world.set(HOST, port25Filtered());
    await tick({ withoutProbes: true });
    await tick({ withoutProbes: true });
    expect(world.checks.length - checks).toBe(2);
    expect((await store.getAlertStates(CHANNEL, HOST))[25]?.phase).toBe('blocked');
  });
});
