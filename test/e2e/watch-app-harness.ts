import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createAdmission } from '../../src/check/index.js';
import { createLogger } from '../../src/log.js';
import { RateLimiter } from '../../src/policy/index.js';
import { openLowdbWatchStore } from '../../src/store/index.js';
import { createWatchCommands } from '../../src/watch/index.js';
import { createTestCa } from '../helpers/certs.js';
import type { RecordedCall } from '../helpers/fake-slack-api.js';
import { startGatedProxy } from '../helpers/slack-gated-proxy.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { startSlackTestApp } from '../helpers/slack-test-app.js';
import { startSmtpServer } from '../helpers/smtp-test-server.js';
import { testLimits } from '../helpers/probe-limits.js';

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
  const ca = createTestCa();
  const smtp = await startSmtpServer({
    name: 'mx.test',
    ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
  });
  const gate = await startGatedProxy(smtp.port);
  const now = () => new Date();
  const { runCheck, finishedAt } = realRunCheck({
    limits: testLimits({ connectTimeoutMs: 2_000 }),
    now,
    extraCa: [ca.cert],
  });
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
  const slack = await startSlackTestApp({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    runCheck,
    admit,
    watches,
    logger,
  });
  const { api } = slack;

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
      const ack = await slack.command({
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
    event: slack.event,
    click: slack.click,
    async close() {
      await slack.close(5_000);
      await store.close();
      await gate.close();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
