import { describe, expect, test } from 'vitest';
import type { Admit } from '../../src/check/admission.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import { renderHomeView, renderWatchReply } from '../../src/render/watch-overview.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { healthy, port25Filtered, World } from './watch-harness.js';

const HOST = 'smtp.example.test';

function setUp(options: { admins?: string[]; admit?: Admit } = {}) {
  const world = new World();
  world.set(HOST, healthy());
  const store = createMemoryWatchStore();
  const logged: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', write: (line) => logged.push(JSON.parse(line)) });
  const commands = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger,
    ...options,
  });
  return { world, store, commands, logged };
}

describe('createWatchCommands()', () => {
  test('addWatch probes once, stores the baseline and confirms', async () => {
    const { world, store, commands, logged } = setUp();
    world.set(HOST, port25Filtered());
    const result = await commands.addWatch({ channel: 'C0A', host: 'SMTP.Example.test.', user: 'U0LEAD' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(world.checks).toEqual([{ target: HOST, ports: [], mx: 'auto' }]);
    expect(result.watch).toMatchObject({ channel: 'C0A', host: HOST, ports: [25, 587], addedBy: 'U0LEAD' });
    expect(result.updated).toBe(false);
    const states = await store.getAlertStates('C0A', HOST);
    expect(states[25]).toMatchObject({ phase: 'blocked', alertable: false });
    expect(states[587]).toMatchObject({ phase: 'ok', alertable: true });
    expect((await store.getHistory(HOST, 587))?.samples).toBe('1');
    expect(renderWatchReply(result.reply).text).toContain(
      'Watching `smtp.example.test` on 2 ports (25, 587) for <@U0LEAD>. I re-test it on a schedule and post here if a port that works now stops working.',
    );
    // What fails already is said once, in good grammar, with what happens next.
    const blocks = JSON.stringify(renderWatchReply(result.reply).blocks);
    expect(blocks).toContain(
      '*Port 25 fails already*: no answer (filtered). There is no alert for it; I post here when it starts working.',
    );
    expect(blocks).not.toContain('already fail;');
    expect(renderWatchReply(result.reply).text).toContain(
      'Port 25 fails already; I post here when it starts working.',
    );
    expect(findLimitViolations(renderWatchReply(result.reply))).toEqual([]);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'watch added', user: 'U0LEAD', host: HOST }),
    );
  });

  test('watching again changes the ports and keeps the state of ports already watched', async () => {
    const { store, commands } = setUp();
    await commands.addWatch({ channel: 'C0A', host: HOST, ports: '25', user: 'U0LEAD' });
    const before = (await store.getAlertStates('C0A', HOST))[25];
    const again = await commands.addWatch({
      channel: 'C0A',
      host: `${HOST}:587`,
      ports: [25],
      user: 'U0OTHER',
    });
    expect(again).toMatchObject({ ok: true, updated: true, watch: { ports: [587, 25], addedBy: 'U0LEAD' } });
    expect((await store.getAlertStates('C0A', HOST))[25]).toEqual(before);
    expect(renderWatchReply(again.reply).text).toContain(
      '👀 <@U0OTHER> changed the watch on `smtp.example.test`: added 587. Now watching 2 ports (587, 25).',
    );
  });

  test('watching again says which ports were added and which are no longer watched', async () => {
    const { store, commands } = setUp();
    await commands.addWatch({ channel: 'C0A', host: HOST, ports: '25,465', user: 'U0LEAD' });
    const again = await commands.addWatch({ channel: 'C0A', host: HOST, ports: '25,587', user: 'U0LEAD' });
    expect(again.ok).toBe(true);
    expect(renderWatchReply(again.reply).text).toContain(
      'changed the watch on `smtp.example.test`: added 587; stopped watching 465. Now watching 2 ports (25, 587).',
    );
    expect(Object.keys(await store.getAlertStates('C0A', HOST))).toEqual(['25', '587']);
    const same = await commands.addWatch({ channel: 'C0A', host: HOST, ports: '25,587', user: 'U0LEAD' });
    expect(renderWatchReply(same.reply).text).toContain(
      'the ports are unchanged. Now watching 2 ports (25, 587).',
    );
  });

  test('a watch whose every port fails already promises no alert it cannot give', async () => {
    const { world, commands } = setUp();
    world.set(HOST, [
      { port: 25, class: 'filtered' },
      { port: 587, class: 'refused' },
    ]);
    const result = await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' });
    expect(result.ok).toBe(true);
    expect(renderWatchReply(result.reply).text).toContain('for <@U0LEAD>. I re-test it on a schedule.\n');
    expect(renderWatchReply(result.reply).text).not.toContain('stops working');
    expect(renderWatchReply(result.reply).text).toContain(
      'Ports 25 and 587 fail already; I post here when each starts working.',
    );
  });

  test.each([
    [{ host: 'not a host!' }, /Type a host name/],
    [{ host: HOST, ports: '25,abc' }, /`abc` is not a port number.*Type ports like `25,587`/],
    [{ host: HOST, ports: [70000] }, /Type ports like/],
  ])('addWatch refuses %o and says what to type', async (input, error) => {
    const { commands, world } = setUp();
    const result = await commands.addWatch({ channel: 'C0A', user: 'U0LEAD', ...input });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(error) });
    expect(renderWatchReply(result.reply).text).toMatch(error);
    expect(world.checks).toEqual([]);
  });

  test('addWatch refuses a host that does not resolve', async () => {
    const { world, commands, store } = setUp();
    world.set('typo.example.test', [
      { port: 25, class: 'dns-failed' },
      { port: 587, class: 'dns-failed' },
    ]);
    const result = await commands.addWatch({ channel: 'C0A', host: 'typo.example.test', user: 'U0LEAD' });
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringMatching(/does not resolve.*Check the spelling/),
    });
    expect(await store.listWatches()).toEqual([]);
  });

  test('with WATCH_ADMINS set, only admins change watches; everyone may list', async () => {
    const { commands } = setUp({ admins: ['U0ADMIN'] });
    expect(await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0RANDOM' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Only the watch admins/),
    });
    expect((await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0ADMIN' })).ok).toBe(true);
    expect((await commands.removeWatch({ channel: 'C0A', host: HOST, user: 'U0RANDOM' })).ok).toBe(false);
    expect(
      (await commands.muteHost({ channel: 'C0A', host: HOST, duration: '1h', user: 'U0RANDOM' })).ok,
    ).toBe(false);
    expect((await commands.listWatches({ channel: 'C0A' })).ok).toBe(true);
  });

  test('addWatch goes through admission after the other checks, and before any probe', async () => {
    const asked: Array<[string, unknown]> = [];
    const admit: Admit = (user, request) => {
      asked.push([user, request]);
      return request.ports.includes(6379)
        ? { ok: false, reason: 'port 6379 is not an SMTP port I probe.' }
        : { ok: true };
    };
    const { commands, world, store } = setUp({ admins: ['U0ADMIN'], admit });
    const baselines: string[] = [];
    const onBaseline = async (host: string) => void baselines.push(host);
    // A refusal for another reason does not use up the rate limit.
    await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0RANDOM', onBaseline });
    expect(asked).toEqual([]);
    const refused = await commands.addWatch({
      channel: 'C0A',
      host: HOST,
      ports: '25,6379',
      user: 'U0ADMIN',
      onBaseline,
    });
    expect(refused).toMatchObject({
      ok: false,
      error: 'I didn’t start watching `smtp.example.test`: port 6379 is not an SMTP port I probe.',
    });
    expect(world.checks).toEqual([]);
    expect(baselines).toEqual([]);
    expect(await store.listWatches()).toEqual([]);
    expect((await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0ADMIN', onBaseline })).ok).toBe(
      true,
    );
    expect(asked).toEqual([
      ['U0ADMIN', { target: HOST, ports: [25, 6379], mx: 'auto' }],
      ['U0ADMIN', { target: HOST, ports: [], mx: 'auto' }],
    ]);
    expect(baselines).toEqual([HOST]);
  });

  test('removeWatch stops a watch, and says how to list when there is none', async () => {
    const { commands, store, logged } = setUp();
    await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' });
    expect(await commands.removeWatch({ channel: 'C0B', host: HOST, user: 'U0LEAD' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('`/smtp-check list`'),
    });
    expect((await commands.removeWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' })).ok).toBe(true);
    expect(await store.listWatches()).toEqual([]);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'watch removed', user: 'U0LEAD' }));
  });

  test('listWatches shows the channel’s watches with their current state', async () => {
    const { world, commands } = setUp();
    world.set('mx.example.test', port25Filtered());
    await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' });
    await commands.addWatch({ channel: 'C0A', host: 'mx.example.test', user: 'U0LEAD' });
    await commands.addWatch({ channel: 'C0B', host: HOST, user: 'U0LEAD' });
    const list = await commands.listWatches({ channel: 'C0A' });
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect(list.watches.map((w) => w.host)).toEqual(['mx.example.test', HOST]);
    expect(list.watches[0]?.ports.map((p) => [p.port, p.phase])).toEqual([
      [25, 'blocked'],
      [587, 'ok'],
    ]);
    expect(renderWatchReply(list.reply).text).toContain('2 watched hosts');
    expect(renderWatchReply(list.reply).text).toContain('🔴 25');
    const empty = await commands.listWatches({ channel: 'C0EMPTY' });
    expect(renderWatchReply(empty.reply).text).toContain('/smtp-check watch &lt;host&gt;');
  });

  test('muteHost parses the duration, and "off" lifts the mute', async () => {
    const { world, store, commands } = setUp();
    await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' });
    expect(
      await commands.muteHost({ channel: 'C0A', host: HOST, duration: '2 fortnights', user: 'U0LEAD' }),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /`fortnights` is not a unit I know\. Type a number and a unit, e\.g\. `30m`, `2h`/,
      ),
    });
    const muted = await commands.muteHost({ channel: 'C0A', host: HOST, duration: '2h', user: 'U0LEAD' });
    expect(muted).toMatchObject({ ok: true, until: new Date(world.nowMs + 2 * 3_600_000).toISOString() });
    expect(renderWatchReply(muted.reply).text).toContain(
      '<@U0LEAD> muted `smtp.example.test` until 2026-03-01 14:00 UTC',
    );
    expect(renderWatchReply((await commands.listWatches({ channel: 'C0A' })).reply).text).toContain(
      'muted until',
    );
    expect(
      await commands.muteHost({ channel: 'C0A', host: HOST, duration: 'off', user: 'U0LEAD' }),
    ).toMatchObject({
      ok: true,
      until: null,
    });
    expect(await store.getMute('C0A', HOST)).toBeNull();
    expect(
      (
        await commands.muteHost({
          channel: 'C0A',
          host: 'other.example.test',
          duration: '1h',
          user: 'U0LEAD',
        })
      ).ok,
    ).toBe(false);
  });

  test('historyOf shows state, since when, recent changes and an uptime bar', async () => {
    const { world, store, commands } = setUp();
    await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' });
    world.set(HOST, port25Filtered());
    await world.tick(store);
    await world.tick(store);
    world.set(HOST, healthy());
    await world.tick(store);
    const history = await commands.historyOf({ host: HOST, channel: 'C0A' });
    expect(history.ok).toBe(true);
    if (!history.ok) return;
    expect(history.ports.map((p) => [p.port, p.samples])).toEqual([
      [25, '1001'],
      [587, '1111'],
    ]);
    expect(history.ports[0]?.state?.phase).toBe('recovering');
    expect(renderWatchReply(history.reply).text).toContain('`█▁▁█` 50% of the last 4');
    expect(renderWatchReply(history.reply).text).toContain('no answer (filtered)');
    expect(findLimitViolations(renderWatchReply(history.reply))).toEqual([]);
    expect(await commands.historyOf({ host: 'never.example.test' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('/smtp-check watch &lt;host&gt;'),
    });
  });

  test('homeView lists every watch of the workspace within App Home limits', async () => {
    const { world, commands } = setUp();
    for (let i = 0; i < 120; i += 1) {
      world.set(`h${i}.example.test`, healthy());
      await commands.addWatch({ channel: `C0CH${i % 3}`, host: `h${i}.example.test`, user: 'U0LEAD' });
    }
    const home = await commands.homeView();
    expect(home.watches).toHaveLength(120);
    const view = renderHomeView(home);
    expect(view.type).toBe('home');
    expect(findLimitViolations({ text: '', blocks: view.blocks }, 100)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('<#C0CH0>');
  });

  test('a channel holds a bounded number of watches', async () => {
    const world = new World();
    world.set(HOST, healthy());
    world.set('b.example.test', healthy());
    const commands = createWatchCommands({
      store: createMemoryWatchStore(),
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
      maxWatchesPerChannel: 1,
    });
    await commands.addWatch({ channel: 'C0A', host: HOST, user: 'U0LEAD' });
    expect(await commands.addWatch({ channel: 'C0A', host: 'b.example.test', user: 'U0LEAD' })).toMatchObject(
      {
        ok: false,
        error: expect.stringContaining('Unwatch one first'),
      },
    );
  });
});
