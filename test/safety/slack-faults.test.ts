import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck } from '../../src/check/index.js';
import { silentLogger } from '../../src/log.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import type { SlackApp } from '../../src/slack/index.js';
import { createSlackChat } from '../../src/slack/slack-chat.js';
import { ChatError } from '../../src/chat/use-cases/chat-error.js';
import { classifyFailure, type RetryOptions } from '../../src/slack/with-rate-limit-retry.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import type { FakeSlackApi, Fault, RecordedCall } from '../helpers/fake-slack-api.js';
import { freePort } from '../helpers/scripted-server.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { healthy, port25Filtered, World } from '../watch/watch-harness.js';
import { type CountingMta, startCountingMta } from './counting-mta.js';
import { testLimits } from '../helpers/probe-limits.js';

// The Slack Web API misbehaving: 5xx, calls that hang past the request timeout, connections cut
// without an answer, and answers lost after Slack did the work. A check must still end with its
// result in the channel; a watch alert must land exactly once.

const REQUEST_TIMEOUT_MS = 300;
// Production's policy with short waits: three attempts, backoff from 20 ms.
const RETRY: RetryOptions = { maxAttempts: 3, maxWaitMs: 2_000, backoffMs: 20 };

let slack: SlackTestApp;
let api: FakeSlackApi;
let app: SlackApp;
let mta: CountingMta;

beforeAll(async () => {
  mta = await startCountingMta();
  slack = await startSlackTestApp({
    runCheck: createRunCheck({
      probeHost,
      limits: testLimits({ stageTimeoutMs: 1_000 }),
      now: () => new Date(),
      policy: createTargetPolicy(['127.0.0.0/8']),
    }),
    retry: RETRY,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  ({ api, app } = slack);
});

afterAll(async () => {
  await slack?.close(2_000);
  await mta?.close();
});

let channelCounter = 0;
const hasButtons = (call: RecordedCall): boolean => JSON.stringify(call.body.blocks ?? []).includes('Re-run');

describe('a check while the Slack API fails', () => {
  test.each<[string, Fault[]]>([
    [
      '500, then a hang past the timeout, then a dropped connection',
      [{ status: 500 }, { hang: true }, { drop: true }],
    ],
    ['503 three times', [{ status: 503 }, { status: 503 }, { status: 503 }]],
    [
      'hangs and drops after Slack applied the update',
      [{ hang: true, processed: true }, { drop: true, processed: true }, { status: 502 }],
    ],
  ])('chat.update failing (%s): the final result still lands, with its thread', async (_name, faults) => {
    const channel = `C0FAULTS${++channelCounter}`;
    for (const fault of faults) api.failNext('chat.update', fault);
    const ack = await slack.command({
      text: `127.0.0.1:${mta.port}`,
      channel_id: channel,
      response_url: api.responseUrl(channel),
    });
    expect(ack.status).toBe(200);
    const [parent] = await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && call.body.channel === channel && !call.body.thread_ts,
    );
    const ts = String(parent?.response.ts);
    await api.waitForCalls((call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts, 2);
    const updates = api.calls.filter((call) => call.method === 'chat.update' && call.body.ts === ts);
    // Every fault was met (at most one update plus its retries can be lost: a progress step)…
    expect(updates.filter((call) => call.fault !== undefined)).toHaveLength(faults.length);
    // …and the last update Slack applied is the finished parent.
    const applied = updates.filter((call) => call.ok);
    expect(hasButtons(applied.at(-1)!)).toBe(true);
    expect(updates.at(-1)?.ok).toBe(true);
  });

  test('chat.postMessage whose answer is lost after Slack posted it is not sent again', async () => {
    const channel = `C0FAULTS${++channelCounter}`;
    const responseId = `${channel}-response`;
    api.failNext('chat.postMessage', { hang: true, processed: true });
    await slack.command({
      text: `127.0.0.1:${mta.port}`,
      channel_id: channel,
      response_url: api.responseUrl(responseId),
    });
    const [told] = await api.waitForResponses(responseId);
    expect(String(told?.body.text)).toContain('Slack refused my message');
    expect(await app.idle(5_000)).toBe(true);
    // The one message Slack has is the one posted; a retry would have made it two.
    const posts = api.calls.filter(
      (call) => call.method === 'chat.postMessage' && call.body.channel === channel,
    );
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ ok: true, fault: 'hang after processing' });
  });

  test('chat.postMessage answered 429 is retried after Retry-After and posts once', async () => {
    const channel = `C0FAULTS${++channelCounter}`;
    api.failNext('chat.postMessage', { retryAfterSeconds: 0 });
    await slack.command({
      text: `127.0.0.1:${mta.port}`,
      channel_id: channel,
      response_url: api.responseUrl(channel),
    });
    const [parent] = await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && call.ok && call.body.channel === channel,
    );
    await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && call.body.thread_ts === parent?.response.ts,
      2,
    );
    const parents = api.calls.filter(
      (call) => call.method === 'chat.postMessage' && call.body.channel === channel && !call.body.thread_ts,
    );
    expect(parents.map((call) => call.ok)).toEqual([false, true]);
  });
});

