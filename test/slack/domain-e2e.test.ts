import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunCheck } from '../../src/check/types.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { createPostureDns } from '../../src/posture/index.js';
import { createCheckDomain } from '../../src/posture-report/index.js';
import { localTransport } from '../helpers/transport-deps.js';
import { ACTION_IDS } from '../../src/render/slack-action-ids.js';
import { type DnsRecords, startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { blockProblems, type FakeSlackApi, type RecordedCall } from '../helpers/fake-slack-api.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';
import { type SlackTestApp, startSlackTestApp } from '../helpers/slack-test-app.js';

// `/smtp-check domain example.com` and the Domain posture button end to end: signed requests into
// the real Bolt receiver, the real domain check asking a local DNS server that holds crafted
// zones, and a local Slack Web API that records every call and refuses what Slack would refuse.

const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');

/** TXT text that tries to ping the channel, plant a link, close a code span and format. */
const HOSTILE_TXT = '<!channel> <https://evil.example|click> `tick` *bold*';

const ZONES: Record<string, DnsRecords> = {
  // SPF: include (1) + a (1) here, a (1) in the include: 3 of 10 lookups, 192.0.2.0/24 passes.
  'example.com': {
    MX: [{ exchange: 'mx1.example.com', priority: 10 }],
    TXT: [
      'v=spf1 include:_spf.example.net a:out.example.com ip4:192.0.2.0/24 -all',
      'site-verification=0123456789',
    ],
  },
  '_spf.example.net': { TXT: ['v=spf1 a:relay.example.net ip4:198.51.100.0/24 ~all'] },
  'relay.example.net': { A: ['198.51.100.5'] },
  'out.example.com': { A: ['192.0.2.10'] },
  'mx1.example.com': { A: ['192.0.2.25'] },
  '25.2.0.192.in-addr.arpa': { PTR: ['mx1.example.com'] },
  '_dmarc.example.com': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@example.com'] },
  's1._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${dkimKey}`] },
  // Not a common selector: only a report told `selector s1,s2` finds it.
  's2._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${dkimKey}`] },

  // Hostile text in every TXT record a report reads and shows.
  'hostile.test': {
    MX: [{ exchange: 'mx.hostile.test', priority: 10 }],
    TXT: ['v=spf1 include:_spf.hostile.test -all', `note ${HOSTILE_TXT}`],
  },
  'mx.hostile.test': { A: ['192.0.2.26'] },
  '_spf.hostile.test': { TXT: [`v=spf1 ip4:192.0.2.0/24 ${HOSTILE_TXT} ~all`] },
  '_dmarc.hostile.test': {
    TXT: [
      `v=DMARC1; p=none; rua=mailto:<!channel>@evil.example,mailto:\`tick\`*bold*@evil.example; x=${HOSTILE_TXT}`,
    ],
  },
  'default._bimi.hostile.test': { TXT: [`v=BIMI1; l=<https://evil.example|click>; a=${HOSTILE_TXT}`] },
  's1._domainkey.hostile.test': {
    TXT: [`v=DKIM1; k=${HOSTILE_TXT}; n=${HOSTILE_TXT}; p=<https://evil.example|click>`],
  },
};

let dns: TestDnsServer;
let slack: SlackTestApp;
let api: FakeSlackApi;

/** A check typed as `you@example.com`: the MX host's ports, without a network. */
const mxCheck: RunCheck = async (request, hooks) => {
  const diagnosis = diagnoseHost(
    aHost({
      target: 'example.com',
      host: 'mx1.example.com',
      mx: { hosts: [{ exchange: 'mx1.example.com', priority: 10 }], reason: 'forced' },
      ports: [aPort({ port: 25, class: 'open-starttls' })],
    }),
    aContext(),
  );
  hooks?.onPlan?.({ target: request.target, ports: [25], providerName: null });
  for (const port of diagnosis.ports) hooks?.onPort?.(port);
  return diagnosis;
};

const since = (index: number) => (call: RecordedCall) => api.calls.indexOf(call) >= index;
const chatCalls = (from: number): RecordedCall[] =>
  api.calls.filter((call, index) => index >= from && call.method.startsWith('chat.'));
const blocksOf = (call: RecordedCall | undefined): string => JSON.stringify(call?.body.blocks ?? null);

/** The mrkdwn a message carries: its text, and the text of every block, field and element. */
function mrkdwnOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(mrkdwnOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'text' || key === 'blocks' || key === 'fields' || key === 'elements' ? mrkdwnOf(inner) : [],
  );
}

