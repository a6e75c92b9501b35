import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN, buttonValue, OTHER, startWatchApp, type WatchApp } from './watch-app-harness.js';

// The Watch this host and Unwatch buttons end to end through the Slack app (see
// watch-app-harness.ts), and a watch where the bot may not post.

let w: WatchApp;
beforeAll(async () => {
  w = await startWatchApp();
  // Watched elsewhere already: unwatching it in another channel must leave this one alone.
  await w.command(`watch 127.0.0.1:${w.smtp.port}`, 'first');
  await w.api.waitForCalls('chat.postMessage');
});
afterAll(() => w?.close());

describe('watch buttons through the Slack app', () => {
  test('Watch this host on a check’s parent watches it in that channel; Unwatch stops it', async () => {
    await w.command(`127.0.0.1:${w.smtp.port}`, 'check', ADMIN, 'C0OTHER');
    const parent = (
      await w.api.waitForCalls(
        (call) => call.method === 'chat.postMessage' && call.body.channel === 'C0OTHER',
      )
    )[0];
    const ts = String(parent?.response.ts);
    const [finished] = await w.api.waitForCalls(
      (call) =>
        call.method === 'chat.update' &&
        call.body.ts === ts &&
        JSON.stringify(call.body.blocks).includes('smtp_check_watch'),
    );
    // The check's thread (one port, then the advice) is done before the click.
    await w.api.waitForCalls((call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts, 2);
    const before = w.posts('C0OTHER').length;
    expect(
      (
        await w.click('smtp_check_watch', buttonValue(finished, 'smtp_check_watch'), 'watch-button', {
          user: ADMIN,
          channel: 'C0OTHER',
          ts,
        })
      ).status,
    ).toBe(200);
    const confirmation = (
      await w.api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.body.channel === 'C0OTHER' &&
          String(call.body.text).includes('Watching'),
      )
    )[0];
    expect(w.posts('C0OTHER')).toHaveLength(before + 1);
    expect(String(confirmation?.body.text)).toContain(
      `Watching \`127.0.0.1\` on 1 port (${w.smtp.port}) for <@${ADMIN}>`,
    );
    expect(await w.store.getWatch('C0OTHER', '127.0.0.1')).toMatchObject({ ports: [w.smtp.port] });

    const unwatch = buttonValue(confirmation, 'smtp_check_unwatch');
    await w.click('smtp_check_unwatch', unwatch, 'unwatch-other', { user: OTHER, channel: 'C0OTHER' });
    expect((await w.answer('unwatch-other')).text).toContain('Only the watch admins');
    expect(await w.store.getWatch('C0OTHER', '127.0.0.1')).not.toBeNull();

    await w.click('smtp_check_unwatch', unwatch, 'unwatch-admin', { user: ADMIN, channel: 'C0OTHER' });
    const [stopped] = (
      await w.api.waitForCalls(
        (call) => call.method === 'chat.postMessage' && String(call.body.text).startsWith('Stopped watching'),
      )
    ).slice(-1);
    expect(stopped?.body).toMatchObject({ channel: 'C0OTHER' });
    expect(String(stopped?.body.text)).toBe(`Stopped watching \`127.0.0.1\` in this channel (<@${ADMIN}>).`);
    expect(await w.store.getWatch('C0OTHER', '127.0.0.1')).toBeNull();
    // The same host stays watched where it was watched too.
    expect(await w.store.getWatch('C0CHECKS', '127.0.0.1')).not.toBeNull();
  });

  test('where the bot may not post, a new watch is confirmed privately with a warning', async () => {
    w.api.failNext('chat.postMessage', { error: 'not_in_channel' });
    await w.command(`watch 127.0.0.1:${w.smtp.port}`, 'private', ADMIN, 'C0PRIVATE');
    const warned = await w.answer('private', 2);
    expect(warned.text).toContain('watch alerts can’t reach it either');
    expect(warned.text).toContain('/invite @smtp-check');
    expect(warned.text).toContain('Watching `127.0.0.1`');
  });
});
