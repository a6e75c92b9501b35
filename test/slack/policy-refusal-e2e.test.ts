import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAdmission, createRunCheck } from '../../src/check/index.js';
import { createTargetPolicy, RateLimiter, refusedRange } from '../../src/policy/index.js';
import { createResolver, DEFAULT_LIMITS, type ProbeHost, probeHost } from '../../src/probe/index.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { type SlackTestApp, startSlackTestApp, TEST_BOT_TOKEN } from '../helpers/slack-test-app.js';

// A target the bot's policy refuses, through the real Bolt app (HTTP mode, signed slash commands,
// a local Slack Web API): one short answer to the requester, and nothing in the channel.

/** Never dial anything in this suite: an address the policy lets through fails the check instead. */
const refuseToDial: ProbeHost = (target, options) =>
  probeHost(target, {
    ...options,
    checkAddress: async (address, host) => {
      const decision = (await options.checkAddress?.(address, host)) ?? { allowed: true };
      if (decision.allowed) throw new Error(`test safety net: the policy let ${address} through`);
      return decision;
    },
  });

let api: FakeSlackApi;
let dns: TestDnsServer;
let slack: SlackTestApp;

beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: TEST_BOT_TOKEN });
  dns = await startDnsServer({ 'internal.example.test': { A: ['127.0.0.1'] } });
  slack = await startSlackTestApp({
    api,
    runCheck: createRunCheck({
      probeHost: refuseToDial,
      limits: DEFAULT_LIMITS,
      now: () => new Date(),
      resolver: createResolver([dns.server]),
      policy: createTargetPolicy([]),
    }),
    admit: createAdmission({
      limiter: new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 100 }, Date.now),
      extraPorts: [],
    }),
  });
});

afterAll(async () => {
  await slack?.close(2_000);
  await dns?.close();
  await api?.close();
});

describe('/smtp-check of a target the policy refuses', () => {
  test.each([
    ['127.0.0.1', '127.0.0.1'],
    ['internal.example.test', '127.0.0.1'],
    ['169.254.169.254', '169.254.169.254'],
  ])(
    '%s: one ephemeral answer with what, why and ALLOW_TARGETS; nothing in the channel',
    async (typed, address) => {
      const channel = `C0REFUSE${typed.replace(/\W/g, '')}`;
      const ack = await slack.command({
        text: typed,
        channel_id: channel,
        response_url: api.responseUrl(channel),
      });
      expect(ack.status).toBe(200);
      const [answer] = await api.waitForResponses(channel);
      expect(answer?.body).toMatchObject({ response_type: 'ephemeral' });
      const text = String(answer?.body.text);
      expect(text).toContain(`I didn’t check \`${typed}\``);
      expect(text).toContain(address);
      expect(text).toContain(refusedRange(address)?.split(' (')[0] ?? '');
      expect(text).toContain('ALLOW_TARGETS=');
      expect(text).not.toMatch(/usable|Re-run|Watch|Show config/);
      // The answer is the last thing the flow does; the channel got nothing before it either.
      expect(api.calls.filter((call) => call.body.channel === channel)).toEqual([]);
      expect(api.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
    },
  );
});
