import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAdmission, createRunCheck } from '../../src/check/index.js';
import type { RunCheck } from '../../src/check/types.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { createTargetPolicy, RateLimiter, refusedRange } from '../../src/policy/index.js';
import {
  createResolver,
  type ProbeHost,
  type ProbeLimits,
  probeHost,
  type Resolver,
} from '../../src/probe/index.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import {
  type FakeSlackApi,
  type RecordedCall,
  type RecordedResponse,
  startFakeSlackApi,
} from '../helpers/fake-slack-api.js';
import { type SlackTestApp, startSlackTestApp, TEST_BOT_TOKEN } from '../helpers/slack-test-app.js';
import { type CountingMta, startCountingMta } from './counting-mta.js';
import { testLimits } from '../helpers/probe-limits.js';

// The target policy attacked through the real Slack app (HTTP mode, signed slash commands, a local
// Slack Web API): loopback in every spelling, metadata, private space, and a name that resolves to
// loopback. A server listens on loopback and counts every connection that reaches it.

const LIMITS: ProbeLimits = testLimits({ stageTimeoutMs: 1_000, portDeadlineMs: 3_000 });

let api: FakeSlackApi;
let dns: TestDnsServer;
let mta: CountingMta;
let resolver: Resolver;
let deny: SlackTestApp;
let allow: SlackTestApp;
const checksRun: string[] = [];
const diagnoses: HostDiagnosis[] = [];
const diagnosisWaiters: Array<(diagnosis: HostDiagnosis) => void> = [];

/** Resolves with the next diagnosis any check of this suite finishes. */
function nextDiagnosis(): Promise<HostDiagnosis> {
  return new Promise((resolve) => diagnosisWaiters.push(resolve));
}

/**
 * The real probe, with a test-side safety net: this suite must never dial outside loopback, even
 * when the guard under test is broken. A non-loopback address that the policy did not refuse makes
 * the check fail (and the test with it) instead of sending a packet.
 */
const loopbackOnlyProbe: ProbeHost = (target, options) =>
  probeHost(target, {
    ...options,
    checkAddress: async (address, host) => {
      const decision = (await options.checkAddress?.(address, host)) ?? { allowed: true };
      const range = refusedRange(address);
      if (decision.allowed && !(range?.startsWith('loopback') ?? false)) {
        throw new Error(`test safety net: the policy let ${address} through; not dialling it`);
      }
      return decision;
    },
  });

function appWith(allowTargets: string[], resolver: Resolver): Promise<SlackTestApp> {
  const check = createRunCheck({
    probeHost: loopbackOnlyProbe,
    limits: LIMITS,
    now: () => new Date(),
    resolver,
    policy: createTargetPolicy(allowTargets),
  });
  const runCheck: RunCheck = async (request, hooks) => {
    checksRun.push(request.target);
    const diagnosis = await check(request, hooks);
    diagnoses.push(diagnosis);
    for (const waiter of diagnosisWaiters.splice(0)) waiter(diagnosis);
    return diagnosis;
  };
  return startSlackTestApp({
    api,
    runCheck,
    // Generous rate limits: this suite is about where, not how often.
    admit: createAdmission({
      limiter: new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 100 }, Date.now),
      extraPorts: [mta.port],
    }),
  });
}

beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: TEST_BOT_TOKEN });
  mta = await startCountingMta();
  dns = await startDnsServer({
    'rebind.example.test': { A: ['127.0.0.1'] },
    // A domain with no address of its own whose MX host is internal.
    'mx-private.example.test': { MX: [{ exchange: 'mail.mx-private.example.test', priority: 10 }] },
    'mail.mx-private.example.test': { A: ['127.0.0.1'] },
  });
  resolver = createResolver([dns.server]);
  deny = await appWith([], resolver);
  allow = await appWith(['127.0.0.0/8'], resolver);
});

afterAll(async () => {
  await deny?.close(2_000);
  await allow?.close(2_000);
  await mta?.close();
  await dns?.close();
  await api?.close();
});

let channelCounter = 0;