/** What Slack formats: the text without its code blocks and code spans. */
const outsideCode = (text: string): string => text.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');

/** Every call Slack accepted, its blocks and text within Slack's limits as the fake checks them. */
function expectWithinLimits(calls: RecordedCall[]): void {
  expect(calls.filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);
  for (const call of calls) {
    expect(blockProblems(call.body.blocks)).toEqual([]);
    expect(String(call.body.text ?? '').length).toBeLessThan(4_000);
  }
}

/** Runs `/smtp-check <text>` in a channel and waits until the report is in the channel. */
async function reportFor(
  text: string,
  responseId: string,
): Promise<{ progress: RecordedCall; update: RecordedCall; replies: RecordedCall[]; calls: RecordedCall[] }> {
  expect(await slack.app.idle(20_000)).toBe(true);
  const before = api.calls.length;
  const ack = await slack.command({ text, response_url: api.responseUrl(responseId) });
  expect(ack.status).toBe(200);
  const [progress] = await api.waitForCalls(
    (call) => since(before)(call) && call.method === 'chat.postMessage',
  );
  const parentTs = String(progress?.response.ts);
  const [update] = await api.waitForCalls(
    (call) => since(before)(call) && call.method === 'chat.update' && call.body.ts === parentTs,
  );
  await api.waitForCalls((call) => since(before)(call) && call.body.thread_ts === parentTs);
  expect(await slack.app.idle(20_000)).toBe(true);
  const calls = chatCalls(before);
  const replies = calls.filter(
    (call) => call.method === 'chat.postMessage' && call.body.thread_ts === parentTs,
  );
  return { progress: progress!, update: update!, replies, calls };
}

beforeAll(async () => {
  dns = await startDnsServer(ZONES);
  slack = await startSlackTestApp({
    runCheck: mxCheck,
    checkDomain: createCheckDomain({
      dns: () => createPostureDns({ servers: [dns.server] }),
      transport: () => localTransport(dns.server),
      now: () => new Date('2026-03-01T10:00:00.000Z'),
    }),
  });
  ({ api } = slack);
});

afterAll(async () => {
  await slack?.close(5_000);
  await dns?.close();
});

