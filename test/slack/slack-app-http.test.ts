import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { SlackApp } from '../../src/slack/index.js';
import { createTestCa } from '../helpers/certs.js';
import type { FakeSlackApi, RecordedCall } from '../helpers/fake-slack-api.js';
import { startGatedProxy, type GatedProxy } from '../helpers/slack-gated-proxy.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { finishedRecheck, mentionRecheck } from '../helpers/slack-recheck.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import {
  type SlackTestApp,
  startSlackTestApp,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
} from '../helpers/slack-test-app.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// The real Bolt app in HTTP mode, a real probe against a real smtp-server, and a local Slack Web
// API. Only the Slack API is fake.

const BANNER = '<!channel> <@U0VICTIM> <https://evil.example/phish|click here>';

let slack: SlackTestApp;
let api: FakeSlackApi;
let smtp: RunningServer;
let gate: GatedProxy;
let app: SlackApp;
let checks: ReturnType<typeof realRunCheck>;
const logs: string[] = [];

const chatCalls = (): RecordedCall[] => api.calls.filter((call) => call.method.startsWith('chat.'));
const threadReplies = (ts: string) => (call: RecordedCall) =>
  call.method === 'chat.postMessage' && call.ok && call.body.thread_ts === ts;

/**
 * Runs one check of the local server through the slash command and waits for its parent message
 * and both thread replies, so each test starts from a check of its own.
 */
async function finishedCheck(responseId: string): Promise<{ parentTs: string; calls: RecordedCall[] }> {
  const before = api.calls.length;
  const posts = api.calls.filter((call) => call.method === 'chat.postMessage' && !call.body.thread_ts).length;
  expect(
    (await slack.command({ text: `127.0.0.1:${smtp.port}`, response_url: api.responseUrl(responseId) }))
      .status,
  ).toBe(200);
  const [parent] = (
    await api.waitForCalls((call) => call.method === 'chat.postMessage' && !call.body.thread_ts, posts + 1)
  ).slice(posts);
  const parentTs = String(parent?.response.ts);
  await api.waitForCalls(threadReplies(parentTs), 2);
  await app.idle(20_000);
  return { parentTs, calls: api.calls.slice(before) };
}

beforeAll(async () => {
  const ca = createTestCa();
  smtp = await startSmtpServer({
    name: 'mx.test',
    banner: BANNER,
    ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
  });
  gate = await startGatedProxy(smtp.port);
  checks = realRunCheck();
  slack = await startSlackTestApp({
    authTest: true,
    runCheck: checks.runCheck,
    logger: createLogger({
      level: 'debug',
      write: (line) => logs.push(line),
      secrets: [TEST_BOT_TOKEN, TEST_SIGNING_SECRET],
    }),
    logLevel: 'debug',
  });
  ({ api, app } = slack);
});

afterAll(async () => {
  await slack?.close(5_000);
  await gate?.close();
  await smtp?.close();
});

