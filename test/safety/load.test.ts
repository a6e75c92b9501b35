import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createAdmission,
  createRunCheck,
  type LimitedRunCheck,
  limitConcurrency,
} from '../../src/check/index.js';
import { createTargetPolicy, DEFAULT_RATE_LIMITS, RateLimiter } from '../../src/policy/index.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { createTestCa } from '../helpers/certs.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import type { RecordedCall } from '../helpers/fake-slack-api.js';
import { type GatedProxy, startGatedProxy } from '../helpers/slack-gated-proxy.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { testLimits } from '../helpers/probe-limits.js';

// 50 people type /smtp-check at the same moment. The real app (HTTP mode, signed requests, the
// production admission and caps) must ack every one without waiting for any probe, answer every
// one, and keep the probes within the caps while it does. A correctness test: the ack times are
// printed, and `npm run bench` holds the timing target (acks well inside Slack's 3 seconds).

const COMMANDS = 50;
const TARGETS = Array.from({ length: 10 }, (_, index) => `mx${index}.load.test`);
// main.ts's caps: MAX_CONCURRENT_CHECKS default, one check per target at a time.
const CAPS = { maxConcurrentChecks: 8, maxPerTarget: 1 };

let slack: SlackTestApp;
let dns: TestDnsServer;
let smtp: RunningServer;
let gate: GatedProxy;
let limited: LimitedRunCheck;
const sessions = { active: 0, peak: 0, total: 0 };
let runningPeak = 0;

beforeAll(async () => {
  dns = await startDnsServer(Object.fromEntries(TARGETS.map((name) => [name, { A: ['127.0.0.1'] }])));
  const ca = createTestCa();
  smtp = await startSmtpServer({
    name: 'mx.load.test',
    ...ca.issue({ commonName: 'mx.load.test', dnsNames: TARGETS }),
    onConnect(_session, callback) {
      sessions.total += 1;
      sessions.active += 1;
      sessions.peak = Math.max(sessions.peak, sessions.active);
      runningPeak = Math.max(runningPeak, limited.stats().running);
      callback();
    },
    onClose() {
      sessions.active -= 1;
    },
  });
  // Every probe goes through the gate, which holds the server's greeting until the test opens it.
  gate = await startGatedProxy(smtp.port);
  limited = limitConcurrency(
    createRunCheck({
      probeHost,
      // Long enough that a held greeting never turns into a second (implicit TLS) connection.
      limits: testLimits({
        connectTimeoutMs: 3_000,
        greetingTimeoutMs: 20_000,
        replyTimeoutMs: 5_000,
        otherModeAfterMs: 15_000,
      }),
      now: () => new Date(),
      resolver: createResolver([dns.server]),
      policy: createTargetPolicy(['127.0.0.0/8']),
      extraCa: [ca.cert],
    }),
    CAPS,
  );
  slack = await startSlackTestApp({
    runCheck: limited.runCheck,
    // The production rate limits: 50 users, 5 checks per target — all within them.
    admit: createAdmission({
      limiter: new RateLimiter(DEFAULT_RATE_LIMITS, Date.now),
      extraPorts: [gate.port],
    }),
  });
});

afterAll(async () => {
  await slack?.close(5_000);
  await gate?.close();
  await smtp?.close();
  await dns?.close();
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

describe('50 simultaneous slash commands', () => {
  test('are all acked while every probe is still held, all answered, and the probes stay within the caps', async () => {
    const { api, app } = slack;
    const channelOf = (index: number) => `C0LOAD${String(index).padStart(2, '0')}`;
    const acks = await Promise.all(
      Array.from({ length: COMMANDS }, async (_, index) => {
        const started = performance.now();
        const response = await slack.command({
          text: `${TARGETS[index % TARGETS.length]}:${gate.port}`,
          channel_id: channelOf(index),
          user_id: `U0USER${String(index).padStart(2, '0')}`,
          response_url: api.responseUrl(`load-${index}`),
        });
        return { status: response.status, ms: performance.now() - started };
      }),
    );
    const ackMs = acks.map((ack) => ack.ms).sort((a, b) => a - b);
    // No server has been allowed to greet, so no probe can have finished: had any ack waited for
    // its probe, the acks above would never have come back.
    expect(gate.isOpen).toBe(false);
    expect(sessions.total).toBe(0);
    gate.open();

    // Every command gets its parent, its finished parent (with buttons) and its thread.
    const isParent = (call: RecordedCall) => call.method === 'chat.postMessage' && !call.body.thread_ts;
    const isFinal = (call: RecordedCall) =>
      call.method === 'chat.update' && JSON.stringify(call.body.blocks ?? []).includes('Re-run');
    await api.waitForCalls(isFinal, COMMANDS, 30_000);
    await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && !!call.body.thread_ts,
      2 * COMMANDS,
      30_000,
    );
    expect(await app.idle(5_000)).toBe(true);

    const figures = {
      ackP50Ms: Math.round(percentile(ackMs, 50)),
      ackP99Ms: Math.round(percentile(ackMs, 99)),
      ackMaxMs: Math.round(ackMs.at(-1) ?? 0),
      smtpSessions: sessions.total,
      smtpPeakSimultaneous: sessions.peak,
      checksPeakRunning: limited.stats().peak,
    };
    console.log('load', figures);

    expect(acks.map((ack) => ack.status)).toEqual(Array(COMMANDS).fill(200));
    const parents = api.calls.filter(isParent);
    const finals = api.calls.filter(isFinal);
    for (let index = 0; index < COMMANDS; index += 1) {
      const channel = channelOf(index);
      expect(
        parents.filter((call) => call.body.channel === channel),
        channel,
      ).toHaveLength(1);
      expect(
        finals.filter((call) => call.body.channel === channel),
        channel,
      ).toHaveLength(1);
    }
    expect(api.calls.filter((call) => !call.ok)).toEqual([]);
    expect(api.responses).toEqual([]);
    // One port per check: every check opened exactly one session, never more at once than the cap.
    expect(sessions.total).toBe(COMMANDS);
    expect(sessions.peak).toBeLessThanOrEqual(CAPS.maxConcurrentChecks);
    expect(limited.stats().peak).toBeLessThanOrEqual(CAPS.maxConcurrentChecks);
    expect(runningPeak).toBeLessThanOrEqual(CAPS.maxConcurrentChecks);
    // They did run side by side: the bound above was exercised.
    expect(limited.stats().peak).toBeGreaterThan(1);
  }, 60_000);
});
