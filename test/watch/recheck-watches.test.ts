import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import { createMemoryWatchStore, openLowdbWatchStore } from '../../src/store/index.js';
import type { WatchStore } from '../../src/watch-model/watch-store.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { bothFiltered, healthy, port25Filtered, World } from './watch-harness.js';

const HOST = 'smtp.example.test';
const CHANNEL = 'C0ALERTS';

async function watching(world: World, store: WatchStore, channel = CHANNEL, host = HOST): Promise<void> {
  const commands = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
  });
  const added = await commands.addWatch({ channel, host, ports: '25,587', user: 'U0LEAD' });
  expect(added.ok).toBe(true);
}

async function setUp(): Promise<{ world: World; store: WatchStore }> {
  const world = new World();
  const store = createMemoryWatchStore();
  world.set(HOST, healthy());
  await watching(world, store);
  return { world, store };
}

const methods = (world: World): string[] => world.notifier.take().map((call) => call.method);

describe('recheckWatches()', () => {
  test('one lost packet never pages', async () => {
    const { world, store } = await setUp();
    world.set(HOST, port25Filtered());
    await world.tick(store);
    world.set(HOST, healthy());
    await world.tick(store);
    await world.tick(store);
    expect(world.notifier.calls).toEqual([]);
    expect((await store.getAlertStates(CHANNEL, HOST))[25]?.phase).toBe('ok');
  });

  test('a port that failed at watch time is never reminded about, and its first success is announced once', async () => {
    const world = new World();
    const store = createMemoryWatchStore();
    world.set(HOST, port25Filtered());
    await watching(world, store);
    // Far past the reminder interval: a port that never worked is not "still blocked".
    for (let i = 0; i < 20; i += 1) await world.tick(store);
    expect(world.notifier.take()).toEqual([]);
    world.set(HOST, healthy());
    await world.tick(store);
    expect(world.notifier.take()).toEqual([]); // one good observation does not confirm it
    await world.tick(store);
    const calls = world.notifier.take();
    expect(calls.map((call) => call.method)).toEqual(['postAlert']);
    expect(calls[0]?.message.text).toContain('smtp.example.test: port 25 working now');
    expect(calls[0]?.message.text).toContain(
      'Port 25 works now* (STARTTLS upgrade worked) on `smtp.example.test`: it had failed since the watch began, 2026-03-01 12:00 UTC.',
    );
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();
    for (let i = 0; i < 3; i += 1) await world.tick(store);
    expect(world.notifier.take()).toEqual([]);
    // From now on it is a port that works: losing it pages.
    world.set(HOST, port25Filtered());
    await world.tick(store);
    await world.tick(store);
    expect(world.notifier.take()[0]?.message.text).toContain('Port 25 is blocked');
  });

  test('an incident resolves while a port that never worked still fails', async () => {
    const world = new World();
    const store = createMemoryWatchStore();
    world.set(HOST, [
      { port: 25, class: 'filtered' },
      { port: 587, class: 'open-starttls' },
    ]);
    await watching(world, store);
    world.set(HOST, bothFiltered());
    await world.tick(store);
    await world.tick(store);
    expect(methods(world)).toEqual(['postAlert']);
    world.set(HOST, [
      { port: 25, class: 'filtered' },
      { port: 587, class: 'open-starttls' },
    ]);
    await world.tick(store);
    await world.tick(store);
    expect(methods(world)).toEqual(['postInThread', 'markResolved']);
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();
  });

  test('two failures raise exactly one alert, which opens the incident', async () => {
    const { world, store } = await setUp();
    world.set(HOST, port25Filtered());
    await world.tick(store);
    expect(world.notifier.calls).toEqual([]);
    const summary = await world.tick(store);
    expect(summary.delivered).toBe(1);
    const [alert, ...rest] = world.notifier.take();
    expect(rest).toEqual([]);
    expect(alert?.method).toBe('postAlert');
    expect(alert?.channel).toBe(CHANNEL);
    expect(alert?.message.text).toContain('Port 25 is blocked');
    expect(alert?.message.text).toContain('2026-03-01 12:15 UTC'); // since the first failing observation
    const blocks = JSON.stringify(alert?.message.blocks);
    expect(blocks).toContain('no answer after 5 s'); // the evidence
    expect(blocks).toContain('*587*'); // the other ports' state
    expect(blocks).toContain('outbound 25'); // the advice
    expect(blocks).toContain('silence with `/smtp-check mute smtp.example.test 2h`');
    expect(findLimitViolations(alert?.message ?? { text: '', blocks: [] })).toEqual([]);
    expect(await store.getIncident(CHANNEL, HOST)).toMatchObject({
      alertTs: alert?.ts,
      threadTs: alert?.ts,
      status: 'open',
    });

    for (let i = 0; i < 6; i += 1) await world.tick(store);
    expect(world.notifier.calls).toEqual([]);
  });

  test('later changes go into the incident thread; recovery is posted there and the alert marked resolved', async () => {
    const { world, store } = await setUp();
    world.set(HOST, port25Filtered());
    await world.tick(store);
    await world.tick(store);
    const alertTs = world.notifier.take()[0]?.ts;

    world.set(HOST, bothFiltered());
    await world.tick(store);
    await world.tick(store);
    const [more, ...none] = world.notifier.take();
    expect(none).toEqual([]);
    expect(more).toMatchObject({ method: 'postInThread', threadTs: alertTs });
    expect(more?.message.text).toContain('Port 587 is blocked');

    world.set(HOST, port25Filtered());
    await world.tick(store);
    await world.tick(store);
    const [partial] = world.notifier.take();
    expect(partial).toMatchObject({ method: 'postInThread', threadTs: alertTs });
    expect(partial?.message.text).toContain('Port 587 recovered');
    expect(partial?.message.text).not.toContain('work again');

    world.set(HOST, healthy());
    await world.tick(store);
    await world.tick(store);
    const [recovery, resolved, ...after] = world.notifier.take();
    expect(after).toEqual([]);
    expect(recovery).toMatchObject({ method: 'postInThread', threadTs: alertTs });
    expect(recovery?.message.text).toContain('Port 25 recovered');
    // Outage from 12:15 (first failure) to 13:45 (first good observation again).
    expect(recovery?.message.text).toContain('The incident lasted 1 h 30 min');
    expect(resolved).toMatchObject({ method: 'markResolved', ts: alertTs });
    expect(resolved?.message.text).toContain('Resolved');
    expect(resolved?.message.text).toContain('blocked for 1 h 30 min');
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();

    // A new outage opens a new incident.
    world.set(HOST, port25Filtered());
    await world.tick(store);
    await world.tick(store);
    expect(methods(world)).toEqual(['postAlert']);
  });

  test('reminds in the thread at most once per reminder period', async () => {
    const { world, store } = await setUp();
    const hourly = { reminderMs: 3_600_000 };
    world.set(HOST, bothFiltered());
    await world.tick(store, hourly);
    await world.tick(store, hourly);
    expect(methods(world)).toEqual(['postAlert']);
    for (let i = 0; i < 12; i += 1) await world.tick(store, hourly); // three hours
    const reminders = world.notifier.take();
    expect(reminders.map((call) => call.method)).toEqual(['postInThread', 'postInThread', 'postInThread']);
    // One reminder covers both ports.
    expect(reminders[0]?.message.text).toMatch(/Port 25 is still blocked[\s\S]*Port 587 is still blocked/);
    expect((await store.getIncident(CHANNEL, HOST))?.lastReminderAt).not.toBeNull();
  });

  test('a muted host is re-tested but not announced; what is still wrong afterwards is', async () => {
    const { world, store } = await setUp();
    const commands = createWatchCommands({
      store,
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    expect(
      (await commands.muteHost({ channel: CHANNEL, host: HOST, duration: '1h', user: 'U0LEAD' })).ok,
    ).toBe(true);
    world.set(HOST, port25Filtered());
    const checksBefore = world.checks.length;
    for (let i = 0; i < 3; i += 1) {
      const summary = await world.tick(store);
      expect(summary.delivered).toBe(0);
    }
    expect(world.checks.length - checksBefore).toBe(3);
    expect(world.notifier.calls).toEqual([]);
    expect((await store.getAlertStates(CHANNEL, HOST))[25]?.phase).toBe('blocked');

    await world.tick(store); // 13:00: the mute has ended
    const [alert] = world.notifier.take();
    expect(alert?.method).toBe('postAlert');
    expect(alert?.message.text).toContain('since 2026-03-01 12:15 UTC');
    // History marks the muted stretch (the timeline draws it as muted) and where it ended.
    const changes = (await store.getHistory(HOST, 25))?.changes ?? [];
    expect(changes.map((change) => [change.class, change.muted === true])).toEqual([
      ['open-starttls', false],
      ['filtered', true],
      ['filtered', false],
    ]);
  });

  test('an alert Slack refused is posted on the next tick, exactly once', async () => {
    const { world, store } = await setUp();
    world.set(HOST, port25Filtered());
    await world.tick(store);
    world.notifier.failing.add('postAlert');
    const failed = await world.tick(store);
    expect(failed.deliveryFailures).toBe(1);
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();
    world.notifier.failing.clear();
    await world.tick(store);
    expect(methods(world)).toEqual(['postAlert']);
    await world.tick(store);
    await world.tick(store);
    expect(methods(world)).toEqual([]);
  });

  test('a failed thread post and a failed alert update are retried without repeating what succeeded', async () => {
    const { world, store } = await setUp();
    world.set(HOST, port25Filtered());
    await world.tick(store);
    await world.tick(store);
    world.notifier.take();

    world.set(HOST, healthy());
    await world.tick(store);
    world.notifier.failing.add('postInThread');
    await world.tick(store);
    expect(methods(world)).toEqual([]);
    world.notifier.failing = new Set(['markResolved']);
    await world.tick(store);
    expect(methods(world)).toEqual(['postInThread']);
    expect((await store.getIncident(CHANNEL, HOST))?.status).toBe('resolving');
    world.notifier.failing.clear();
    await world.tick(store);
    expect(methods(world)).toEqual(['markResolved']);
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();
    await world.tick(store);
    expect(methods(world)).toEqual([]);
  });

  test('a restart on the same data file never re-announces the open incident', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smtp-check-restart-'));
    try {
      const file = join(dir, 'data.json');
      const world = new World();
      world.set(HOST, healthy());
      let store = await openLowdbWatchStore(file);
      await watching(world, store);
      world.set(HOST, port25Filtered());
      await world.tick(store);
      await world.tick(store);
      const alertTs = world.notifier.take()[0]?.ts;
      await store.close();

      store = await openLowdbWatchStore(file);
      await world.tick(store);
      await world.tick(store);
      expect(methods(world)).toEqual([]);
      world.set(HOST, healthy());
      await world.tick(store);
      await store.close();

      store = await openLowdbWatchStore(file); // restart between the two good observations
      await world.tick(store);
      const calls = world.notifier.take();
      expect(calls.map((call) => [call.method, call.threadTs ?? call.ts])).toEqual([
        ['postInThread', alertTs],
        ['markResolved', alertTs],
      ]);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('certificate expiry crossing 21 and 7 days is an alert of its own', async () => {
    const { world, store } = await setUp();
    world.set(HOST, [
      { port: 25, class: 'open-starttls', daysLeft: 25 },
      { port: 587, class: 'open-starttls', daysLeft: 20 },
    ]);
    await world.tick(store);
    const [first] = world.notifier.take();
    expect(first?.method).toBe('postAlert');
    expect(first?.message.text).toContain('certificate on port 587 expires in 20 days');
    world.set(HOST, [
      { port: 25, class: 'open-starttls', daysLeft: 25 },
      { port: 587, class: 'open-starttls', daysLeft: 19 },
    ]);
    await world.tick(store);
    expect(methods(world)).toEqual([]);
    world.set(HOST, [
      { port: 25, class: 'open-starttls', daysLeft: 25 },
      { port: 587, class: 'open-starttls', daysLeft: 6 },
    ]);
    await world.tick(store);
    expect(world.notifier.take()[0]?.message.text).toContain('expires in 6 days');
    expect(await store.getIncident(CHANNEL, HOST)).toBeNull();
  });

  test('re-tests each host once for all channels, with bounded concurrency and jitter', async () => {
    const world = new World();
    const store = createMemoryWatchStore();
    for (let i = 0; i < 10; i += 1) world.set(`h${i}.example.test`, healthy());
    for (let i = 0; i < 10; i += 1) await watching(world, store, CHANNEL, `h${i}.example.test`);
    await watching(world, store, 'C0SECOND', 'h0.example.test');
    world.checks.length = 0;

    let inFlight = 0;
    let peak = 0;
    const delays: number[] = [];
    const summary = await recheckWatches({
      store,
      runCheck: async (request) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return world.runCheck(request);
      },
      notify: world.notifier,
      now: world.now,
      logger: silentLogger,
      concurrency: 3,
      jitterMs: 1_000,
      random: () => 0.25,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(summary).toMatchObject({ hosts: 10, watches: 11, checkFailures: 0 });
    expect(world.checks.filter((check) => check.target === 'h0.example.test')).toHaveLength(1);
    expect(peak).toBe(3);
    expect(delays).toEqual(Array(10).fill(250));
  });

  test('the jitter waits run side by side, not inside a concurrency slot, and end in order', async () => {
    const world = new World();
    const store = createMemoryWatchStore();
    const hosts = ['h0.example.test', 'h1.example.test', 'h2.example.test'];
    for (const host of hosts) {
      world.set(host, healthy());
      await watching(world, store, CHANNEL, host);
    }
    world.checks.length = 0;

    // Each wait ends only when the test says so; with one slot, a slot that slept through each
    // host's jitter would have started one wait, never three.
    const waits: Array<{ ms: number; end: () => void }> = [];
    const delays = [0.9, 0.1, 0.5];
    const tick = recheckWatches({
      store,
      runCheck: world.runCheck,
      notify: world.notifier,
      now: world.now,
      logger: silentLogger,
      concurrency: 1,
      jitterMs: 1_000,
      random: () => delays.shift() ?? 0,
      sleep: (ms) => new Promise<void>((resolve) => waits.push({ ms, end: resolve })),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(waits.map((wait) => wait.ms)).toEqual([100, 500, 900]);
    expect(world.checks).toHaveLength(0);
    for (const wait of waits) wait.end();
    await tick;
    expect(world.checks.map((check) => check.target)).toEqual([
      'h1.example.test',
      'h2.example.test',
      'h0.example.test',
    ]);
  });

  test('a check that throws is logged and skipped; the other hosts are still re-tested', async () => {
    const { world, store } = await setUp();
    world.set('other.example.test', healthy());
    await watching(world, store, CHANNEL, 'other.example.test');
    world.hosts.delete(HOST);
    const summary = await world.tick(store);
    expect(summary).toMatchObject({ hosts: 2, checkFailures: 1 });
    expect((await store.getHistory('other.example.test', 25))?.samples).toBe('11');
  });

  test('server text in an alert is escaped', async () => {
    const { world, store } = await setUp();
    const hostile = [
      {
        port: 25,
        class: 'greeting-rejected' as const,
        failureMessage: '554 <!channel> see <https://evil.test|here> `x`',
      },
      { port: 587, class: 'open-starttls' as const },
    ];
    world.set(HOST, hostile);
    await world.tick(store);
    await world.tick(store);
    const alert = world.notifier.take()[0];
    const everything = `${alert?.message.text}${JSON.stringify(alert?.message.blocks)}`;
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('<https://evil.test');
    expect(everything).toContain('&lt;!channel&gt;');
  });
});
