import { afterEach, describe, expect, test } from 'vitest';
import { requirePostgres } from '../helpers/postgres.js';
import { postEvent, postSlashCommand } from '../helpers/slack-signed-request.js';
import { startSocketModeServer } from '../helpers/slack-socket-server.js';
import {
  CHANNEL,
  DEADLINE_MS,
  type Fleet,
  SIGNING_SECRET,
  startFleet,
  type WatchedHost,
} from './fleet-harness.js';

// The bot as it is started (src/main.ts) with DATABASE_URL: two real processes, one database. What
// a thread reply needs is in the database, so the replica that did not post a check re-checks it
// against the earlier result — whether requests come over HTTP (any replica gets any request) or
// over Socket Mode (Slack gives each envelope to one of the open connections).

const skip = await requirePostgres();
const APP_TOKEN = 'xapp-1-A0APP-fleet-socket-0123456789';
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const mention = (threadTs: string) => ({
  type: 'app_mention',
  user: 'U0BOB',
  text: '<@U0BOT> recheck',
  ts: '1700000000.999999',
  thread_ts: threadTs,
  channel: CHANNEL,
  event_ts: '1700000000.999999',
});

/** Runs a check through `postCheck`, then a thread's recheck through `postRecheck`; the outcome. */
async function checkThenRecheck(
  f: Fleet,
  target: WatchedHost,
  postCheck: (text: string) => Promise<unknown>,
  postRecheck: (threadTs: string) => Promise<unknown>,
) {
  await postCheck(`${target.host}:${target.port}`);
  const [parent] = await f.api.waitForCalls(
    (call) =>
      call.method === 'chat.postMessage' &&
      call.ok &&
      call.body.thread_ts === undefined &&
      String(call.body.text).includes(target.host),
    1,
    DEADLINE_MS,
  );
  const parentTs = String(parent?.response.ts);
  // The thread's replies come after the result is stored.
  await f.api.waitForCalls(
    (call) => call.method === 'chat.postMessage' && call.ok && call.body.thread_ts === parentTs,
    1,
    DEADLINE_MS,
  );
  await postRecheck(parentTs);
  const [finished] = await f.api.waitForCalls(
    (call) => call.method === 'chat.update' && call.ok && String(call.body.text).startsWith('Re-checked'),
    1,
    DEADLINE_MS,
  );
  return { finished, said: JSON.stringify(f.api.calls.map((call) => call.body)) };
}

describe.skipIf(skip !== null)('two bot processes share what a thread reply needs', () => {
  test('HTTP mode: both are healthy; a check posted by one is re-checked through the other', {
    timeout: 3 * DEADLINE_MS,
  }, async () => {
    fleet = await startFleet();
    const f = fleet;
    const target = await f.healthyHost(2);
    const [one, two] = [await f.startReplica(), await f.startReplica()] as const;
    for (const replica of [one, two]) {
      const response = await fetch(replica.eventsUrl().replace('/slack/events', '/readyz'));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: true, database: 'ok', slack: 'listening' });
    }
    const { finished, said } = await checkThenRecheck(
      f,
      target,
      (text) =>
        postSlashCommand(one.eventsUrl(), SIGNING_SECRET, {
          text,
          channel_id: CHANNEL,
          user_id: 'U0ALICE',
          response_url: f.api.responseUrl('check'),
        }),
      (threadTs) => postEvent(two.eventsUrl(), SIGNING_SECRET, mention(threadTs)),
    );
    // Against the earlier result: what changed, not a second full report; never "no earlier result".
    expect(JSON.stringify(finished?.body)).toMatch(/Nothing changed/i);
    expect(said).not.toContain('no earlier result');
  });

  test('Socket Mode: each envelope goes to one connection; the other replica still has the result', {
    timeout: 3 * DEADLINE_MS,
  }, async () => {
    fleet = await startFleet({ appToken: APP_TOKEN });
    const f = fleet;
    const socket = await startSocketModeServer();
    try {
      f.api.setSocketUrl(socket.url);
      const target = await f.healthyHost(3);
      const socketMode = { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '', PORT: '' };
      await f.startReplica(socketMode);
      await f.startReplica(socketMode);
      expect(socket.connections()).toBe(2);
      const { finished, said } = await checkThenRecheck(
        f,
        target,
        (text) =>
          socket.send(
            'slash_commands',
            {
              team_id: 'T0TEAM',
              channel_id: CHANNEL,
              user_id: 'U0ALICE',
              command: '/smtp-check',
              text,
              api_app_id: 'A0APP',
              response_url: f.api.responseUrl('socket-check'),
              trigger_id: '1.2.3',
            },
            10_000,
            0,
          ),
        (threadTs) =>
          socket.send(
            'events_api',
            {
              team_id: 'T0TEAM',
              api_app_id: 'A0APP',
              type: 'event_callback',
              event_id: 'Ev0FLEETSOCKET',
              event_time: Math.floor(Date.now() / 1_000),
              authorizations: [{ team_id: 'T0TEAM', user_id: 'U0BOT', is_bot: true }],
              event: mention(threadTs),
            },
            10_000,
            1,
          ),
      );
      expect(JSON.stringify(finished?.body)).toMatch(/Nothing changed/i);
      expect(said).not.toContain('no earlier result');
    } finally {
      await socket.close();
    }
  });
});
