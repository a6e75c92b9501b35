import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAdmission, createRunCheck, limitConcurrency } from '../../src/check/index.js';
import type { CheckRequest, RunCheck } from '../../src/check/types.js';
import { createTargetPolicy, RateLimiter } from '../../src/policy/index.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { type CountingMta, startCountingMta } from './counting-mta.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';

// Rate limits through the real Slack app (the refusal is an ephemeral answer with a retry time),
// and the concurrency caps measured where they matter: at the servers being probed.

describe('rate limits in Slack', () => {
  let slack: SlackTestApp;
  let nowMs = Date.parse('2026-03-01T12:00:00.000Z');
  const started: CheckRequest[] = [];

  beforeAll(async () => {
    // The checks themselves are scripted: what is under test is what happens before one starts.
    const runCheck: RunCheck = async (request) => {
      started.push(request);
      return aTypicalDiagnosis();
    };
    slack = await startSlackTestApp({
      runCheck,
      admit: createAdmission({
        limiter: new RateLimiter({ perUserPerMinute: 3, perTargetPerMinute: 2 }, () => nowMs),
        extraPorts: [],
      }),
    });
  });

  afterAll(async () => {
    await slack?.close(2_000);
  });

  let id = 0;
  async function command(user: string, text: string): Promise<{ id: string; text: string | null }> {
    const responseId = `limits-${++id}`;
    // A channel per command, so an earlier check's thread replies are never mistaken for this one.
    const channel = `C0LIMITS${id}`;
    const { api } = slack;
    const ack = await slack.command({
      text,
      user_id: user,
      channel_id: channel,
      response_url: api.responseUrl(responseId),
    });
    expect(ack.status).toBe(200);
    // Either the check starts (a parent is posted) or the user is told privately why not.
    const answered = await Promise.race([
      api.waitForResponses(responseId).then(([response]) => String(response?.body.text)),
      api
        .waitForCalls((call) => call.method === 'chat.postMessage' && call.body.channel === channel)
        .then(() => null),
    ]);
    return { id: responseId, text: answered };
  }

  test('a user over the per-user limit is told privately when to retry, and no check starts', async () => {
    for (const host of ['a.example.com', 'b.example.com', 'c.example.com']) {
      expect((await command('U0EAGER', host)).text).toBeNull();
    }
    nowMs += 20_000;
    const refused = await command('U0EAGER', 'refused.example.com');
    expect(refused.text).toMatch(/started 3 checks in the last minute \(limit 3\); try again in 40 s/);
    const [response] = await slack.api.waitForResponses(refused.id);
    expect(response?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(await slack.app.idle(5_000)).toBe(true);
    expect(started.map((request) => request.target)).not.toContain('refused.example.com');
    // Someone else is not affected, and the user may go again once the window has passed.
    expect((await command('U0OTHER', 'd.example.com')).text).toBeNull();
    nowMs += 40_000;
    expect((await command('U0EAGER', 'e.example.com')).text).toBeNull();
  });

  test('a target over the per-target limit is refused for everyone, with the retry time', async () => {
    nowMs += 120_000;
    expect((await command('U0ONE', 'busy.example.com')).text).toBeNull();
    expect((await command('U0TWO', 'BUSY.example.com')).text).toBeNull();
    nowMs += 1_000;
    const refused = await command('U0THREE', 'busy.example.com');
    expect(refused.text).toMatch(
      /busy\.example\.com was checked 2 times in the last minute \(limit 2\); try again in 59 s/,
    );
    expect(await slack.app.idle(5_000)).toBe(true);
    expect(started.filter((request) => request.target === 'busy.example.com')).toHaveLength(2);
  });
});

describe('concurrency caps, counted at the servers', () => {
  const TARGETS = ['t1.caps.test', 't2.caps.test', 't3.caps.test', 't4.caps.test'];
  const CHECKS_PER_TARGET = 3;
  const caps = { maxConcurrentChecks: 3, maxPerTarget: 1 };
  let dns: TestDnsServer;
  const servers = new Map<string, CountingMta>();
  let globalActive = 0;
  let globalPeak = 0;

  beforeAll(async () => {
    dns = await startDnsServer(Object.fromEntries(TARGETS.map((name) => [name, { A: ['127.0.0.1'] }])));
    for (const target of TARGETS) {
      servers.set(
        target,
        await startCountingMta({
          // Sessions last long enough to overlap when nothing caps them.
          greetDelayMs: 150,
          onSession: () => {
            globalActive = [...servers.values()].reduce((sum, server) => sum + server.active, 0);
            globalPeak = Math.max(globalPeak, globalActive);
          },
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.close()));
    await dns?.close();
  });

  test('no more than maxConcurrentChecks sessions at once, and one per target', async () => {
    const limited = limitConcurrency(
      createRunCheck({
        probeHost,
        limits: QUICK_LIMITS,
        now: () => new Date(),
        resolver: createResolver([dns.server]),
        policy: createTargetPolicy(['127.0.0.0/8']),
      }),
      caps,
    );
    const observed: number[] = [];
    const results = await Promise.all(
      TARGETS.flatMap((target) =>
        Array.from({ length: CHECKS_PER_TARGET }, () =>
          limited.runCheck(
            { target, ports: [servers.get(target)!.port], mx: 'auto' },
            { onPort: () => observed.push(limited.stats().running) },
          ),
        ),
      ),
    );
    const figures = {
      checks: results.length,
      globalPeakAtServers: globalPeak,
      perTargetPeaks: TARGETS.map((target) => servers.get(target)!.peak),
      limiterPeak: limited.stats().peak,
    };
    console.log('concurrency caps', figures);
    expect(results.flatMap((result) => result.ports.map((port) => port.class))).toEqual(
      Array(TARGETS.length * CHECKS_PER_TARGET).fill('no-starttls'),
    );
    for (const target of TARGETS) {
      expect(servers.get(target)!.connections).toBe(CHECKS_PER_TARGET);
      expect(servers.get(target)!.peak, target).toBe(caps.maxPerTarget);
    }
    expect(globalPeak).toBeLessThanOrEqual(caps.maxConcurrentChecks);
    // The caps were reached, so the bound above was really tested.
    expect(globalPeak).toBe(caps.maxConcurrentChecks);
    expect(limited.stats()).toEqual({ running: 0, peak: caps.maxConcurrentChecks, queued: 0 });
    expect(Math.max(...observed)).toBeLessThanOrEqual(caps.maxConcurrentChecks);
  });
});

describe('the per-target rate limit, counted at the address dialled', () => {
  const NAMES = ['one.alias.test', 'two.alias.test', 'three.alias.test'];
  let dns: TestDnsServer;
  let mta: CountingMta;

  beforeAll(async () => {
    dns = await startDnsServer(Object.fromEntries(NAMES.map((name) => [name, { A: ['127.0.0.1'] }])));
    mta = await startCountingMta();
  });

  afterAll(async () => {
    await mta?.close();
    await dns?.close();
  });

  test('several names for one address share one allowance; scheduled re-checks are not counted', async () => {
    const nowMs = Date.parse('2026-03-01T12:00:00.000Z');
    const limiter = new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 2 }, () => nowMs);
    const admit = createAdmission({ limiter, extraPorts: [mta.port] });
    const runCheck = createRunCheck({
      probeHost,
      limits: QUICK_LIMITS,
      now: () => new Date(),
      resolver: createResolver([dns.server]),
      policy: createTargetPolicy(['127.0.0.0/8']),
      addressLimiter: limiter,
    });
    const classes: string[] = [];
    for (const target of NAMES) {
      const request: CheckRequest = { target, ports: [mta.port], mx: 'auto' };
      // Each name passes admission: the names differ.
      expect(admit('U0ALIAS', request).ok).toBe(true);
      const diagnosis = await runCheck(request);
      classes.push(...diagnosis.ports.map((port) => port.class));
      if (target === 'three.alias.test') {
        expect(JSON.stringify(diagnosis)).toMatch(
          /127\.0\.0\.1 was checked 2 times in the last minute, under this name or others \(limit 2\); try again in 60 s/,
        );
      }
    }
    expect(classes).toEqual(['no-starttls', 'no-starttls', 'denied-by-policy']);
    expect(mta.connections).toBe(2);

    const scheduled = await runCheck(
      { target: 'three.alias.test', ports: [mta.port], mx: 'auto' },
      { priority: 'scheduled' },
    );
    expect(scheduled.ports.map((port) => port.class)).toEqual(['no-starttls']);
    expect(mta.connections).toBe(3);
  });
});
