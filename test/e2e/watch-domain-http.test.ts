import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAdmission } from '../../src/check/index.js';
import { createLogger } from '../../src/log.js';
import { RateLimiter } from '../../src/policy/index.js';
import { createPostureDns } from '../../src/posture/index.js';
import { createCheckDomain } from '../../src/posture-report/index.js';
import { localTransport } from '../helpers/transport-deps.js';
import { openLowdbWatchStore, type WatchStore } from '../../src/store/index.js';
import { createWatchCommands, recheckWatches } from '../../src/watch/index.js';
import { createTestCa } from '../helpers/certs.js';
import { type DnsRecords, startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { blockProblems, type RecordedCall } from '../helpers/fake-slack-api.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';

// `watch domain` end to end, as main.ts wires it: signed requests into the real Bolt receiver in
// HTTP mode, the real domain check asking a local DNS server whose zone the test changes while it
// runs, the lowdb store on a temp file, ticks driven through recheckWatches with the Slack app's
// notifier, and a local Slack Web API that records every call and refuses what Slack would
// refuse. The tests run in order on one app, one zone and one data file.

const BOT_TOKEN = 'xoxb-domain-watch-test-0123456789';
const SIGNING_SECRET = 'domain-watch-signing-secret-0123';
const ADMIN = 'U0ALICE';
const CHANNEL = 'C0DOMAINS';
const DOMAIN = 'example.com';

const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');

const dmarc = (policy: string): DnsRecords => ({
  TXT: [`v=DMARC1; p=${policy}; rua=mailto:dmarc@example.com`],
});

const ZONE: Record<string, DnsRecords> = {
  'example.com': {
    MX: [{ exchange: 'mx1.example.com', priority: 10 }],
    TXT: ['v=spf1 ip4:192.0.2.0/24 -all'],
  },
  // A public address (only ever a DNS answer here): the report calls documentation ranges private.
  'mx1.example.com': { A: ['93.184.215.14'] },
  '14.215.184.93.in-addr.arpa': { PTR: ['mx1.example.com'] },
  '_dmarc.example.com': dmarc('reject'),
  '_mta-sts.example.com': { TXT: ['v=STSv1; id=20250601'] },
  'mta-sts.example.com': { A: ['127.0.0.1'] },
  // A common selector: the report finds it without being told.
  'default._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${dkimKey}`] },
};

let dns: TestDnsServer;
let slack: SlackTestApp;
let store: WatchStore;
let dir: string;
let nowMs = Date.parse('2025-06-02T08:00:00Z');
const now = () => new Date(nowMs);
const logs: string[] = [];
const { runCheck, finishedAt } = realRunCheck();
// The MTA-STS policy, served over HTTPS by a local server with a certificate from the run's CA.
const ca = createTestCa('domain watch CA');
let policy = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n';
let policyServer: Server;
const checkDomain = createCheckDomain({
  dns: () => createPostureDns({ servers: [dns.server] }),
  transport: () => {
    const deps = localTransport(dns.server, { extraCa: [ca.cert] });
    return { ...deps, mtaSts: { ...deps.mtaSts, port: (policyServer.address() as AddressInfo).port } };
  },
  now,
});

beforeAll(async () => {
  const certificate = ca.issue({ commonName: 'mta-sts.example.com' });
  policyServer = createServer(certificate, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(policy);
  });
  await new Promise<void>((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
  dns = await startDnsServer(ZONE);
  dir = mkdtempSync(join(tmpdir(), 'smtp-check-domain-watch-http-'));
  const logger = createLogger({
    level: 'debug',
    write: (line) => logs.push(line),
    secrets: [BOT_TOKEN, SIGNING_SECRET],
  });
  store = await openLowdbWatchStore(join(dir, 'watches.json'), { logger });
  const admit = createAdmission({
    limiter: new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 100 }, Date.now),
    extraPorts: [],
  });
  const watches = createWatchCommands({ store, runCheck, now, logger, admins: [ADMIN], admit, checkDomain });
  slack = await startSlackTestApp({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    runCheck,
    admit,
    watches,
    logger,
    checkDomain,
  });
});