describe('/smtp-check domain', () => {
  test('posts "checking…", replaces it with the verdict and the table, then the evidence in its thread', async () => {
    const { progress, update, replies, calls } = await reportFor('domain example.com', 'report');
    expect(progress.body).toMatchObject({ channel: 'C0CHECKS' });
    expect(progress.body.thread_ts).toBeUndefined();
    expect(String(progress.body.text)).toContain('Checking the sending posture of `example.com`');
    const parentTs = String(progress.response.ts);

    expect(update.body).toMatchObject({ channel: 'C0CHECKS', ts: parentTs });
    expect(String(update.body.text)).toContain('Domain posture of `example.com`');
    const table = blocksOf(update);
    expect(table).toContain('*SPF* ✅ 3 of 10 lookups');
    expect(table).toContain('*DMARC* ⚠️ p=none · 1 report destination');
    expect(table).toContain('*MX* ❌ `mx1.example.com`');
    // No selector given: s1 is found among the common ones, s2 is not guessed.
    expect(table).toContain('*DKIM* ✅ `s1`, 2048-bit');

    // The verdict is in place before the first reply arrives in its thread.
    expect(api.calls.indexOf(progress)).toBeLessThan(api.calls.indexOf(update));
    expect(api.calls.indexOf(update)).toBeLessThan(api.calls.indexOf(replies[0]!));
    expect(replies.length).toBeGreaterThanOrEqual(4);
    for (const reply of replies)
      expect(reply.body).toMatchObject({ channel: 'C0CHECKS', thread_ts: parentTs });

    const [spf] = replies;
    expect(String(spf?.body.text)).toBe('SPF for `example.com`: 3 of 10 lookups');
    expect(blocksOf(spf)).toContain('*Include tree*');
    expect(blocksOf(spf)).toContain('└─ include:_spf.example.net · 1 lookup');
    expect(blocksOf(spf)).toContain('v=spf1 a:relay.example.net ip4:198.51.100.0/24 ~all');
    const thread = replies.map(blocksOf).join('\n');
    expect(thread).toContain('✅ `s1` `rsa` 2048-bit (common selector)');
    expect(thread).not.toContain('`s2`');
    expect(thread).toContain('*Findings* for `example.com`');
    expect(thread).toContain('`dmarc-policy-none`');
    const records = replies.find((reply) => blocksOf(reply).includes('*Records to publish*'));
    expect(blocksOf(records)).toContain('*`_dmarc.example.com`* TXT');
    expect(blocksOf(records)).toContain('```v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com```');

    // Only the update touches the parent; everything else is a reply; all within Slack's limits.
    expect(calls.filter((call) => call.method === 'chat.postMessage' && call !== progress)).toEqual(replies);
    expect(calls.filter((call) => call.method === 'chat.update')).toEqual([update]);
    expectWithinLimits(calls);
    expect(api.responses.filter((response) => response.id === 'report')).toEqual([]);
  });

  test('hostile TXT records reach Slack escaped and inside code: no mention, link, span or bold of theirs', async () => {
    const { calls, replies } = await reportFor('domain hostile.test selector s1', 'hostile');
    expectWithinLimits(calls);
    const posted = JSON.stringify(calls.map((call) => call.body));
    // The records were read and shown (so the checks below look at real hostile text)…
    expect(posted).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt;');
    expect(replies.map(blocksOf).join('\n')).toContain('*bold*');
    // …and none of it acts as markup.
    const texts = calls.flatMap((call) => mrkdwnOf(call.body));
    expect(texts.filter((text) => text.includes('&lt;!channel&gt;')).length).toBeGreaterThan(5);
    for (const text of texts) {
      expect(text).not.toMatch(/<[!@#]|<https?:/);
      expect(text).not.toContain('`tick`');
      expect(outsideCode(text)).not.toContain('evil.example');
      expect(outsideCode(text)).not.toContain('*bold*');
    }
  });

  test.each([
    ['domain 203.0.113.5', ['is an IP address', 'domain `example.com`', 'ip 203.0.113.5']],
    ['domain', ['no domain given; type domain `example.com` [selector s1,s2] [ip 203.0.113.5]']],
  ])('`%s` tells only the requester what to type', async (text, expected) => {
    expect(await slack.app.idle(20_000)).toBe(true);
    const before = api.calls.length;
    const id = `bad-${text.replace(/\W+/g, '-')}`;
    expect((await slack.command({ text, response_url: api.responseUrl(id) })).status).toBe(200);
    const [answer] = await api.waitForResponses(id);
    expect(answer?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(answer?.body.text)).toContain('I couldn’t read that');
    for (const part of expected) expect(String(answer?.body.text)).toContain(part);
    expect(JSON.stringify(answer?.body.blocks)).toContain('*What to type*');
    expect(await slack.app.idle(20_000)).toBe(true);
    expect(api.calls.slice(before)).toEqual([]);
    expect(api.responses.filter((response) => response.id === id)).toHaveLength(1);
  });

  test('`selector s1,s2 ip 192.0.2.7` reach the report: the keys given, the SPF result for the address', async () => {
    const questionsBefore = dns.queries.length;
    const { update, replies, calls } = await reportFor(
      'domain example.com selector s1,s2 ip 192.0.2.7',
      'words',
    );
    expectWithinLimits(calls);
    const table = blocksOf(update);
    expect(table).toContain('*SPF* ✅ 3 of 10 lookups · `192.0.2.7` → pass');
    expect(table).toContain('*DKIM* ✅ `s1`, 2048-bit +1 more');
    const thread = replies.map(blocksOf).join('\n');
    expect(thread).toContain('✅ `s1` `rsa` 2048-bit (given)');
    expect(thread).toContain('✅ `s2` `rsa` 2048-bit (given)');
    expect(thread).toContain('*For the sending address* (`--ip`)');
    expect(thread).toContain('192.0.2.7: pass (MAIL FROM postmaster@example.com)');
    expect(thread).toContain('decided by ip4:192.0.2.0/24 in example.com');
    expect(thread).toContain('*Sending address* `192.0.2.7` · PTR no PTR record');
    const asked = dns.queries.slice(questionsBefore);
    expect(asked).toContain('s2._domainkey.example.com TXT');
    expect(asked).toContain('7.2.0.192.in-addr.arpa PTR');
    // Selectors given: no common selector is guessed.
    expect(asked).not.toContain('default._domainkey.example.com TXT');
  });

  test('the Domain posture button on a `you@example.com` check posts the report in that check’s thread', async () => {
    expect(await slack.app.idle(20_000)).toBe(true);
    let before = api.calls.length;
    await slack.command({ text: 'you@example.com', response_url: api.responseUrl('mx-check') });
    const [parent] = await api.waitForCalls(
      (call) => since(before)(call) && call.method === 'chat.postMessage' && !call.body.thread_ts,
    );
    const checkTs = String(parent?.response.ts);
    expect(await slack.app.idle(20_000)).toBe(true);
    const finished = api.calls
      .filter((call) => call.method === 'chat.update' && call.body.ts === checkTs)
      .at(-1);
    const button = (
      (finished?.body.blocks ?? []) as Array<{
        type: string;
        elements?: Array<{ action_id: string; value: string }>;
      }>
    )
      .find((block) => block.type === 'actions')
      ?.elements?.find((element) => element.action_id === ACTION_IDS.domainPosture);
    expect(button?.value).toBe('example.com');

    before = api.calls.length;
    const click = await slack.click(ACTION_IDS.domainPosture, button?.value, 'posture', {
      user: 'U0BOB',
      channel: 'C0CHECKS',
      ts: checkTs,
    });
    expect(click.status).toBe(200);
    const [progress] = await api.waitForCalls(
      (call) => since(before)(call) && call.method === 'chat.postMessage',
    );
    expect(progress?.body).toMatchObject({ channel: 'C0CHECKS', thread_ts: checkTs });
    expect(String(progress?.body.text)).toContain('Checking the sending posture of `example.com`');
    const [update] = await api.waitForCalls(
      (call) =>
        since(before)(call) && call.method === 'chat.update' && call.body.ts === progress?.response.ts,
    );
    expect(blocksOf(update)).toContain('*SPF* ✅ 3 of 10 lookups');
    await api.waitForCalls(
      (call) => since(before)(call) && call.body.thread_ts === checkTs && call !== progress,
    );
    expect(await slack.app.idle(20_000)).toBe(true);

    const calls = chatCalls(before);
    expectWithinLimits(calls);
    const posts = calls.filter((call) => call.method === 'chat.postMessage');
    // Everything in the check's thread, nothing at the top of the channel.
    for (const post of posts) expect(post.body).toMatchObject({ channel: 'C0CHECKS', thread_ts: checkTs });
    expect(String(posts[1]?.body.text)).toBe('SPF for `example.com`: 3 of 10 lookups');
    expect(posts.map(blocksOf).join('\n')).toContain('*Records to publish* for `example.com`');
    expect(api.responses.filter((response) => response.id === 'posture')).toEqual([]);
  });

  test('where the bot is not in the channel, the whole report goes to the requester through response_url', async () => {
    expect(await slack.app.idle(20_000)).toBe(true);
    const before = api.calls.length;
    api.failNext('chat.postMessage', { error: 'not_in_channel' });
    const ack = await slack.command({
      text: 'domain example.com',
      channel_id: 'C0PRIVATE',
      response_url: api.responseUrl('private'),
    });
    expect(ack.status).toBe(200);
    await api.waitForResponses('private', 5);
    expect(await slack.app.idle(20_000)).toBe(true);
    const mine = api.responses.filter((response) => response.id === 'private');
    expect(mine).toHaveLength(5);
    for (const response of mine) {
      expect(response.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(blockProblems(response.body.blocks)).toEqual([]);
      expect(String(response.body.text).length).toBeLessThan(4_000);
    }
    const [notice, verdict, ...evidence] = mine;
    expect(String(notice?.body.text)).toContain('/invite @smtp-check');
    expect(String(verdict?.body.text)).toContain('Domain posture of `example.com`');
    expect(JSON.stringify(verdict?.body.blocks)).toContain('*SPF* ✅ 3 of 10 lookups');
    expect(JSON.stringify(verdict?.body.blocks)).toContain('p=none');
    const rest = evidence.map((response) => JSON.stringify(response.body.blocks)).join('\n');
    expect(rest).toContain('*Include tree*');
    expect(rest).toContain('`dmarc-policy-none`');
    expect(rest).toContain('v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com');

    // The one refused post, and nothing else in the channel.
    expect(
      api.calls.slice(before).map((call) => `${call.method} ${call.body.channel} ${call.error ?? 'ok'}`),
    ).toEqual(['chat.postMessage C0PRIVATE not_in_channel']);
  });
});