describe('classifyFailure() on real WebClient errors', () => {
  test('a refused connection is "not-sent", a timeout and a 5xx are "outcome-unknown"', async () => {
    const closed = await freePort();
    const failureOf = async (apiUrl: string, fault?: Fault) => {
      if (fault) api.failNext('chat.postMessage', fault);
      // The options createSlackApp gives its client.
      const client = new webApi.WebClient(slack.botToken, {
        slackApiUrl: apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: REQUEST_TIMEOUT_MS,
        logLevel: webApi.LogLevel.ERROR,
      });
      const chat = createSlackChat(client, silentLogger, { ...RETRY, maxAttempts: 1 });
      const error = await chat
        .post('C0CLASSIFY', { text: 'x', blocks: [] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ChatError);
      return classifyFailure(error);
    };
    expect(await failureOf(`http://127.0.0.1:${closed}/api/`)).toBe('not-sent');
    expect(await failureOf(api.apiUrl, { hang: true })).toBe('outcome-unknown');
    expect(await failureOf(api.apiUrl, { drop: true })).toBe('outcome-unknown');
    expect(await failureOf(api.apiUrl, { status: 500 })).toBe('outcome-unknown');
    expect(await failureOf(api.apiUrl, { retryAfterSeconds: 1 })).toBe('rate-limited');
    expect(await failureOf(api.apiUrl, { error: 'invalid_blocks' })).toBe('final');
    expect(await failureOf(api.apiUrl, { error: 'internal_error' })).toBe('outcome-unknown');
  });
});

describe('a watch alert while the Slack API fails', () => {
  const HOST = 'smtp.watched.test';

  async function watchedWorld(channel: string) {
    const world = new World();
    const store = createMemoryWatchStore();
    world.set(HOST, healthy());
    const commands = createWatchCommands({
      store,
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    expect((await commands.addWatch({ channel, host: HOST, ports: '25,587', user: 'U0LEAD' })).ok).toBe(true);
    // The production notifier: chat.postMessage / chat.update through the real WebClient.
    const tick = () => world.tick(store, undefined, app.notifier);
    return { world, store, tick };
  }

  const alertsIn = (channel: string) =>
    api.calls.filter(
      (call) => call.method === 'chat.postMessage' && call.body.channel === channel && !call.body.thread_ts,
    );

  test.each<[string, Fault]>([
    ['HTTP 500', { status: 500 }],
    ['HTTP 503', { status: 503 }],
    ['a hang past the request timeout', { hang: true }],
    ['a dropped connection', { drop: true }],
  ])('an alert that failed with %s is delivered on the next tick, exactly once', async (_name, fault) => {
    const channel = `C0ALERT${++channelCounter}`;
    const { world, store, tick } = await watchedWorld(channel);
    world.set(HOST, port25Filtered());
    await tick(); // suspect: one failure never pages
    api.failNext('chat.postMessage', fault);
    const failed = await tick(); // blocked: the alert is due, Slack fails
    expect(failed.deliveryFailures).toBe(1);
    expect(alertsIn(channel).filter((call) => call.ok)).toHaveLength(0);
    const retried = await tick();
    expect(retried.delivered).toBe(1);
    await tick();
    await tick();
    const alerts = alertsIn(channel);
    expect(alerts.map((call) => call.ok)).toEqual([false, true]);
    expect(String(alerts[1]?.body.text)).toContain(HOST);
    expect(await store.getIncident(channel, HOST)).not.toBeNull();
  });

  test('an alert whose answer was lost after Slack posted it is raised again: the one duplicate we accept over a lost alert', async () => {
    const channel = `C0ALERT${++channelCounter}`;
    const { world, tick } = await watchedWorld(channel);
    world.set(HOST, port25Filtered());
    await tick();
    api.failNext('chat.postMessage', { hang: true, processed: true });
    expect((await tick()).deliveryFailures).toBe(1);
    expect((await tick()).delivered).toBe(1);
    await tick();
    expect(alertsIn(channel).filter((call) => call.ok)).toHaveLength(2);
  });

  test('a recovery update failing with 5xx is retried within the tick (chat.update is idempotent)', async () => {
    const channel = `C0ALERT${++channelCounter}`;
    const { world, tick } = await watchedWorld(channel);
    world.set(HOST, port25Filtered());
    await tick();
    await tick();
    const [alert] = alertsIn(channel);
    world.set(HOST, healthy());
    await tick();
    api.failNext('chat.update', { status: 500 });
    api.failNext('chat.update', { drop: true });
    const recovered = await tick();
    expect(recovered.deliveryFailures).toBe(0);
    const updates = api.calls.filter(
      (call) => call.method === 'chat.update' && call.body.ts === alert?.response.ts,
    );
    expect(updates.map((call) => call.ok)).toEqual([false, false, true]);
  });
});