afterAll(async () => {
  await slack?.close(5_000);
  await store?.close();
  await dns?.close();
  await new Promise((resolve) => policyServer?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One scheduled tick, 15 minutes after the last, as main.ts's scheduler runs it. */
async function tick() {
  nowMs += 15 * 60_000;
  const summary = await recheckWatches({
    store,
    runCheck,
    checkDomain,
    notify: slack.app.notifier,
    now,
    logger: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
    concurrency: 1,
    jitterMs: 0,
  });
  // The domain was re-checked, and nothing in the tick threw.
  expect(summary).toMatchObject({ retested: 1, checkFailures: 0, deliveryFailures: 0, fleetFailures: 0 });
  return summary;
}

const chatCalls = (): RecordedCall[] => slack.api.calls.filter((call) => call.method.startsWith('chat.'));
const topLevel = () => slack.api.messagesIn(CHANNEL).filter((message) => message.thread_ts === undefined);
const alerts = () => topLevel().filter((message) => message.postedText.startsWith('🚨'));

async function command(text: string, id: string): Promise<void> {
  const ack = await slack.command({
    text,
    user_id: ADMIN,
    channel_id: CHANNEL,
    response_url: slack.api.responseUrl(id),
  });
  expect(ack.status).toBe(200);
}

/** The channel post whose text starts with `prefix`, once it is there. */
async function postStarting(prefix: string): Promise<RecordedCall> {
  const [call] = await slack.api.waitForCalls(
    (recorded) =>
      recorded.method === 'chat.postMessage' &&
      recorded.body.channel === CHANNEL &&
      String(recorded.body.text).startsWith(prefix),
  );
  return call!;
}

describe('watch domain through the Slack app', () => {
  test('watch domain confirms in the channel, naming the baseline DNS gave', async () => {
    await command(`watch domain ${DOMAIN}`, 'watch');
    const confirmation = await postStarting('👀 Watching the domain');
    expect(confirmation).toMatchObject({ ok: true, body: { channel: CHANNEL } });
    expect(String(confirmation.body.text)).toContain(
      `👀 Watching the domain \`${DOMAIN}\` for <@${ADMIN}> (🟢 ok): SPF ends in -all, DMARC p=reject, DKIM default, 1 MX host.`,
    );
    // It says what it watches for, the transport checks included.
    expect(String(confirmation.body.text)).toContain('a new blocklist listing');
    // The baseline came from the zone, not from a stand-in.
    expect(dns.queries).toEqual(expect.arrayContaining(['_dmarc.example.com TXT', 'example.com MX']));
    const watch = await store.getDomainWatch(CHANNEL, DOMAIN);
    expect(watch?.state.baseline).toMatchObject({
      dmarc: { present: true, policy: 'reject', pct: 100 },
      spf: { ending: '-all' },
      dkim: { default: 'found' },
    });
    expect(watch?.state.incident).toBeNull();
  });

  test('a tick while the DMARC lookup fails with SERVFAIL posts nothing and keeps the last state', async () => {
    const before = chatCalls().length;
    const asked = dns.queries.length;
    dns.set('_dmarc.example.com', { ...dmarc('reject'), rcode: 'SERVFAIL' });
    await tick();
    // The tick asked the failing name: the failure was seen, and not read as "no record".
    expect(dns.queries.slice(asked)).toContain('_dmarc.example.com TXT');
    expect(chatCalls().slice(before)).toEqual([]);
    const watch = await store.getDomainWatch(CHANNEL, DOMAIN);
    expect(watch?.state.last.dmarc).toEqual({ present: true, policy: 'reject', pct: 100 });
    expect(watch?.state.incident).toBeNull();
    dns.set('_dmarc.example.com', dmarc('reject'));
  });

  let alertTs = '';
  test('DMARC weakened to p=none: one tick posts one alert naming it, which opens the incident thread', async () => {
    const before = chatCalls().length;
    dns.set('_dmarc.example.com', dmarc('none'));
    await tick();

    const posted = chatCalls().slice(before);
    expect(posted.map((call) => call.method)).toEqual(['chat.postMessage']);
    const [alert] = posted;
    expect(alert?.body.channel).toBe(CHANNEL);
    expect(alert?.body.thread_ts).toBeUndefined();
    expect(String(alert?.body.text)).toContain(`🚨 \`${DOMAIN}\`: DMARC policy weakened: reject → none`);
    // The commands it suggests are whole code spans (a span inside one would leave the domain bare).
    const context = JSON.stringify(alert?.body.blocks);
    expect(context).toContain('Updates follow in this thread');
    expect(context).toContain(`\`/smtp-check watch domain ${DOMAIN}\``);
    expect(context).toContain(`\`/smtp-check mute domain ${DOMAIN} 2h\``);
    alertTs = String(alert?.response.ts);
    expect(alerts().map((message) => message.ts)).toEqual([alertTs]);

    const watch = await store.getDomainWatch(CHANNEL, DOMAIN);
    expect(watch?.state.incident).toMatchObject({ status: 'open', alertTs, threadTs: alertTs });
    expect(watch?.state.announced.map((degradation) => degradation.id)).toEqual(['dmarc-policy']);
  });

  test('another tick with nothing changed posts nothing', async () => {
    const before = chatCalls().length;
    await tick();
    expect(chatCalls().slice(before)).toEqual([]);
    expect(alerts()).toHaveLength(1);
  });

  test('DMARC back to reject: the recovery in the thread, the alert updated as resolved', async () => {
    const before = chatCalls().length;
    dns.set('_dmarc.example.com', dmarc('reject'));
    await tick();

    const calls = chatCalls().slice(before);
    expect(calls.map((call) => call.method)).toEqual(['chat.postMessage', 'chat.update']);
    const [recovery, resolved] = calls;
    expect(recovery?.body).toMatchObject({ channel: CHANNEL, thread_ts: alertTs });
    expect(String(recovery?.body.text)).toContain('✅ DMARC policy back to reject');
    expect(String(recovery?.body.text)).toContain(
      `\`${DOMAIN}\` is back to its baseline.* The incident lasted`,
    );
    expect(resolved?.body).toMatchObject({ channel: CHANNEL, ts: alertTs });
    expect(String(resolved?.body.text)).toContain(
      `✅ *Resolved* — \`${DOMAIN}\` was worse than its baseline`,
    );

    const thread = slack.api.messagesIn(CHANNEL).filter((message) => message.thread_ts === alertTs);
    expect(thread.map((message) => message.ts)).toEqual([String(recovery?.response.ts)]);
    expect(alerts()).toHaveLength(1);
    const watch = await store.getDomainWatch(CHANNEL, DOMAIN);
    expect(watch?.state.incident).toBeNull();
    expect(watch?.state.announced).toEqual([]);
  });

  const LISTING = '14.215.184.93.zen.spamhaus.org';
  let listingTs = '';
  test('the MX address newly listed on a blocklist: one alert naming the address and the list', async () => {
    const before = chatCalls().length;
    dns.set(LISTING, { A: ['127.0.0.2'], TXT: ['Listed in SBL'] });
    await tick();
    const posted = chatCalls().slice(before);
    expect(posted.map((call) => call.method)).toEqual(['chat.postMessage']);
    expect(String(posted[0]?.body.text)).toContain(
      `🚨 \`${DOMAIN}\`: 93.184.215.14 is now listed on \`zen.spamhaus.org\``,
    );
    listingTs = String(posted[0]?.response.ts);
    const watch = await store.getDomainWatch(CHANNEL, DOMAIN);
    expect(watch?.state.announced.map((degradation) => degradation.id)).toEqual([
      'dnsbl:93.184.215.14 zen.spamhaus.org',
    ]);
  });

  test('the listing cleared: the recovery in its thread', async () => {
    const before = chatCalls().length;
    dns.set(LISTING, {});
    await tick();
    const [recovery] = chatCalls().slice(before);
    expect(recovery?.body).toMatchObject({ channel: CHANNEL, thread_ts: listingTs });
    expect(String(recovery?.body.text)).toContain('93.184.215.14 is no longer listed on `zen.spamhaus.org`');
    expect((await store.getDomainWatch(CHANNEL, DOMAIN))?.state.incident).toBeNull();
  });

  let policyTs = '';
  test('the MTA-STS policy changes but its id does not: one alert, as senders keep the old one', async () => {
    const before = chatCalls().length;
    policy = policy.replace('mode: enforce', 'mode: testing');
    await tick();
    const posted = chatCalls().slice(before);
    expect(posted.map((call) => call.method)).toEqual(['chat.postMessage']);
    expect(String(posted[0]?.body.text)).toContain(
      'MTA-STS policy changed but its id did not (still 20250601)',
    );
    policyTs = String(posted[0]?.response.ts);
  });

  test('a new id in the record: the recovery in its thread', async () => {
    const before = chatCalls().length;
    dns.set('_mta-sts.example.com', { TXT: ['v=STSv1; id=20250602'] });
    await tick();
    const [recovery] = chatCalls().slice(before);
    expect(recovery?.body).toMatchObject({ channel: CHANNEL, thread_ts: policyTs });
    expect(String(recovery?.body.text)).toContain('MTA-STS policy and id agree again (id 20250602)');
  });

  test('unwatch domain is announced; no watch is left, and every Slack call was within limits', async () => {
    await command(`unwatch domain ${DOMAIN}`, 'unwatch');
    const stopped = await postStarting('Stopped watching the domain');
    expect(String(stopped.body.text)).toBe(
      `Stopped watching the domain \`${DOMAIN}\` in this channel (<@${ADMIN}>).`,
    );
    expect(await store.listDomainWatches()).toEqual([]);

    // The fake refuses what Slack would (invalid_blocks, msg_too_long): none was refused.
    expect(slack.api.calls.filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual(
      [],
    );
    for (const call of slack.api.calls) {
      expect(blockProblems(call.body.blocks)).toEqual([]);
      expect(String(call.body.text ?? '').length).toBeLessThan(4_000);
    }
    // A domain watch never probes a host.
    expect(finishedAt).toEqual([]);
    expect(logs.join('\n')).not.toContain(BOT_TOKEN);
  });
});
