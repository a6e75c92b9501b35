import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, test } from 'vitest';
import { ChatError } from '../../src/chat/use-cases/chat-error.js';
import { silentLogger } from '../../src/log.js';
import { createSlackChat, WATCH_POST_EVENT_TYPE } from '../../src/slack/slack-chat.js';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';

// A post tagged with a key is found again through conversations.history (top level) or
// conversations.replies (a thread), as the tick does when a post's answer was lost.

const TOKEN = 'xoxb-find-post-0123456789';
const message = (text: string) => ({ text, blocks: [] });
let api: FakeSlackApi | undefined;

async function chatOn(scopes?: string[]) {
  api = await startFakeSlackApi({ botToken: TOKEN, ...(scopes ? { scopes } : {}) });
  const client = new webApi.WebClient(TOKEN, { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
  return { api, chat: createSlackChat(client, silentLogger, { maxAttempts: 1, maxWaitMs: 0 }) };
}

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('createSlackChat().findPost()', () => {
  test('tags a post with its key and finds it by that key, pages back included', async () => {
    const { api, chat } = await chatOn();
    const since = new Date();
    const tagged = await chat.post('C0ALERTS', message('🚨 port 25 blocked'), { key: 'k-alert' });
    // 450 later messages: the alert is on the third page of 200.
    for (let i = 0; i < 450; i += 1) await chat.post('C0ALERTS', message(`chatter ${i}`));
    expect(api.messagesIn('C0ALERTS')[0]?.metadata).toEqual({
      event_type: WATCH_POST_EVENT_TYPE,
      event_payload: { key: 'k-alert' },
    });
    expect(await chat.findPost?.('C0ALERTS', 'k-alert', { since })).toEqual(tagged);
    const reads = api.calls.filter((call) => call.method === 'conversations.history');
    expect(reads.map((call) => call.body.include_all_metadata)).toEqual(['true', 'true', 'true']);
    expect(await chat.findPost?.('C0ALERTS', 'k-other', { since })).toBeNull();
    expect(await chat.findPost?.('C0ELSEWHERE', 'k-alert', { since })).toBeNull();
  });

  test('finds a thread reply through conversations.replies', async () => {
    const { chat } = await chatOn();
    const since = new Date();
    const alert = await chat.post('C0ALERTS', message('🚨 alert'), { key: 'k-alert' });
    const reply = await chat.post('C0ALERTS', message('🟢 recovered'), {
      threadTs: alert.ts,
      key: 'k-recovery',
    });
    // A reply is not in the channel's history, only in its thread.
    expect(await chat.findPost?.('C0ALERTS', 'k-recovery', { since })).toBeNull();
    expect(await chat.findPost?.('C0ALERTS', 'k-recovery', { since, threadTs: alert.ts })).toEqual(reply);
  });

  test('without the history scope Slack answers missing_scope, and so does findPost', async () => {
    const { chat } = await chatOn(['chat:write', 'commands', 'app_mentions:read']);
    await chat.post('C0ALERTS', message('🚨 alert'), { key: 'k' });
    const error = await chat.findPost?.('C0ALERTS', 'k', { since: new Date() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect((error as ChatError).code).toBe('missing_scope');
  });
});
