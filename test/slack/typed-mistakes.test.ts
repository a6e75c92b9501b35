import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMemoryWatchStore, type WatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { healthy, World } from '../watch/watch-harness.js';

// What the bot answers to a mistyped command, through the real Bolt receiver (signed requests)
// and a local Slack Web API: to the requester only, by response_url, and nothing in the channel.

const HOST = 'smtp.example.test';

let slack: SlackTestApp;
let world: World;
let store: WatchStore;

beforeAll(async () => {
  world = new World();
  world.set(HOST, healthy());
  store = createMemoryWatchStore();
  const watches = createWatchCommands({
    store,
    runCheck: world.runCheck,
    now: world.now,
    logger: silentLogger,
  });
  slack = await startSlackTestApp({ runCheck: world.runCheck, watches });
});

afterAll(async () => {
  await slack?.close(5_000);
});

/** The one answer to a signed `/smtp-check text`, after checking nothing reached the channel. */
async function answerTo(text: string, id: string): Promise<string> {
  const response = await slack.command({ text, response_url: slack.api.responseUrl(id) });
  expect(response.status).toBe(200);
  const [answer] = await slack.api.waitForResponses(id, 1, 10_000);
  await slack.app.idle(10_000);
  expect(slack.api.calls.filter((call) => call.method === 'chat.postMessage')).toEqual([]);
  return JSON.stringify(answer?.body);
}

describe('mistyped commands in Slack', () => {
  test('`smtp example.com`: did you mean smtp.example.com, with the command to type', async () => {
    const answer = await answerTo('smtp example.com 587', 'spaced');
    expect(answer).toContain('did you mean `smtp.example.com`? Type: /smtp-check `smtp.example.com` 587');
    expect(answer).not.toContain('is not a port');
    expect(world.checks).toHaveLength(0);
  });

  test('`watch host --password=…`: change that password, as for a check; no watch, no probe, no echo', async () => {
    const check = await answerTo(`${HOST} --password=hunter2`, 'check-password');
    const watch = await answerTo(`watch ${HOST} --password=hunter2`, 'watch-password');
    expect(watch).toContain('change that password now');
    expect(watch).toBe(check);
    expect(watch).not.toContain('hunter2');
    const spaced = await answerTo(`watch ${HOST} 25 --pass hunter2`, 'watch-pass');
    expect(spaced).toContain('change that password now');
    expect(spaced).not.toContain('hunter2');
    expect(await store.listWatches()).toEqual([]);
    expect(world.checks).toHaveLength(0);
  });
});
