import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createSlackChat } from '../../src/slack/slack-chat.js';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { sampleValue } from '../helpers/exposition.js';

// Slack's answers as Prometheus sees them, through the local Slack Web API: every attempt counted
// with its outcome, a 429 as rate-limited and its retry as a retry, by method.

const TOKEN = 'xoxb-test-1234567890-abcdefghij';
let api: FakeSlackApi;

beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: TOKEN });
});

afterAll(async () => {
  await api?.close();
});

function chatWith(metrics: ReturnType<typeof createMetrics>) {
  // The options createSlackApp gives its client: our retries, not the WebClient's.
  const client = new webApi.WebClient(TOKEN, {
    slackApiUrl: api.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: webApi.LogLevel.ERROR,
  });
  return createSlackChat(
    client,
    silentLogger,
    { maxAttempts: 3, maxWaitMs: 5_000, sleep: async () => {} },
    metrics,
  );
}

describe('createSlackChat() with metrics', () => {
  test('a 429 then a success: one rate-limited attempt, one retry, one ok call', async () => {
    const metrics = createMetrics({ localVantage: 'office', version: '0.0.0-test', processMetrics: false });
    api.failNext('chat.postMessage', { retryAfterSeconds: 1 });
    await chatWith(metrics).post('C0METRICS', { text: 'hello', blocks: [] });
    const text = await metrics.exposition();
    const method = 'chat.postMessage';
    expect(sampleValue(text, 'smtp_check_slack_api_calls_total', { method, outcome: 'rate-limited' })).toBe(
      1,
    );
    expect(sampleValue(text, 'smtp_check_slack_api_calls_total', { method, outcome: 'ok' })).toBe(1);
    expect(sampleValue(text, 'smtp_check_slack_api_rate_limited_total', { method })).toBe(1);
    expect(sampleValue(text, 'smtp_check_slack_api_retries_total', { method })).toBe(1);
    expect(sampleValue(text, 'smtp_check_slack_api_rate_limited_total', { method: 'chat.update' })).toBe(0);
  });

  test('a final error is counted and not retried', async () => {
    const metrics = createMetrics({ localVantage: 'office', version: '0.0.0-test', processMetrics: false });
    api.failNext('chat.update', { error: 'message_not_found' });
    await expect(
      chatWith(metrics).update({ channel: 'C0METRICS', ts: '1.000001' }, { text: 'x', blocks: [] }),
    ).rejects.toThrow();
    const text = await metrics.exposition();
    expect(
      sampleValue(text, 'smtp_check_slack_api_calls_total', { method: 'chat.update', outcome: 'final' }),
    ).toBe(1);
    expect(sampleValue(text, 'smtp_check_slack_api_retries_total', { method: 'chat.update' })).toBe(0);
  });
});