/** Sends an allowed command in a channel of its own and returns every chat call made there once the thread is complete. */
async function check(slack: SlackTestApp, text: string): Promise<RecordedCall[]> {
  const channel = `C0POLICY${++channelCounter}`;
  const inChannel = (call: RecordedCall) => call.body.channel === channel;
  const ack = await slack.command({
    text,
    channel_id: channel,
    response_url: api.responseUrl(channel),
  });
  expect(ack.status).toBe(200);
  const [parent] = await api.waitForCalls(
    (call) => inChannel(call) && call.method === 'chat.postMessage' && !call.body.thread_ts,
  );
  const ts = String(parent?.response.ts);
  // One reply for the port, one with the advice.
  await api.waitForCalls(
    (call) => inChannel(call) && call.method === 'chat.postMessage' && call.body.thread_ts === ts,
    2,
  );
  return api.calls.filter(inChannel);
}

/**
 * Sends a command the policy refuses in a channel of its own; returns the answers sent to the
 * requester (response_url) and every API call naming that channel, once the check has finished.
 */
async function checkRefused(
  slack: SlackTestApp,
  text: string,
): Promise<{ answers: RecordedResponse[]; inChannel: RecordedCall[]; diagnosis: HostDiagnosis }> {
  const channel = `C0POLICY${++channelCounter}`;
  const finished = nextDiagnosis();
  const ack = await slack.command({
    text,
    channel_id: channel,
    response_url: api.responseUrl(channel),
  });
  expect(ack.status).toBe(200);
  const diagnosis = await finished;
  await api.waitForResponses(channel);
  return {
    answers: api.responses.filter((response) => response.id === channel),
    inChannel: api.calls.filter((call) => call.body.channel === channel),
    diagnosis,
  };
}

const DENIED: Array<[string, string, RegExp]> = [
  ['127.0.0.1', '127.0.0.1', /loopback/],
  ['2130706433', '127.0.0.1', /loopback/],
  ['0x7f.1', '127.0.0.1', /loopback/],
  ['127.1', '127.0.0.1', /loopback/],
  ['[::ffff:127.0.0.1]', '::ffff:7f00:1', /loopback, reached through an IPv6 form/],
  [
    '169.254.169.254',
    '169.254.169.254',
    /link-local \(includes the 169\.254\.169\.254 cloud metadata service\)/,
  ],
  ['10.0.0.1', '10.0.0.1', /private \(RFC 1918\)/],
  ['rebind.example.test', '127.0.0.1', /loopback/],
];

describe('/smtp-check against the target policy (default: internal addresses refused)', () => {
  test.each(DENIED)(
    '%s gets one ephemeral answer with the reason and the ALLOW_TARGETS hint, nothing in the channel, and is never dialled',
    async (typed, address, reason) => {
      const before = mta.connections;
      const { answers, inChannel, diagnosis } = await checkRefused(deny, `${typed}:${mta.port}`);
      expect(answers).toHaveLength(1);
      const [answer] = answers;
      expect(answer?.body).toMatchObject({ response_type: 'ephemeral' });
      const text = String(answer?.body.text);
      expect(text).toMatch(reason);
      expect(text).toContain(address);
      expect(text).toContain('ALLOW_TARGETS');
      // Nothing was posted, updated or threaded in the channel: the refusal is the requester's alone.
      expect(inChannel).toEqual([]);
      expect(diagnosis.ports.map((port) => port.class)).toEqual(['denied-by-policy']);
      // Refused before any connection: nothing was dialled, nothing was timed but the lookup.
      expect(diagnosis.ports[0]?.address).toBeNull();
      expect(Object.keys(diagnosis.ports[0]?.timings ?? {})).toEqual(['resolve']);
      expect(mta.connections).toBe(before);
    },
  );

  test('the name was looked up in the test DNS only, once per record type', () => {
    expect(dns.queries.filter((query) => query.startsWith('rebind.example.test'))).toEqual([
      'rebind.example.test A',
      'rebind.example.test AAAA',
    ]);
  });

  test('a port outside the allowed list is refused before any check starts', async () => {
    const started = checksRun.length;
    for (const [text, id] of [
      ['127.0.0.1 22', 'port-22'],
      ['smtp.example.com 6379', 'port-6379'],
    ] as const) {
      const ack = await allow.command({
        text,
        response_url: api.responseUrl(id),
      });
      expect(ack.status).toBe(200);
      const [refusal] = await api.waitForResponses(id);
      expect(refusal?.body).toMatchObject({ response_type: 'ephemeral' });
      expect(String(refusal?.body.text)).toMatch(/port (22|6379) is not an SMTP port I probe/);
      expect(String(refusal?.body.text)).toContain('ALLOWED_PORTS');
    }
    expect(checksRun.length).toBe(started);
  });
});

