import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requirePostgres } from '../helpers/postgres.js';
import { postEvent, postSlashCommand } from '../helpers/slack-signed-request.js';
import { CHANNEL, DEADLINE_MS, type Fleet, SIGNING_SECRET, startFleet } from './fleet-harness.js';

// The bot as it is started (src/main.ts) with DATABASE_URL: two real processes, one database. What
// a thread reply needs is in the database, so the replica that did not post a check re-checks it
// against the earlier result; both answer /healthz from their own database connection.

const skip = await requirePostgres();

describe.skipIf(skip !== null)('two bot processes share what a thread reply needs', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet();
  }, 2 * DEADLINE_MS);
  afterAll(() => fleet?.close());

  test('both are healthy; a check posted by one is re-checked through the other', {
    timeout: 3 * DEADLINE_MS,
  }, async () => {
    const target = await fleet.healthyHost(2);
    const [one, two] = [await fleet.startReplica(), await fleet.startReplica()] as const;

    for (const replica of [one, two]) {
      const response = await fetch(replica.eventsUrl().replace('/slack/events', '/healthz'));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: true, database: 'ok' });
    }

    const ack = await postSlashCommand(one.eventsUrl(), SIGNING_SECRET, {
      text: `${target.host}:${target.port}`,
      channel_id: CHANNEL,
      user_id: 'U0ALICE',
      response_url: fleet.api.responseUrl('check'),
    });
    expect(ack.status).toBe(200);
    const [parent] = await fleet.api.waitForCalls(
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
    await fleet.api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && call.ok && call.body.thread_ts === parentTs,
      1,
      DEADLINE_MS,
    );

    const mention = await postEvent(two.eventsUrl(), SIGNING_SECRET, {
      type: 'app_mention',
      user: 'U0BOB',
      text: '<@U0BOT> recheck',
      ts: '1700000000.999999',
      thread_ts: parentTs,
      channel: CHANNEL,
      event_ts: '1700000000.999999',
    });
    expect(mention.status).toBe(200);
    const [finished] = await fleet.api.waitForCalls(
      (call) => call.method === 'chat.update' && call.ok && String(call.body.text).startsWith('Re-checked'),
      1,
      DEADLINE_MS,
    );
    // Against the earlier result: what changed, not a second full report; never "no earlier result".
    expect(JSON.stringify(finished?.body)).toMatch(/Nothing changed/i);
    const said = JSON.stringify(fleet.api.calls.map((call) => call.body));
    expect(said).not.toContain('no earlier result');
  });
});
