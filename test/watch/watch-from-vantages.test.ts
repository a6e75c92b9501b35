import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import { renderWatchReply } from '../../src/render/watch-overview.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { FakeVantages } from './vantage-harness.js';
import { healthy, port25Filtered, World } from './watch-harness.js';

const HOST = 'smtp.example.test';

function setUp(options: { probes?: boolean } = {}) {
  const world = new World();
  world.set(HOST, healthy());
  const store = createMemoryWatchStore();
  const vantages = new FakeVantages(world);
  const commands = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
    ...(options.probes === false ? {} : { vantageProbes: vantages }),
  });
  /** Watches HOST on port 25 from these vantages in C0A. */
  const watchFrom = (from: string[], user = 'U0') =>
    commands.addWatch({ channel: 'C0A', host: HOST, ports: '25', vantages: from, user });
  return { world, store, vantages, commands, watchFrom };
}

describe('watch … from vantages', () => {
  test('stores the vantages and a baseline from each; one without a worker is named, and the watch is kept', async () => {
    const { world, store, vantages, commands } = setUp();
    vantages.set('aws-eu', port25Filtered());
    vantages.set('lab', 'no-worker');
    const result = await commands.addWatch({
      channel: 'C0A',
      host: HOST,
      ports: '25,587',
      vantages: ['bot', 'aws-eu', 'lab'],
      user: 'U0LEAD',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.watch.vantages).toEqual(['bot', 'aws-eu', 'lab']);
    expect((await store.getWatch('C0A', HOST))?.vantages).toEqual(['bot', 'aws-eu', 'lab']);
    // The bot's own baseline is the check it makes anyway; the others are asked at a person's priority.
    expect(world.checks).toHaveLength(1);
    expect(vantages.calls).toEqual([{ names: ['aws-eu', 'lab'], target: HOST, priority: 'interactive' }]);
    const states = await store.getVantageStates('C0A', HOST);
    expect(Object.keys(states).sort()).toEqual(['aws-eu', 'bot']);
    expect(states['aws-eu']?.[25]).toMatchObject({ phase: 'blocked', alertable: false });
    expect(states['bot']?.[25]).toMatchObject({ phase: 'ok', alertable: true });
    expect((await store.getHistory(HOST, 25, 'aws-eu'))?.samples).toBe('0');
    expect((await store.getHistory(HOST, 25))?.samples).toBe('1');

    const message = renderWatchReply(result.reply);
    expect(message.text).toContain('on 2 ports (25, 587) from bot, aws-eu and lab');
    expect(message.text).toContain('no worker running for lab');
    expect(message.text).toContain('The watch is kept');
    expect(findLimitViolations(message)).toEqual([]);
  });

  test('`from all` watches from the bot’s own network and every vantage with a live worker now', async () => {
    const { vantages, commands } = setUp();
    vantages.set('office', healthy());
    vantages.set('aws-eu', healthy());
    vantages.set('lab', 'no-worker');
    const result = await commands.addWatch({ channel: 'C0A', host: HOST, vantages: 'all', user: 'U0' });
    expect(result.ok && result.watch.vantages).toEqual(['bot', 'office', 'aws-eu']);
  });

  test('watching again from other vantages changes them, says so, and drops the states of those left', async () => {
    const { store, vantages, commands, watchFrom } = setUp();
    vantages.set('office', healthy());
    vantages.set('aws-eu', healthy());
    await watchFrom(['office', 'aws-eu']);
    const again = await watchFrom(['office'], 'U0B');
    expect(again.ok).toBe(true);
    if (!again.ok || again.reply.kind !== 'watching') return;
    expect(again.reply.change?.vantages).toEqual({ before: ['office', 'aws-eu'], after: ['office'] });
    expect(renderWatchReply(again.reply).text).toContain(
      'changed the watch on `smtp.example.test`: now from office instead of office and aws-eu',
    );
    expect(Object.keys(await store.getVantageStates('C0A', HOST))).toEqual(['office']);

    const own = await commands.addWatch({ channel: 'C0A', host: HOST, ports: '25', user: 'U0B' });
    expect(own.ok && own.watch).not.toHaveProperty('vantages');
    expect(renderWatchReply(own.reply).text).toContain("now from this bot's own network instead of office");
    expect(await store.getVantageStates('C0A', HOST)).toEqual({});
  });

  test('the same vantages again are no change of vantages', async () => {
    const { vantages, commands } = setUp();
    vantages.set('office', healthy());
    await commands.addWatch({ channel: 'C0A', host: HOST, vantages: ['office'], user: 'U0' });
    const again = await commands.addWatch({ channel: 'C0A', host: HOST, vantages: ['office'], user: 'U0' });
    expect(again.reply.kind === 'watching' && again.reply.change).not.toHaveProperty('vantages');
  });

  test('refuses a bad vantage name, and vantages on a bot without probe workers, saying what to do', async () => {
    const { commands } = setUp();
    const bad = await commands.addWatch({ channel: 'C0A', host: HOST, vantages: ['AWS_EU'], user: 'U0' });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.error).toContain('is not a vantage name');
    const none = setUp({ probes: false });
    const refused = await none.commands.addWatch({
      channel: 'C0A',
      host: HOST,
      vantages: ['aws-eu'],
      user: 'U0',
    });
    expect(refused.ok ? '' : refused.error).toContain('needs probe workers');
    expect(none.world.checks).toEqual([]);
    expect(await none.store.listWatches()).toEqual([]);
  });

  test('history and the list show the vantages', async () => {
    const { vantages, commands, watchFrom } = setUp();
    vantages.set('aws-eu', port25Filtered());
    await watchFrom(['bot', 'aws-eu']);
    const history = await commands.historyOf({ channel: 'C0A', host: HOST });
    expect(history.ok && history.ports[0]?.vantages).toMatchObject([
      { vantage: 'bot', samples: '1', changes: [{ class: 'open-starttls', usable: true }] },
      { vantage: 'aws-eu', samples: '0', changes: [{ class: 'filtered', usable: false }] },
    ]);
    expect(renderWatchReply(history.reply).text).toContain('aws-eu `▁` 0% of the last 1');
    const list = await commands.listWatches({ channel: 'C0A' });
    expect(renderWatchReply(list.reply).text).toContain('`smtp.example.test` · from bot, aws-eu');
  });
});