describe('createSlackApp() in HTTP mode', () => {
  test('start() verifies the token with auth.test against SLACK_API_URL', () => {
    expect(api.calls[0]).toMatchObject({ method: 'auth.test', token: TEST_BOT_TOKEN, ok: true });
  });

  test('acks the slash command before the probe finishes, then parent → updates → thread replies', async () => {
    await app.idle(20_000);
    const finishedBefore = checks.finishedAt.length;
    const callsBefore = api.calls.length;
    const ack = await slack.command({
      text: `127.0.0.1:${gate.port}`,
      response_url: api.responseUrl('check'),
    });
    const ackedAt = Date.now();
    expect(ack.status).toBe(200);
    // The SMTP server has not been allowed to speak yet, so no check can have finished.
    expect(checks.finishedAt).toHaveLength(finishedBefore);

    const [parent] = await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && api.calls.indexOf(call) >= callsBefore,
    );
    expect(parent).toMatchObject({ ok: true, body: { channel: 'C0CHECKS' } });
    expect(parent?.body.thread_ts).toBeUndefined();
    expect(String(parent?.body.text)).toContain('Checking `127.0.0.1` for <@U0ALICE>');
    const parentTs = String(parent?.response.ts);
    gate.open();

    // One reply for the port, then one with the advice, both in the parent's thread.
    const replies = await api.waitForCalls(threadReplies(parentTs), 2);
    expect(checks.finishedAt).toHaveLength(finishedBefore + 1);
    expect(ackedAt).toBeLessThan(checks.finishedAt[finishedBefore]!);
    expect(JSON.stringify(replies[0]?.body.blocks)).toContain(`*Port ${gate.port}*`);
    expect(JSON.stringify(replies[1]?.body.blocks)).toContain('What to do for');

    const sequence = chatCalls().filter((call) => api.calls.indexOf(call) >= callsBefore);
    const firstReply = sequence.findIndex(threadReplies(parentTs));
    const updates = sequence.slice(0, firstReply).filter((call) => call.method === 'chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const update of updates) {
      expect(update.body.ts).toBe(parentTs);
      expect(Array.isArray(update.body.blocks)).toBe(true);
    }
    // The last update before the thread is the finished parent, with its buttons.
    const finished = JSON.stringify(updates.at(-1)?.body.blocks);
    for (const button of ['Re-run', 'Watch this host', 'Show config']) expect(finished).toContain(button);
    expect(api.calls.slice(callsBefore).filter((call) => !call.ok)).toEqual([]);
  });

  test('a banner with <!channel> and a link reaches Slack escaped, inside code', async () => {
    const { calls } = await finishedCheck('escaped');
    const posted = JSON.stringify(
      calls.filter((call) => call.method.startsWith('chat.')).map((call) => call.body),
    );
    expect(posted).toContain(
      '&lt;!channel&gt; &lt;@U0VICTIM&gt; &lt;https://evil.example/phish|click here&gt;',
    );
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('<@U0VICTIM>');
    expect(posted).not.toContain('<https://evil.example');
  });

  test('@smtp-check recheck in the thread probes again and replies there with what changed', async () => {
    const { parentTs } = await finishedCheck('recheck');
    const mention = await mentionRecheck(slack, parentTs, 'U0BOB');
    expect(mention.status).toBe(200);
    const { finished } = await finishedRecheck(api, parentTs);
    expect(JSON.stringify(finished?.body.blocks)).toContain('Nothing changed');
  });

  test('Show config and Re-run buttons answer the clicker and re-check in the thread', async () => {
    const { parentTs } = await finishedCheck('buttons');
    const finished = api.calls
      .filter((call) => call.method === 'chat.update' && call.body.ts === parentTs)
      .at(-1);
    const buttons = (
      (finished?.body.blocks ?? []) as Array<{
        type: string;
        elements?: Array<{ action_id: string; value: string }>;
      }>
    ).find((block) => block.type === 'actions')?.elements;
    const click = (actionId: string, responseId: string) =>
      slack.click(actionId, buttons?.find((element) => element.action_id === actionId)?.value, responseId, {
        user: 'U0CAROL',
        channel: 'C0CHECKS',
        ts: parentTs,
      });
    expect((await click('smtp_check_show_config', 'config')).status).toBe(200);
    const [config] = await api.waitForResponses('config');
    expect(config?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(config?.body.text)).toContain('Configuration for `127.0.0.1`');

    expect((await click('smtp_check_watch', 'watch-button')).status).toBe(200);
    expect(String((await api.waitForResponses('watch-button'))[0]?.body.text)).toContain(
      'needs watches, and this bot runs without them',
    );

    const replies = api.calls.filter(threadReplies(parentTs)).length;
    expect((await click('smtp_check_rerun', 'rerun')).status).toBe(200);
    const [rerun] = (await api.waitForCalls(threadReplies(parentTs), replies + 1)).slice(replies);
    expect(String(rerun?.body.text)).toContain('Re-checking `127.0.0.1` for <@U0CAROL>');
    await api.waitForCalls(
      (call) =>
        call.method === 'chat.update' &&
        call.body.ts === rerun?.response.ts &&
        String(call.body.text).startsWith('Re-checked'),
    );
  });

  test('a server with a 200 KB EHLO full of mentions gets a thread Slack accepts', async () => {
    const line = `${'<!channel> <https://evil.example|x> \u001b[31m'.repeat(10)}${'A'.repeat(300)}`;
    const hostile = await startScriptedServer(async (socket, lines) => {
      socket.write(`220-<!everyone> <@U0VICTIM>\r\n220 mx.test ready\r\n`);
      for (let command = await lines.next(); command !== null; command = await lines.next()) {
        if (/^EHLO/i.test(command)) {
          socket.write(`${Array.from({ length: 300 }, () => `250-${line}\r\n`).join('')}250 SIZE 1000\r\n`);
        } else if (/^QUIT/i.test(command)) {
          socket.end('221 bye\r\n');
        } else {
          socket.write('502 no\r\n');
        }
      }
    });
    try {
      const before = api.calls.length;
      await slack.command({
        text: `127.0.0.1:${hostile.port}`,
        response_url: api.responseUrl('huge'),
      });
      const [parent] = (
        await api.waitForCalls(
          'chat.postMessage',
          api.calls.filter((call) => call.method === 'chat.postMessage').length + 1,
        )
      ).slice(-1);
      await api.waitForCalls(threadReplies(String(parent?.response.ts)), 2);
      const mine = api.calls.slice(before);
      expect(mine.filter((call) => !call.ok)).toEqual([]);
      const posted = JSON.stringify(mine.map((call) => call.body));
      expect(posted).not.toMatch(/<!(channel|everyone)>|<@U0VICTIM>|<https:\/\/evil/);
      expect(posted).toContain('&lt;!everyone&gt;');
      expect(posted).not.toContain('\\u001b');
    } finally {
      await hostile.close();
    }
  });

  test('opening the App Home tab publishes the home view', async () => {
    const opened = await slack.event({
      type: 'app_home_opened',
      user: 'U0ALICE',
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1700000000.500000',
    });
    expect(opened.status).toBe(200);
    const [publish] = await api.waitForCalls('views.publish');
    expect(publish).toMatchObject({ ok: true, body: { user_id: 'U0ALICE', view: { type: 'home' } } });
  });

  test('refuses a bad signature and a stale timestamp, and does nothing', async () => {
    // Whatever an earlier test started has finished, so any call from here on would be ours.
    expect(await app.idle(20_000)).toBe(true);
    const before = api.calls.length;
    const forged = await slack.command(
      { text: 'smtp.example.com', response_url: api.responseUrl('forged') },
      { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' },
    );
    const stale = await slack.command(
      { text: 'smtp.example.com', response_url: api.responseUrl('stale') },
      { timestamp: Math.floor(Date.now() / 1_000) - 6 * 60 },
    );
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(api.calls.length).toBe(before);
    expect(api.responses.filter((response) => response.id === 'forged' || response.id === 'stale')).toEqual(
      [],
    );
  });

  test('falls back to respond() with how to invite the bot when it is not in the channel', async () => {
    api.failNext('chat.postMessage', { error: 'not_in_channel' });
    const ack = await slack.command({
      text: `127.0.0.1:${smtp.port}`,
      channel_id: 'C0PRIVATE',
      response_url: api.responseUrl('private'),
    });
    expect(ack.status).toBe(200);
    const mine = await api.waitForResponses('private', 3);
    expect(mine[0]?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(mine[0]?.body.text)).toContain('/invite @smtp-check');
    expect(JSON.stringify(mine[1]?.body.blocks)).toContain('What to do for');
    expect(JSON.stringify(mine.map((response) => response.body))).not.toContain('<!channel>');
  });

  test('help, bad input and watch commands get an ephemeral answer through response_url', async () => {
    for (const [id, text] of [
      ['help', 'help'],
      ['bad', 'not a host!'],
      ['watch', 'watch smtp.example.com'],
    ]) {
      const ack = await slack.command({
        text: text!,
        response_url: api.responseUrl(id!),
      });
      expect(ack.status).toBe(200);
    }
    const [help] = await api.waitForResponses('help');
    const [bad] = await api.waitForResponses('bad');
    const [watch] = await api.waitForResponses('watch');
    for (const response of [help, bad, watch]) {
      expect(response?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    }
    expect(JSON.stringify(help?.body.blocks)).toContain('/smtp-check smtp.example.com 25,587');
    expect(String(bad?.body.text)).toContain('I couldn’t read that');
    expect(String(watch?.body.text)).toContain('needs watches, and this bot runs without them');
  });

  test('honours Retry-After when Slack answers 429', async () => {
    api.failNext('chat.postMessage', { retryAfterSeconds: 1 });
    const before = api.calls.filter((call) => call.method === 'chat.postMessage').length;
    await slack.command({
      text: `127.0.0.1:${smtp.port}`,
      response_url: api.responseUrl('limited'),
    });
    const posts = await api.waitForCalls('chat.postMessage', before + 2);
    const [limited, retried] = posts.slice(before);
    expect(limited?.error).toBe('ratelimited');
    expect(retried?.ok).toBe(true);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
    expect(await app.idle(20_000)).toBe(true);
  });

  test('never logs the tokens', () => {
    expect(logs.length).toBeGreaterThan(0);
    const all = logs.join('\n');
    expect(all).not.toContain(TEST_BOT_TOKEN);
    expect(all).not.toContain(TEST_SIGNING_SECRET);
  });
});
