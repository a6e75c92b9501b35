import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAsyncAdmission } from '../../src/check/index.js';
import { createPgCheckResults, FleetRateLimiter } from '../../src/fleet-context/index.js';
import { createLogger } from '../../src/log.js';
import { createPool } from '../../src/database/connection.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { buttonValue } from '../e2e/watch-app-harness.js';
import { createTestCa } from '../helpers/certs.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { requirePostgres } from '../helpers/postgres.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { finishedRecheck, mentionRecheck } from '../helpers/slack-recheck.js';
import { type SlackTestApp, startSlackTestApp, TEST_BOT_TOKEN } from '../helpers/slack-test-app.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { createFleetTestDatabase, type FleetTestDatabase, unreachableDatabase } from './fleet-database.js';

// Two replicas of the bot (the real Bolt app in HTTP mode, each with its own pool) share one
// PostgreSQL and one local Slack Web API. A check posted by replica one is clicked, re-run and
// re-checked through replica two, which never saw it. Real probe against a real smtp-server.

const skip = await requirePostgres();

describe.skipIf(skip !== null)('two replicas on one database', () => {
  let fleet: FleetTestDatabase;
  let api: FakeSlackApi;
  let smtp: RunningServer;
  let one: SlackTestApp;
  let two: SlackTestApp;
  let twoChecks: ReturnType<typeof realRunCheck>;
  const logs: string[] = [];

  const replica = async (checks: ReturnType<typeof realRunCheck>, name: string) => {
    const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) }, { replica: name });
    const db = fleet.open();
    const limiter = new FleetRateLimiter(db, { perUserPerMinute: 1, perTargetPerMinute: 100 }, { logger });
    return startSlackTestApp({
      api,
      runCheck: checks.runCheck,
      results: createPgCheckResults(db),
      admit: createAsyncAdmission({ limiter, extraPorts: [smtp.port] }),
      watches: createWatchCommands({
        store: createMemoryWatchStore(),
        runCheck: checks.runCheck,
        now: () => new Date(),
        logger,
      }),
      logger,
    });
  };

  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
    const ca = createTestCa();
    smtp = await startSmtpServer({
      name: 'mx.test',
      ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
    });
    api = await startFakeSlackApi({ botToken: TEST_BOT_TOKEN });
    one = await replica(realRunCheck({ extraCa: [ca.cert] }), 'one');
    twoChecks = realRunCheck({ extraCa: [ca.cert] });
    two = await replica(twoChecks, 'two');
  });

  afterAll(async () => {
    await one?.close(5_000);
    await two?.close(5_000);
    await api?.close();
    await smtp?.close();
    await fleet?.close();
  });

  const threadReplies = (ts: string) => (call: RecordedCall) =>
    call.method === 'chat.postMessage' && call.ok && call.body.thread_ts === ts;

  /** A check of the local server posted by replica one for `user`; its parent's final update. */
  async function checkOnReplicaOne(user: string): Promise<{ parentTs: string; parent: RecordedCall }> {
    const posts = api.calls.filter(
      (call) => call.method === 'chat.postMessage' && !call.body.thread_ts,
    ).length;
    const command = await one.command({
      text: `127.0.0.1:${smtp.port}`,
      user_id: user,
      response_url: api.responseUrl(`check-${user}`),
    });
    expect(command.status).toBe(200);
    const [posted] = (
      await api.waitForCalls((call) => call.method === 'chat.postMessage' && !call.body.thread_ts, posts + 1)
    ).slice(posts);
    const parentTs = String(posted?.response.ts);
    await api.waitForCalls(threadReplies(parentTs), 2);
    await one.app.idle(20_000);
    const parent = api.calls
      .filter((call) => call.method === 'chat.update' && call.body.ts === parentTs)
      .at(-1);
    expect(parent).toBeDefined();
    return { parentTs, parent: parent as RecordedCall };
  }

  const clickOnTwo = (parent: RecordedCall, parentTs: string, actionId: string, user: string, id: string) =>
    two.click(actionId, buttonValue(parent, actionId), id, { user, channel: 'C0CHECKS', ts: parentTs });

  test('Show config on the other replica answers from the stored result, without probing again', async () => {
    const { parentTs, parent } = await checkOnReplicaOne('U0ALICE');
    const probesBefore = twoChecks.finishedAt.length;
    expect((await clickOnTwo(parent, parentTs, 'smtp_check_show_config', 'U0CAROL', 'config')).status).toBe(
      200,
    );
    const [config] = await api.waitForResponses('config');
    expect(String(config?.body.text)).toContain('Configuration for `127.0.0.1`');
    await two.app.idle(20_000);
    expect(twoChecks.finishedAt.length).toBe(probesBefore);
  });

  test('Re-run on the other replica says what changed since the first replica’s check', async () => {
    const { parentTs, parent } = await checkOnReplicaOne('U0ALAN');
    const replies = api.calls.filter(threadReplies(parentTs)).length;
    expect((await clickOnTwo(parent, parentTs, 'smtp_check_rerun', 'U0BOB', 'rerun')).status).toBe(200);
    const { finished, parent: updated } = await finishedRecheck(api, parentTs);
    expect(JSON.stringify(finished?.body.blocks)).toContain('Nothing changed');
    expect(JSON.stringify(updated?.body.blocks)).toContain('re-checked for <@U0BOB>');
    await two.app.idle(20_000);
    // With the earlier result known, the per-port replies are not posted a second time.
    expect(api.calls.filter(threadReplies(parentTs))).toHaveLength(replies + 1);
    // The stored result still names who ran the check on replica one.
    const { rows } = await fleet
      .open()
      .pool.query('SELECT requester FROM check_results WHERE message_ts = $1', [parentTs]);
    expect(rows).toEqual([{ requester: 'U0ALAN' }]);
  });

  test('@smtp-check recheck in the thread, received by the other replica, compares with the stored result', async () => {
    const { parentTs } = await checkOnReplicaOne('U0AMY');
    expect((await mentionRecheck(two, parentTs, 'U0DAVE')).status).toBe(200);
    const { finished } = await finishedRecheck(api, parentTs);
    expect(JSON.stringify(finished?.body.blocks)).toContain('Nothing changed');
    await two.app.idle(20_000);
  });

  test('Watch this host on the other replica starts a watch from what the button carries', async () => {
    const { parentTs, parent } = await checkOnReplicaOne('U0ANN');
    const before = api.calls.length;
    expect((await clickOnTwo(parent, parentTs, 'smtp_check_watch', 'U0ERIN', 'watch')).status).toBe(200);
    const [announced] = await api.waitForCalls(
      (call) =>
        call.method === 'chat.postMessage' && api.calls.indexOf(call) >= before && !call.body.thread_ts,
    );
    expect(String(announced?.body.text)).toContain('127.0.0.1');
    expect(String(announced?.body.text)).toMatch(/[Ww]atching/);
    await two.app.idle(20_000);
  });

  test('a user’s allowance is shared: a check on one replica counts on the other', async () => {
    await checkOnReplicaOne('U0RATE');
    expect(
      (
        await two.command({
          text: `127.0.0.1:${smtp.port}`,
          user_id: 'U0RATE',
          response_url: api.responseUrl('rate'),
        })
      ).status,
    ).toBe(200);
    const [refused] = await api.waitForResponses('rate');
    expect(String(refused?.body.text)).toContain('you have started 1 checks in the last minute (limit 1)');
  });

  test('with its database away, a replica answers Show config from the button and logs the failure', async () => {
    const { parentTs, parent } = await checkOnReplicaOne('U0AVA');
    const url = unreachableDatabase('pw-never-logged');
    const pool = createPool(url, { connectTimeoutMs: 1_000, onIdleError: () => undefined });
    const lonelyLogs: string[] = [];
    const lonely = await startSlackTestApp({
      api,
      runCheck: realRunCheck().runCheck,
      results: createPgCheckResults({ pool, url }),
      logger: createLogger({ level: 'debug', write: (line) => lonelyLogs.push(line) }),
    });
    try {
      const click = await lonely.click(
        'smtp_check_show_config',
        buttonValue(parent, 'smtp_check_show_config'),
        'lonely',
        {
          user: 'U0CAROL',
          channel: 'C0CHECKS',
          ts: parentTs,
        },
      );
      expect(click.status).toBe(200);
      const [config] = await api.waitForResponses('lonely', 1, 20_000);
      expect(String(config?.body.text)).toContain('Configuration for `127.0.0.1`');
      expect(lonelyLogs.join('\n')).toContain('could not load the earlier result of a check');
      expect(lonelyLogs.join('\n')).not.toContain('pw-never-logged');
    } finally {
      await lonely.close(5_000);
      await pool.end();
    }
  });
});
