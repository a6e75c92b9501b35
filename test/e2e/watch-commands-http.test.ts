import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN, BOT_TOKEN, buttonValue, OTHER, startWatchApp, type WatchApp } from './watch-app-harness.js';

// The watch commands end to end through the Slack app (see watch-app-harness.ts): who sees what,
// admins, admission, durations, App Home. The tests run in order on one app and one data file.

let w: WatchApp;
beforeAll(async () => {
  w = await startWatchApp();
});
afterAll(() => w?.close());

describe('watch commands through the Slack app', () => {
  test('watch acks before the baseline probe, says it started, then confirms in the channel', async () => {
    await w.command(`watch 127.0.0.1:${w.gate.port}`, 'watch');
    const ackedAt = Date.now();
    // The server behind the w.gate has not spoken: the probe cannot have finished.
    expect(w.finishedAt).toEqual([]);
    expect((await w.answer('watch')).text).toContain('Probing `127.0.0.1` for a baseline');
    expect(w.posts()).toEqual([]);
    w.gate.open();

    const [confirmation] = await w.api.waitForCalls((call) => call.method === 'chat.postMessage');
    expect(w.finishedAt).toHaveLength(1);
    expect(ackedAt).toBeLessThan(w.finishedAt[0]!);
    expect(confirmation).toMatchObject({ ok: true, body: { channel: 'C0CHECKS' } });
    expect(String(confirmation?.body.text)).toContain(
      `👀 Watching \`127.0.0.1\` on 1 port (${w.gate.port}) for <@${ADMIN}>`,
    );
    expect(buttonValue(confirmation, 'smtp_check_unwatch')).toBe('127.0.0.1');
    expect(await w.store.getWatch('C0CHECKS', '127.0.0.1')).toMatchObject({
      ports: [w.gate.port],
      addedBy: ADMIN,
    });
    expect((await w.store.getAlertStates('C0CHECKS', '127.0.0.1'))[w.gate.port]).toMatchObject({
      phase: 'ok',
    });
  });

  test('list answers the requester only; history posts its picture in the channel, admins or not', async () => {
    const before = w.posts().length;
    await w.command('list', 'list', OTHER);
    const list = await w.answer('list');
    expect(list.text).toContain('*1 watched host* in this channel');
    expect(list.text).toContain(`🟢 ${w.gate.port}`);
    expect(list.blocks).toContain('smtp_check_unwatch');
    await w.command('history 127.0.0.1', 'history', OTHER);
    await w.api.waitForCalls('files.completeUploadExternal');
    const [picture] = w.api.files;
    expect(picture?.shared?.channel).toBe('C0CHECKS');
    expect(picture?.shared?.comment).toContain('*History of `127.0.0.1`*');
    expect(picture?.shared?.comment).toContain(`• ${w.gate.port}: usable 100% of the time`);
    expect(w.postedSince(before)).toEqual([]);
  });

  test('mute: a bad duration is explained to the requester only; a good one is announced', async () => {
    const before = w.posts().length;
    await w.command('mute 127.0.0.1 3 fortnights', 'bad-mute');
    expect((await w.answer('bad-mute')).text).toContain('`fortnights` is not a unit I know');
    await w.command('mute 127.0.0.1', 'no-duration');
    expect((await w.answer('no-duration')).text).toContain(
      'mute needs a host and a duration, as in /smtp-check mute `smtp.example.com` 2h',
    );
    expect(await w.store.getMute('C0CHECKS', '127.0.0.1')).toBeNull();
    expect(w.postedSince(before)).toEqual([]);

    const mutedAt = Date.now();
    await w.command('mute 127.0.0.1 2h', 'mute');
    const [muted] = await w.api.waitForCalls('chat.postMessage', before + 1);
    expect(muted?.body.channel).toBe('C0CHECKS');
    expect(String(w.posts().at(-1)?.body.text)).toContain(`🔕 <@${ADMIN}> muted \`127.0.0.1\` until`);
    const until = Date.parse((await w.store.getMute('C0CHECKS', '127.0.0.1'))?.until ?? '');
    expect(until - mutedAt).toBeGreaterThan(2 * 3_600_000 - 5_000);
    expect(until - mutedAt).toBeLessThan(2 * 3_600_000 + 5_000);
  });

  test('with WATCH_ADMINS set, anyone else is told so, and nothing is probed, posted or stored', async () => {
    const before = w.posts().length;
    const probes = w.finishedAt.length;
    const watchBefore = await w.store.getWatch('C0CHECKS', '127.0.0.1');
    const muteBefore = await w.store.getMute('C0CHECKS', '127.0.0.1');
    for (const [id, text] of [
      ['mallory-watch', `watch 127.0.0.1:${w.smtp.port}`],
      ['mallory-unwatch', 'unwatch 127.0.0.1'],
      ['mallory-mute', 'mute 127.0.0.1 off'],
    ] as const) {
      await w.command(text, id, OTHER);
      expect((await w.answer(id)).text).toContain('Only the watch admins can change watches here');
    }
    expect(w.postedSince(before)).toEqual([]);
    expect(w.finishedAt.length).toBe(probes);
    expect(await w.store.getWatch('C0CHECKS', '127.0.0.1')).toEqual(watchBefore);
    expect(await w.store.getMute('C0CHECKS', '127.0.0.1')).toEqual(muteBefore);
  });

  test('a watch on a port outside the allow-list is refused before any probe', async () => {
    const probes = w.finishedAt.length;
    await w.command('watch 127.0.0.1 25,6379', 'port');
    const refused = await w.answer('port');
    expect(refused.text).toContain(
      'I didn’t start watching `127.0.0.1`: port 6379 is not an SMTP port I probe',
    );
    expect(w.api.responses.filter((response) => response.id === 'port')).toHaveLength(1);
    expect(w.finishedAt.length).toBe(probes);
    expect((await w.store.getWatch('C0CHECKS', '127.0.0.1'))?.ports).toEqual([w.gate.port]);
  });

  test('the App Home tab lists the watched hosts, their state and last change', async () => {
    const opened = await w.event({
      type: 'app_home_opened',
      user: OTHER,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1700000000.500000',
    });
    expect(opened.status).toBe(200);
    const [publish] = await w.api.waitForCalls('views.publish');
    expect(publish).toMatchObject({ ok: true, body: { user_id: OTHER, view: { type: 'home' } } });
    const view = JSON.stringify(publish?.body.view);
    expect(view).toContain('Watched hosts');
    expect(view).toContain('`127.0.0.1`');
    expect(view).toContain(`🟢 ${w.gate.port}`);
    expect(view).toContain('in <#C0CHECKS>');
    expect(view).toContain(`last change`);
    expect(view).toContain('🔕 muted until');
    expect(view).toContain('/smtp-check watch &lt;host&gt; [ports]');
  });

  test('a mention runs watch commands too, answering in an ephemeral message', async () => {
    const before = w.api.calls.filter((call) => call.method === 'chat.postEphemeral').length;
    await w.event({
      type: 'app_mention',
      user: OTHER,
      text: '<@U0BOT> list',
      ts: '1700000001.000100',
      channel: 'C0CHECKS',
      event_ts: '1700000001.000100',
    });
    const [ephemeral] = (await w.api.waitForCalls('chat.postEphemeral', before + 1)).slice(-1);
    expect(ephemeral?.body).toMatchObject({ channel: 'C0CHECKS', user: OTHER });
    expect(String(ephemeral?.body.text)).toContain('*1 watched host* in this channel');
  });

  test('unwatch by command is announced, and the list is empty afterwards', async () => {
    await w.command('unwatch 127.0.0.1', 'unwatch');
    const [stopped] = (
      await w.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.body.channel === 'C0CHECKS' &&
          String(call.body.text).startsWith('Stopped'),
      )
    ).slice(-1);
    expect(stopped?.ok).toBe(true);
    await w.command('list', 'empty-list');
    expect((await w.answer('empty-list')).text).toContain('No hosts are watched in this channel');
    expect(await w.store.listWatches({ channel: 'C0CHECKS' })).toEqual([]);
    expect(w.api.calls.filter((call) => !call.ok)).toEqual([]);
    expect(w.logs.join('\n')).not.toContain(BOT_TOKEN);
  });
});
