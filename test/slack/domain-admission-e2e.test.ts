import { afterAll, beforeAll, expect, test } from 'vitest';
import { createAdmission } from '../../src/check/index.js';
import { RateLimiter } from '../../src/policy/index.js';
import { createPostureDns } from '../../src/posture/index.js';
import { createCheckDomain } from '../../src/posture-report/index.js';
import type { PostureRequest } from '../../src/posture/types.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';
import { localTransport } from '../helpers/transport-deps.js';

// A domain report dials the domain's MX hosts (port 25) and its MTA-STS host, so it takes from the
// same per-user allowance as a check: past it, one short answer to the requester, and no report.

let dns: TestDnsServer;
let slack: SlackTestApp;
const asked: PostureRequest[] = [];

beforeAll(async () => {
  dns = await startDnsServer({ 'example.com': { TXT: ['v=spf1 -all'] } });
  const checkDomain = createCheckDomain({
    dns: () => createPostureDns({ servers: [dns.server] }),
    transport: () => localTransport(dns.server),
    now: () => new Date(),
  });
  slack = await startSlackTestApp({
    runCheck: () => Promise.reject(new Error('this suite runs no host check')),
    checkDomain: (request) => {
      asked.push(request);
      return checkDomain(request);
    },
    admit: createAdmission({
      limiter: new RateLimiter({ perUserPerMinute: 1, perTargetPerMinute: 100 }, Date.now),
      extraPorts: [],
    }),
  });
});

afterAll(async () => {
  await slack?.close(5_000);
  await dns?.close();
});

test('a second report within the minute is refused with the reason, and never run', async () => {
  const { api } = slack;
  await slack.command({
    text: 'domain example.com',
    channel_id: 'C0DOMAIN',
    response_url: api.responseUrl('one'),
  });
  await api.waitForCalls((call) => call.method === 'chat.update' && call.body.channel === 'C0DOMAIN');
  expect(await slack.app.idle(20_000)).toBe(true);
  expect(asked.map((request) => request.domain)).toEqual(['example.com']);

  const before = api.calls.length;
  await slack.command({
    text: 'domain example.org',
    channel_id: 'C0DOMAIN',
    response_url: api.responseUrl('two'),
  });
  const [answer] = await api.waitForResponses('two');
  expect(answer?.body).toMatchObject({ response_type: 'ephemeral' });
  expect(String(answer?.body.text)).toMatch(/^I didn’t run that check: .*(minute|try again)/);
  expect(await slack.app.idle(20_000)).toBe(true);
  expect(asked.map((request) => request.domain)).toEqual(['example.com']);
  expect(api.calls.slice(before).filter((call) => call.method.startsWith('chat.'))).toEqual([]);
});
