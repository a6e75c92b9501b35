import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createAdmission, createRunCheck } from '../../src/check/index.js';
import type { RunCheck } from '../../src/check/types.js';
import { createLogger } from '../../src/log.js';
import { RateLimiter } from '../../src/policy/index.js';
import { DEFAULT_LIMITS, probeHost } from '../../src/probe/index.js';
import { createSlackApp } from '../../src/slack/index.js';
import { openLowdbWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { createTestCa } from '../helpers/certs.js';
import { type RecordedCall, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { startGatedProxy } from '../helpers/slack-gated-proxy.js';
import { postBlockAction, postEvent, postSlashCommand } from '../helpers/slack-signed-request.js';
import { startSmtpServer } from '../helpers/smtp-test-server.js';

// The bot as main.ts builds it for the watch e2e tests: the real Bolt app in HTTP mode, signed
// requests, the real probe against a real smtp-server (and a gated front for it, to hold a probe
// open), the lowdb store on a temp file, a local Slack Web API. WATCH_ADMINS is ADMIN only.

export const BOT_TOKEN = 'xoxb-watch-test-1234567890';
const SIGNING_SECRET = 'watch-signing-secret-0123456789';
export const ADMIN = 'U0ALICE';
export const OTHER = 'U0MALLORY';

export type WatchApp = Awaited<ReturnType<typeof startWatchApp>>;

/** The value of the first button with this action id in a recorded message. */
export function buttonValue(call: RecordedCall | undefined, actionId: string): string {
  const blocks = (call?.body.blocks ?? []) as Array<{
    elements?: Array<{ action_id?: string; value?: string }>;
  }>;
  const button = blocks
    .flatMap((block) => block.elements ?? [])
    .find((element) => element.action_id === actionId);
  expect(button, `a ${actionId} button`).toBeDefined();
  return String(button?.value);
}

export async function startWatchApp() {
  const api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  const ca = createTestCa();
  const smtp = await startSmtpServer({
    name: 'mx.test',
    ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
  });
  const gate = await startGatedProxy(smtp.port);
  const now = () => new Date();
  const check = createRunCheck({
    probeHost,
    limits: { ...DEFAULT_LIMITS, connectTimeoutMs: 2_000 },
    now,
    extraCa: [ca.cert],
  });
  /** When each probe finished, so a test can prove its ack came first. */
  const finishedAt: number[] = [];
  const runCheck: RunCheck = async (request, hooks) => {
    try {
      return await check(request, hooks);
    } finally {
      finishedAt.push(Date.now());
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-watch-http-'));
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => logs.push(line),
    secrets: [BOT_TOKEN, SIGNING_SECRET],
  });
  const store = await openLowdbWatchStore(join(dir, 'watches.json'), { logger });
  const admit = createAdmission({
    limiter: new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 100 }, Date.now),
    extraPorts: [smtp.port, gate.port],
  });
  const watches = createWatchCommands({ store, runCheck, now, logger, admins: [ADMIN], admit });
  const app = createSlackApp({
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
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;

  const posts = (channel?: string) =>
    api.calls.filter(
      (call) =>
        call.method === 'chat.postMessage' && (channel === undefined || call.body.channel === channel),
    );

  return {
    api,
    smtp,
    gate,
    store,
    finishedAt,
    logs,
    posts,
    postedSince: (before: number) => posts().slice(before),
    /** A signed `/smtp-check text`; its response_url answers are recorded under id. */
    async command(text: string, id: string, user = ADMIN, channel = 'C0CHECKS') {
      const ack = await postSlashCommand(eventsUrl, SIGNING_SECRET, {
        text,
        user_id: user,
        channel_id: channel,
        response_url: api.responseUrl(id),
      });
      expect(ack.status).toBe(200);
    },
    /** The count-th ephemeral answer through response_url id. */
    async answer(id: string, count = 1): Promise<{ text: string; blocks: string }> {
      const responses = await api.waitForResponses(id, count);
      const last = responses[count - 1]!;
      expect(last.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      return { text: String(last.body.text), blocks: JSON.stringify(last.body.blocks) };
    },
    event: (event: Record<string, unknown>) => postEvent(eventsUrl, SIGNING_SECRET, event),
    click(
      actionId: string,
      value: string,
      id: string,
      options: { user: string; channel: string; ts?: string },
    ) {
      const ts = options.ts ?? '1700000000.000001';
      return postBlockAction(eventsUrl, SIGNING_SECRET, {
        type: 'block_actions',
        user: { id: options.user, username: 'someone', team_id: 'T0TEAM' },
        api_app_id: 'A0APP',
        token: 'deprecated',
        team: { id: 'T0TEAM', domain: 'fake' },
        container: { type: 'message', message_ts: ts, channel_id: options.channel, is_ephemeral: false },
        channel: { id: options.channel, name: 'somewhere' },
        message: { type: 'message', ts, text: 'smtp-check' },
        response_url: api.responseUrl(id),
        trigger_id: '1.2.3',
        actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
      });
    },
    async close() {
      await app.stop({ drainMs: 5_000 });
      await store.close();
      await gate.close();
      await smtp.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
