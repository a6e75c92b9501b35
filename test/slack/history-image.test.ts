import { afterEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMemoryWatchStore, type WatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { decodePng } from '../helpers/png.js';
import { type SlackTestApp, startSlackTestApp, TEST_BOT_TOKEN } from '../helpers/slack-test-app.js';
import { healthy, port25Filtered, World } from '../watch/watch-harness.js';

// History pictures end to end: the real Bolt app in HTTP mode takes a signed `/smtp-check history`,
// its WebClient runs files.uploadV2 against the local Slack API (upload URL, the bytes, the share),
// and the PNG that arrives is decoded. Without the files:write scope the same command answers with
// the text history and names the scope; a recovery in an incident thread brings the day's picture.

const HOST = 'smtp.example.test';
const CHANNEL = 'C0CHECKS';
const REDDISH_PURPLE = [204, 121, 167];
const BLUISH_GREEN = [0, 158, 115];
const ALL_SCOPES_BUT_FILES = [
  'app_mentions:read',
  'channels:history',
  'chat:write',
  'commands',
  'groups:history',
];

interface Setup {
  world: World;
  store: WatchStore;
  api: FakeSlackApi;
  slack: SlackTestApp;
}

let running: Setup | null = null;
afterEach(async () => {
  await running?.slack.close();
  await running?.api.close();
  running = null;
});

/** A watched host whose port 25 was filtered from 12:15 to 14:30 UTC (Paris: 13:15 to 15:30). */
async function setUp(scopes?: string[]): Promise<Setup> {
  const world = new World();
  world.set(HOST, healthy());
  const store = createMemoryWatchStore();
  const watches = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
  });
  const api = await startFakeSlackApi({ botToken: TEST_BOT_TOKEN, ...(scopes ? { scopes } : {}) });
  const slack = await startSlackTestApp({ api, runCheck: world.runCheck, watches, timeZone: 'Europe/Paris' });
  running = { world, store, api, slack };
  await watches.addWatch({ channel: CHANNEL, host: HOST, ports: [25, 587], user: 'U0ALICE' });
  world.set(HOST, port25Filtered());
  for (let tick = 0; tick < 9; tick += 1) await world.tick(store, undefined, slack.app.notifier);
  world.set(HOST, healthy());
  for (let tick = 0; tick < 2; tick += 1) await world.tick(store, undefined, slack.app.notifier);
  return running;
}

/** The picture's pixel at a time of the last 24 hours (the window both pictures use here). */
function pixelAt(png: ReturnType<typeof decodePng>, world: World, iso: string, row: number): number[] {
  const from = world.nowMs - 86_400_000;
  const x = Math.round(216 + ((Date.parse(iso) - from) / 86_400_000) * 640);
  return png.rgb(x, 116 + row * 74 + 14 + 22);
}

