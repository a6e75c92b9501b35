import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAdmission, createRunCheck } from '../../src/check/index.js';
import type { RunCheck } from '../../src/check/types.js';
import { createLogger } from '../../src/log.js';
import { RateLimiter } from '../../src/policy/index.js';
import { DEFAULT_LIMITS, probeHost } from '../../src/probe/index.js';
import { createSlackApp, type SlackApp } from '../../src/slack/index.js';
import { openLowdbWatchStore, type WatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { createTestCa } from '../helpers/certs.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { type GatedProxy, startGatedProxy } from '../helpers/slack-gated-proxy.js';
import { postBlockAction, postEvent, postSlashCommand } from '../helpers/slack-signed-request.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// The watch commands, buttons and App Home end to end: the real Bolt app in HTTP mode, signed
// requests, the real probe against a real smtp-server, the lowdb store on a temp file, a local
// Slack Web API. WATCH_ADMINS is U0ALICE; U0MALLORY may look but not change.

const BOT_TOKEN = 'xoxb-watch-test-1234567890';
const SIGNING_SECRET = 'watch-signing-secret-0123456789';
const ADMIN = 'U0ALICE';
const OTHER = 'U0MALLORY';

let api: FakeSlackApi;
let smtp: RunningServer;
let gate: GatedProxy;
let store: WatchStore;
let app: SlackApp;
let eventsUrl: string;
let dir: string;
const finishedAt: number[] = [];
const logs: string[] = [];

const posts = (channel?: string) =>
  api.calls.filter(
    (call) => call.method === 'chat.postMessage' && (channel === undefined || call.body.channel === channel),
  );
const postedSince = (before: number) => posts().slice(before);

async function command(text: string, id: string, user = ADMIN, channel = 'C0CHECKS') {
  const ack = await postSlashCommand(eventsUrl, SIGNING_SECRET, {
    text,
    user_id: user,
    channel_id: channel,
    response_url: api.responseUrl(id),
  });
  expect(ack.status).toBe(200);
  return ack;
}

async function answer(id: string, count = 1): Promise<{ text: string; blocks: string }> {
  const responses = await api.waitForResponses(id, count);
  const last = responses[count - 1]!;
  expect(last.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return { text: String(last.body.text), blocks: JSON.stringify(last.body.blocks) };
}

function click(
  actionId: string,
  value: string,
  id: string,
  options: { user: string; channel: string; ts?: string },
) {
  return postBlockAction(eventsUrl, SIGNING_SECRET, {
    type: 'block_actions',
    user: { id: options.user, username: 'someone', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'deprecated',
    team: { id: 'T0TEAM', domain: 'fake' },
    container: {
      type: 'message',
      message_ts: options.ts ?? '1.1',
      channel_id: options.channel,
      is_ephemeral: false,
    },
    channel: { id: options.channel, name: 'somewhere' },
    message: { type: 'message', ts: options.ts ?? '1.1', text: 'smtp-check' },
    response_url: api.responseUrl(id),
    trigger_id: '1.2.3',
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
  });
}

/** The value of the first button with this action id in a recorded message. */
function buttonValue(call: RecordedCall | undefined, actionId: string): string {
  const blocks = (call?.body.blocks ?? []) as Array<{
    elements?: Array<{ action_id?: string; value?: string }>;
  }>;
  const button = blocks
    .flatMap((block) => block.elements ?? [])
    .find((element) => element.action_id === actionId);
  expect(button, `a ${actionId} button`).toBeDefined();
  return String(button?.value);
}

beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  const ca = createTestCa();
  smtp = await startSmtpServer({
    name: 'mx.test',
    ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
  });
  gate = await startGatedProxy(smtp.port);
  const now = () => new Date();
  const check = createRunCheck({
    probeHost,
    limits: { ...DEFAULT_LIMITS, connectTimeoutMs: 2_000 },
    now,
    extraCa: [ca.cert],
  });
  const runCheck: RunCheck = async (request, hooks) => {
    try {
      return await check(request, hooks);
    } finally {
      finishedAt.push(Date.now());
    }
  };
  dir = mkdtempSync(join(tmpdir(), 'smtp-check-watch-http-'));
  const logger = createLogger({
    level: 'debug',
    write: (line) => logs.push(line),
    secrets: [BOT_TOKEN, SIGNING_SECRET],
  });
  store = await openLowdbWatchStore(join(dir, 'watches.json'), { logger });
  const admit = createAdmission({
    limiter: new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 100 }, Date.now),
    extraPorts: [smtp.port, gate.port],
  });
  const watches = createWatchCommands({ store, runCheck, now, logger, admins: [ADMIN], admit });
  app = createSlackApp({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    port: 0,
    host: '127.0.0.1',
    apiUrl: api.apiUrl,
    botId: 'B0BOT',
    botUserId: 'U0BOT',
    runCheck,
    admit,
    watches,
    logger,
  });
  const { port } = await app.start();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  await app?.stop({ drainMs: 5_000 });
  await store?.close();
  await gate?.close();
  await smtp?.close();
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('watch commands through the Slack app', () => {
  test('watch acks before the baseline probe, says it started, then confirms in the channel', async () => {
    await command(`watch 127.0.0.1:${gate.port}`, 'watch');
    const ackedAt = Date.now();
    // The server behind the gate has not spoken: the probe cannot have finished.
    expect(finishedAt).toEqual([]);
    expect((await answer('watch')).text).toContain('Probing `127.0.0.1` for a baseline');
    expect(posts()).toEqual([]);
    gate.open();

    const [confirmation] = await api.waitForCalls((call) => call.method === 'chat.postMessage');
    expect(finishedAt).toHaveLength(1);
    expect(ackedAt).toBeLessThan(finishedAt[0]!);
    expect(confirmation).toMatchObject({ ok: true, body: { channel: 'C0CHECKS' } });
    expect(String(confirmation?.body.text)).toContain(
      `👀 Watching \`127.0.0.1\` on 1 port (${gate.port}) for <@${ADMIN}>`,
    );
    expect(buttonValue(confirmation, 'smtp_check_unwatch')).toBe('127.0.0.1');
    expect(await store.getWatch('C0CHECKS', '127.0.0.1')).toMatchObject({
      ports: [gate.port],
      addedBy: ADMIN,
    });
    expect((await store.getAlertStates('C0CHECKS', '127.0.0.1'))[gate.port]).toMatchObject({ phase: 'ok' });
  });

  test('list and history answer the requester only, admins or not', async () => {
    const before = posts().length;
    await command('list', 'list', OTHER);
    const list = await answer('list');
    expect(list.text).toContain('*1 watched host* in this channel');
    expect(list.text).toContain(`🟢 ${gate.port}`);
    expect(list.blocks).toContain('smtp_check_unwatch');
    await command('history 127.0.0.1', 'history', OTHER);
    const history = await answer('history');
    expect(history.text).toContain('History of `127.0.0.1`');
    expect(history.text).toContain('█');
    expect(postedSince(before)).toEqual([]);
  });

  test('mute: a bad duration is explained to the requester only; a good one is announced', async () => {
    const before = posts().length;
    await command('mute 127.0.0.1 3 fortnights', 'bad-mute');
    expect((await answer('bad-mute')).text).toContain('`fortnights` is not a unit I know');
    await command('mute 127.0.0.1', 'no-duration');
    expect((await answer('no-duration')).text).toContain(
      'mute needs a host and a duration, as in /smtp-check mute `smtp.example.com` 2h',
    );
    expect(await store.getMute('C0CHECKS', '127.0.0.1')).toBeNull();
    expect(postedSince(before)).toEqual([]);

    const mutedAt = Date.now();
    await command('mute 127.0.0.1 2h', 'mute');
    const [muted] = await api.waitForCalls('chat.postMessage', before + 1);
    expect(muted?.body.channel).toBe('C0CHECKS');
    expect(String(posts().at(-1)?.body.text)).toContain(`🔕 <@${ADMIN}> muted \`127.0.0.1\` until`);
    const until = Date.parse((await store.getMute('C0CHECKS', '127.0.0.1'))?.until ?? '');
    expect(until - mutedAt).toBeGreaterThan(2 * 3_600_000 - 5_000);
    expect(until - mutedAt).toBeLessThan(2 * 3_600_000 + 5_000);
  });

  test('with WATCH_ADMINS set, anyone else is told so, and nothing is probed, posted or stored', async () => {
    const before = posts().length;
    const probes = finishedAt.length;
    const watchBefore = await store.getWatch('C0CHECKS', '127.0.0.1');
    const muteBefore = await store.getMute('C0CHECKS', '127.0.0.1');
    for (const [id, text] of [
      ['mallory-watch', `watch 127.0.0.1:${smtp.port}`],
      ['mallory-unwatch', 'unwatch 127.0.0.1'],
      ['mallory-mute', 'mute 127.0.0.1 off'],
    ] as const) {
      await command(text, id, OTHER);
      expect((await answer(id)).text).toContain('Only the watch admins can change watches here');
    }
    expect(postedSince(before)).toEqual([]);
    expect(finishedAt.length).toBe(probes);
    expect(await store.getWatch('C0CHECKS', '127.0.0.1')).toEqual(watchBefore);
    expect(await store.getMute('C0CHECKS', '127.0.0.1')).toEqual(muteBefore);
  });

  test('a watch on a port outside the allow-list is refused before any probe', async () => {
    const probes = finishedAt.length;
    await command('watch 127.0.0.1 25,6379', 'port');
    const refused = await answer('port');
    expect(refused.text).toContain(
      'I didn’t start watching `127.0.0.1`: port 6379 is not an SMTP port I probe',
    );
    expect(api.responses.filter((response) => response.id === 'port')).toHaveLength(1);
    expect(finishedAt.length).toBe(probes);
    expect((await store.getWatch('C0CHECKS', '127.0.0.1'))?.ports).toEqual([gate.port]);
  });

  test('the App Home tab lists the watched hosts, their state and last change', async () => {
    const opened = await postEvent(eventsUrl, SIGNING_SECRET, {
      type: 'app_home_opened',
      user: OTHER,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1700000000.500000',
    });
    expect(opened.status).toBe(200);
    const [publish] = await api.waitForCalls('views.publish');
    expect(publish).toMatchObject({ ok: true, body: { user_id: OTHER, view: { type: 'home' } } });
    const view = JSON.stringify(publish?.body.view);
    expect(view).toContain('Watched hosts');
    expect(view).toContain('`127.0.0.1`');
    expect(view).toContain(`🟢 ${gate.port}`);
    expect(view).toContain('in <#C0CHECKS>');
    expect(view).toContain(`last change`);
    expect(view).toContain('🔕 muted until');
    expect(view).toContain('/smtp-check watch &lt;host&gt; [ports]');
  });

  test('Watch this host on a check’s parent watches it in that channel; Unwatch stops it', async () => {
    await command(`127.0.0.1:${smtp.port}`, 'check', ADMIN, 'C0OTHER');
    const parent = (
      await api.waitForCalls((call) => call.method === 'chat.postMessage' && call.body.channel === 'C0OTHER')
    )[0];
    const ts = String(parent?.response.ts);
    const [finished] = await api.waitForCalls(
      (call) =>
        call.method === 'chat.update' &&
        call.body.ts === ts &&
        JSON.stringify(call.body.blocks).includes('smtp_check_watch'),
    );
    // The check's thread (one port, then the advice) is done before the click.
    await api.waitForCalls((call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts, 2);
    const before = posts('C0OTHER').length;
    expect(
      (
        await click('smtp_check_watch', buttonValue(finished, 'smtp_check_watch'), 'watch-button', {
          user: ADMIN,
          channel: 'C0OTHER',
          ts,
        })
      ).status,
    ).toBe(200);
    const confirmation = (
      await api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.body.channel === 'C0OTHER' &&
          String(call.body.text).includes('Watching'),
      )
    )[0];
    expect(posts('C0OTHER')).toHaveLength(before + 1);
    expect(String(confirmation?.body.text)).toContain(
      `Watching \`127.0.0.1\` on 1 port (${smtp.port}) for <@${ADMIN}>`,
    );
    expect(await store.getWatch('C0OTHER', '127.0.0.1')).toMatchObject({ ports: [smtp.port] });

    const unwatch = buttonValue(confirmation, 'smtp_check_unwatch');
    await click('smtp_check_unwatch', unwatch, 'unwatch-other', { user: OTHER, channel: 'C0OTHER' });
    expect((await answer('unwatch-other')).text).toContain('Only the watch admins');
    expect(await store.getWatch('C0OTHER', '127.0.0.1')).not.toBeNull();

    await click('smtp_check_unwatch', unwatch, 'unwatch-admin', { user: ADMIN, channel: 'C0OTHER' });
    const [stopped] = (
      await api.waitForCalls(
        (call) => call.method === 'chat.postMessage' && String(call.body.text).startsWith('Stopped watching'),
      )
    ).slice(-1);
    expect(stopped?.body).toMatchObject({ channel: 'C0OTHER' });
    expect(String(stopped?.body.text)).toBe(`Stopped watching \`127.0.0.1\` in this channel (<@${ADMIN}>).`);
    expect(await store.getWatch('C0OTHER', '127.0.0.1')).toBeNull();
    // The same host stays watched where it was watched too.
    expect(await store.getWatch('C0CHECKS', '127.0.0.1')).not.toBeNull();
  });

  test('where the bot may not post, a new watch is confirmed privately with a warning', async () => {
    api.failNext('chat.postMessage', { error: 'not_in_channel' });
    await command(`watch 127.0.0.1:${smtp.port}`, 'private', ADMIN, 'C0PRIVATE');
    const warned = await answer('private', 2);
    expect(warned.text).toContain('watch alerts can’t reach it either');
    expect(warned.text).toContain('/invite @smtp-check');
    expect(warned.text).toContain('Watching `127.0.0.1`');
  });

  test('a mention runs watch commands too, answering in an ephemeral message', async () => {
    const before = api.calls.filter((call) => call.method === 'chat.postEphemeral').length;
    await postEvent(eventsUrl, SIGNING_SECRET, {
      type: 'app_mention',
      user: OTHER,
      text: '<@U0BOT> list',
      ts: '1700000001.000100',
      channel: 'C0CHECKS',
      event_ts: '1700000001.000100',
    });
    const [ephemeral] = (await api.waitForCalls('chat.postEphemeral', before + 1)).slice(-1);
    expect(ephemeral?.body).toMatchObject({ channel: 'C0CHECKS', user: OTHER });
    expect(String(ephemeral?.body.text)).toContain('*1 watched host* in this channel');
  });

  test('unwatch by command is announced, and the list is empty afterwards', async () => {
    await command('unwatch 127.0.0.1', 'unwatch');
    const [stopped] = (
      await api.waitForCalls(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.body.channel === 'C0CHECKS' &&
          String(call.body.text).startsWith('Stopped'),
      )
    ).slice(-1);
    expect(stopped?.ok).toBe(true);
    await command('list', 'empty-list');
    expect((await answer('empty-list')).text).toContain('No hosts are watched in this channel');
    expect(await store.listWatches({ channel: 'C0CHECKS' })).toEqual([]);
    expect(api.calls.filter((call) => !call.ok).map((call) => call.error)).toEqual(['not_in_channel']);
    expect(logs.join('\n')).not.toContain(BOT_TOKEN);
  });
});