describe('/smtp-check with ALLOW_TARGETS=127.0.0.0/8', () => {
  test.each(['127.0.0.1', '2130706433', '[::ffff:127.0.0.1]', 'rebind.example.test'])(
    '%s is probed and reaches the server',
    async (typed) => {
      const before = mta.connections;
      const calls = await check(allow, `${typed}:${mta.port}`);
      expect(calls.filter((call) => !call.ok)).toEqual([]);
      expect(diagnoses.at(-1)?.ports.map((port) => port.class)).toEqual(['no-starttls']);
      expect(mta.connections).toBe(before + 1);
    },
  );
});

describe('DNS rebinding', () => {
  /** A server bound on a chosen loopback address and port, counting connections. */
  async function listenOn(
    host: string,
    port: number,
  ): Promise<{ server: Server; connections: () => number }> {
    let count = 0;
    const server = createServer((socket) => {
      count += 1;
      socket.on('error', () => {});
      socket.end('220 rebound.test ESMTP\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return { server, connections: () => count };
  }

  test('the probe dials the address the policy vetted, never a second answer for the name', async () => {
    // 127.0.0.2 is allowed, 127.0.0.1 is not; the name answers the allowed address first, then
    // flips to the refused one, as a rebinding DNS server does.
    const vetted = await listenOn('127.0.0.2', 0);
    const port = (vetted.server.address() as { port: number }).port;
    const forbidden = await listenOn('127.0.0.1', port).catch(() => null);
    let lookups = 0;
    const flipping: Resolver = {
      resolve4: async () => (++lookups === 1 ? ['127.0.0.2'] : ['127.0.0.1']),
      resolve6: async () => [],
      resolveMx: async () => [],
      lookup: async () => ['127.0.0.1'],
    };
    try {
      const runCheck = createRunCheck({
        probeHost: loopbackOnlyProbe,
        limits: LIMITS,
        now: () => new Date(),
        resolver: flipping,
        policy: createTargetPolicy(['127.0.0.2/32']),
      });
      const diagnosis = await runCheck({ target: 'rebind.example.test', ports: [port], mx: 'auto' });
      expect(diagnosis.ports[0]?.address).toBe('127.0.0.2');
      expect(lookups).toBe(1);
      expect(vetted.connections()).toBe(1);
      expect(forbidden?.connections() ?? 0).toBe(0);
    } finally {
      vetted.server.close();
      forbidden?.server.close();
    }
  });
});

describe('MX hosts and the target policy', () => {
  const checkWith = (allowTargets: string[]) =>
    createRunCheck({
      probeHost: loopbackOnlyProbe,
      limits: LIMITS,
      now: () => new Date(),
      resolver,
      policy: createTargetPolicy(allowTargets),
    });

  test.each(['auto', 'force'] as const)(
    'an MX host that resolves to a private address is refused, never dialled (mx %s)',
    async (mx) => {
      const before = mta.connections;
      const diagnosis = await checkWith([])({ target: 'mx-private.example.test', ports: [mta.port], mx });
      expect(diagnosis.host).toBe('mail.mx-private.example.test');
      expect(diagnosis.ports.map((port) => [port.class, port.address])).toEqual([['denied-by-policy', null]]);
      expect(JSON.stringify(diagnosis)).toMatch(/127\.0\.0\.1 is loopback/);
      expect(mta.connections).toBe(before);
    },
  );

  test('ALLOW_TARGETS naming the domain does not exempt the MX hosts it points to', async () => {
    const before = mta.connections;
    const diagnosis = await checkWith(['mx-private.example.test'])({
      target: 'mx-private.example.test',
      ports: [mta.port],
      mx: 'force',
    });
    expect(diagnosis.ports.map((port) => port.class)).toEqual(['denied-by-policy']);
    expect(mta.connections).toBe(before);
  });

  test('ALLOW_TARGETS naming the MX host itself lets it be dialled', async () => {
    const before = mta.connections;
    const diagnosis = await checkWith(['mail.mx-private.example.test'])({
      target: 'mx-private.example.test',
      ports: [mta.port],
      mx: 'force',
    });
    expect(diagnosis.ports.map((port) => [port.class, port.address])).toEqual([['no-starttls', '127.0.0.1']]);
    expect(mta.connections).toBe(before + 1);
  });
});