describe('history pictures in Slack', () => {
  test('`history host` posts the picture in the channel through files.uploadV2, with the facts as its text', async () => {
    const { api, slack, world } = await setUp();
    const before = api.files.length;
    await slack.command({ text: `history ${HOST}`, response_url: api.responseUrl('history') });
    const [complete] = await api.waitForCalls(
      (call) => call.method === 'files.completeUploadExternal' && !String(call.body.thread_ts ?? ''),
    );
    const methods = api.calls.map((call) => call.method);
    const asked = methods.lastIndexOf('files.getUploadURLExternal');
    expect(methods.slice(asked)).toEqual(
      expect.arrayContaining(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']),
    );
    expect(complete).toMatchObject({ ok: true, body: { channel_id: CHANNEL } });

    const file = api.files[before]!;
    expect(file.shared).toMatchObject({ channel: CHANNEL, threadTs: null });
    expect(file.filename).toBe('smtp-check-smtp.example.test.png');
    expect(file.bytes?.length).toBe(file.length);
    // The words carry what the picture shows, in CHECK_TIMEZONE.
    expect(file.shared?.comment).toContain('*History of `smtp.example.test`*');
    expect(file.shared?.comment).toContain('times in Europe/Paris');
    expect(file.shared?.comment).toContain('• 25: usable');
    expect(file.shared?.comment).toContain('1 incident (2 h 15 min from 1 Mar 13:15)');
    expect(file.altText).toContain('Timeline picture.');

    const png = decodePng(file.bytes!);
    expect(png.width).toBe(1000);
    expect(pixelAt(png, world, '2026-03-01T13:15:00.000Z', 0)).toEqual(REDDISH_PURPLE);
    expect(pixelAt(png, world, '2026-03-01T14:40:00.000Z', 0)).toEqual(BLUISH_GREEN);
    expect(pixelAt(png, world, '2026-03-01T13:15:00.000Z', 1)).toEqual(BLUISH_GREEN);
    // The picture is the answer: nothing else was said to the requester.
    expect(api.responses.filter((response) => response.id === 'history')).toEqual([]);
  });

  test('a recovery in the incident thread is followed by the picture of its day', async () => {
    const { api } = await setUp();
    const alert = api.calls.find(
      (call) => call.method === 'chat.postMessage' && call.ok && !call.body.thread_ts,
    );
    const alertTs = String(alert?.response.ts);
    const replies = api.messagesIn(CHANNEL).filter((message) => message.thread_ts === alertTs);
    expect(replies.map((message) => message.text)).toEqual([
      expect.stringContaining('*Port 25 recovered*'),
      expect.stringContaining('Port *25* was blocked 2 h 15 min; here is the day on `smtp.example.test`.'),
    ]);
    const [file] = api.files;
    expect(file?.shared).toMatchObject({ channel: CHANNEL, threadTs: alertTs });
    expect(decodePng(file!.bytes!).width).toBe(1000);
  });

  test('without files:write, `history` answers with the text history and says which scope to add', async () => {
    const { api, slack } = await setUp(ALL_SCOPES_BUT_FILES);
    await slack.command({ text: `history ${HOST}`, response_url: api.responseUrl('history') });
    const [answer] = await api.waitForResponses('history');
    const text = String(answer?.body.text);
    expect(text).toContain('`missing_scope`');
    expect(text).toContain('`files:write`');
    expect(text).toContain('reinstalls the app');
    expect(text).toContain('History of `smtp.example.test`');
    expect(
      api.calls.filter((call) => call.method === 'files.getUploadURLExternal').map((call) => call.error),
    ).toEqual(['missing_scope', 'missing_scope']);
    expect(api.files).toEqual([]);
  });

  test('without files:write, the recovery is still posted in the thread, without a picture', async () => {
    const { api } = await setUp(ALL_SCOPES_BUT_FILES);
    const recovered = api
      .messagesIn(CHANNEL)
      .filter((message) => message.text.includes('*Port 25 recovered*'));
    expect(recovered).toHaveLength(1);
    expect(api.calls.some((call) => call.method === 'files.completeUploadExternal')).toBe(false);
  });

  test('a token that may not upload (not_allowed_token_type) gets the same text answer', async () => {
    const { api, slack } = await setUp();
    api.failNext('files.getUploadURLExternal', { error: 'not_allowed_token_type' });
    await slack.command({ text: `history ${HOST}`, response_url: api.responseUrl('history') });
    const [answer] = await api.waitForResponses('history');
    expect(String(answer?.body.text)).toContain('`not_allowed_token_type`');
    expect(String(answer?.body.text)).toContain('`files:write`');
    expect(String(answer?.body.text)).toContain('History of `smtp.example.test`');
  });

  test('where the bot may not post, the history comes as text, with Slack’s reason', async () => {
    const { api, slack } = await setUp();
    api.failNext('files.completeUploadExternal', { error: 'not_in_channel' });
    await slack.command({ text: `history ${HOST}`, response_url: api.responseUrl('history') });
    const [answer] = await api.waitForResponses('history');
    const text = String(answer?.body.text);
    expect(text).toContain('I couldn’t post the history picture (Slack answered `not_in_channel`)');
    expect(text).not.toContain('files:write');
    expect(text).toContain('History of `smtp.example.test`');
  });
});
