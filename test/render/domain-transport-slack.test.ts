import { describe, expect, test } from 'vitest';
import type { BlocklistResult, PostureFacts } from '../../src/posture/index.js';
import type { DomainReport } from '../../src/posture-report/index.js';
import { renderDomainMessage, renderDomainThread } from '../../src/render/domain-slack.js';
import type { SlackMessage } from '../../src/render/slack-blocks.js';
import { findLimitViolations, TRUNCATED_NOTE } from '../../src/render/slack-limits.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import { INJECTED_LINE } from '../helpers/domain-render-reports.js';
import {
  blocklistFacts,
  daneHost,
  hostileTransportFacts,
  MX1_SPKI,
  MX2_NEW_SPKI,
  MX2_OLD_SPKI,
  troubledTransportFacts,
} from '../helpers/posture-builders.js';
import { forbiddenCharacters, proseOf, textsOf, unsafeMarkup } from '../helpers/slack-assertions.js';
import { HOSTILE } from '../helpers/slack-diagnoses.js';

const all = (message: SlackMessage): string => textsOf(message).join('\n');

function threadOf(report: DomainReport): { transport: SlackMessage; reputation: SlackMessage } {
  const thread = renderDomainThread(report);
  const transport = thread.find((message) => message.text.startsWith('MTA-STS, TLS-RPT, DNSSEC and DANE'));
  const reputation = thread.find((message) => message.text.startsWith('Reverse DNS and blocklists'));
  expect(transport).toBeDefined();
  expect(reputation).toBeDefined();
  return { transport: transport!, reputation: reputation! };
}

const troubledReport = aDomainReport(troubledTransportFacts());
const { transport, reputation } = threadOf(troubledReport);

describe('renderDomainThread(): the transport replies', () => {
  test('come after the records of part 1 and before the sender rules, findings and records to publish', () => {
    const texts = renderDomainThread(troubledReport).map((message) => message.text);
    expect(texts.slice(1, 4)).toEqual([
      'DKIM, DMARC, BIMI and MX for `example.com`',
      'MTA-STS, TLS-RPT, DNSSEC and DANE for `example.com`',
      'Reverse DNS and blocklists for `example.com`',
    ]);
    expect(texts.indexOf('No findings for `example.com`')).toBe(4);
  });

  test("port 25: each MX host's class and certificate", () => {
    expect(all(transport)).toContain(
      '✅ `mx2.example.net` `203.0.113.26` port 25: STARTTLS upgrade worked\n      certificate `smtp.hosting.example` `www.hosting.example` · trusted · *name does not match* · expires in 48 d',
    );
  });

  test('MTA-STS in enforce mode: the record, the policy, the MX host it misses and its certificate for another name', () => {
    const text = all(transport);
    expect(text).toContain('*MTA-STS* ❌ enforce · 1 of 2 MX hosts fail the policy · TLS-RPT');
    expect(text).toContain('At `_mta-sts.example.com`\n```v=STSv1; id=20261201```');
    expect(text).toContain(
      '✅ Policy `https://mta-sts.example.com/.well-known/mta-sts.txt` fetched: HTTP 200, `text/plain`, 80 bytes',
    );
    expect(text).toContain('mode `enforce` · max_age 86400 s · mx `mx1.example.com` `*.mail.example.net`');
    expect(text).toContain('✅ `mx1.example.com` covered by `mx1.example.com` · certificate valid');
    expect(text).toContain(
      '❌ `mx2.example.net` *not covered* by any `mx` pattern · certificate for another name (it names `smtp.hosting.example` `www.hosting.example`)',
    );
    expect(text).toContain(
      '*TLS-RPT* at `_smtp._tls.example.com`\n```v=TLSRPTv1; rua=mailto:tls-reports@example.com```',
    );
  });

  test('DNSSEC with the Extended DNS Error and the resolver; DANE match and mismatch with the key to publish', () => {
    const text = all(transport);
    expect(text).toContain(
      '❌ `mx2.example.net` bogus (validation fails) · EDE 7 `Signature Expired` `RRSIG expired 2026-11-30`',
    );
    expect(text).toContain('Validated by `127.0.0.1:5353`');
    expect(text).toContain(
      `✅ \`mx1.example.com\` TLSA in effect; 3 1 1 (DANE-EE) matches the certificate\n      ✅ \`3 1 1 ${MX1_SPKI}\``,
    );
    expect(text).toContain(
      `❌ \`mx2.example.net\` TLSA in effect; *no match*: \`none of the 1 usable TLSA record matches the certificate the server sent\`\n      ❌ \`3 1 1 ${MX2_OLD_SPKI}\`\n      the certificate's key now, as a 3 1 1 record holds it: \`3 1 1 ${MX2_NEW_SPKI}\``,
    );
  });

  test('DANE in a zone that is not signed is said to do nothing', () => {
    const facts: Partial<PostureFacts> = {
      dane: [daneHost({ records: [{ usage: 3, selector: 1, matchingType: 1, data: MX1_SPKI }] })],
    };
    expect(all(threadOf(aDomainReport(facts)).transport)).toContain(
      '➖ `aspmx.l.google.com` TLSA *not in effect*: the answer is insecure (not signed), so senders ignore it',
    );
  });

  test('reverse DNS: a missing PTR, one not forward-confirmed, a greeting under another name', () => {
    const text = all(reputation);
    expect(text).toContain('❌ `198.51.100.7` (sending address) *no PTR record*');
    expect(text).toContain(
      '❌ `203.0.113.26` (MX `mx2.example.net`) PTR `26.113.0.203.static.isp.example` · *not forward-confirmed*\n      greeting `smtp.hosting.example` · EHLO `smtp.hosting.example` · *matches neither the PTR nor the MX name*',
    );
    expect(text).toContain(
      '✅ `203.0.113.25` (MX `mx1.example.com`) PTR `mx1.example.com` · forward-confirmed',
    );
  });

  test('blocklists: a listing with its meaning, a refusal never called a listing, the rest counted', () => {
    const text = all(reputation);
    expect(text).toContain(
      '❌ `198.51.100.7` (sending address) *listed* on `Spamhaus ZEN`: `127.0.0.4` XBL: an exploited or infected machine (botnet, proxy, malware) · the list says `https://check.spamhaus.org/query/ip/198.51.100.7`',
    );
    const refusal = text.split('\n').find((line) => line.includes('127.255.255.254'));
    expect(refusal).toMatch(
      /^⚠️ `203\.0\.113\.25` \(MX `mx1\.example\.com`\): `Spamhaus ZEN` \*refused the question\*: `127\.255\.255\.254` Spamhaus refused/,
    );
    expect(refusal).toContain('not a listing');
    expect(refusal).not.toMatch(/\blisted\b/);
    expect(text).toContain('❓ `203.0.113.25` (MX `mx1.example.com`): no answer from `SpamCop`');
    expect(text).toContain('✅ `198.51.100.7` (sending address) not listed on 2 other lists');
    expect(text).toContain('✅ `example.com` (domain) not listed on 1 list');
    expect(text).not.toContain('`PSBL`:');
    expect(text).toContain('Asked through `8.8.8.8`: `Spamhaus ZEN` `SpamCop` `PSBL` `Spamhaus DBL`');
  });
});

describe('renderDomainMessage(): the transport rows', () => {
  test('one row per part, under the rows of part 1', () => {
    const table = all(renderDomainMessage(troubledReport));
    expect(table).toContain(
      '*MX* ✅ `mx1.example.com` +1 more\n*MTA-STS* ❌ enforce · 1 of 2 MX hosts fail the policy · TLS-RPT\n*DANE* ❌ DNSSEC secure · TLSA matches on 1 of 2 MX hosts\n*PTR* ❌ `198.51.100.7` no PTR · 1 of 2 MX addresses not forward-confirmed\n*DNSBL* ❌ listed: `198.51.100.7` on `Spamhaus ZEN` · 1 question refused · 1 unanswered',
    );
  });

  test("a transport finding sets its part's icon and the verdict, and is listed with the others in the thread", () => {
    const report = aDomainReport({}, [
      {
        id: 'dnssec-bogus',
        severity: 'critical',
        summary: 'DNSSEC validation fails for example.com',
        advice: ['Check the DS record at the parent.'],
      },
      { id: 'tlsrpt-missing', severity: 'warning', summary: 'No TLS-RPT record.', advice: [] },
      { id: 'fcrdns-mismatch', severity: 'warning', summary: 'Not forward-confirmed.', advice: [] },
      { id: 'dnsbl-query-refused', severity: 'warning', summary: 'Spamhaus refused.', advice: [] },
    ]);
    const table = all(renderDomainMessage(report));
    expect(table).toContain('❌ 1 critical problem, 3 warnings to fix');
    expect(table).toContain('*MTA-STS* ⚠️ none (optional)');
    expect(table).toContain('*DANE* ❌ DNSSEC insecure · no TLSA');
    expect(table).toContain('*PTR* ⚠️ 1 MX address forward-confirmed');
    expect(table).toContain('*DNSBL* ⚠️ not listed (2 lists)');
    const findings = renderDomainThread(report).find((message) => message.text.includes('finding'));
    const text = all(findings!);
    for (const id of ['dnssec-bogus', 'tlsrpt-missing', 'fcrdns-mismatch', 'dnsbl-query-refused']) {
      expect(text).toContain(`\`${id}\``);
    }
    expect(text).toContain('• Check the DS record at the parent.');
  });
});

describe('the transport replies with hostile or huge facts', () => {
  const evil = `${HOSTILE}\n${INJECTED_LINE}`;
  const hostile = threadOf(aDomainReport(hostileTransportFacts(evil)));
  const hostileParent = renderDomainMessage(aDomainReport(hostileTransportFacts(evil)));

  const many = (count: number, status: BlocklistResult['status']): BlocklistResult[] =>
    Array.from({ length: count }, (_, index) => ({
      zone: `list${index}.example.net`,
      name: `List ${index}`,
      subject: `198.51.100.${index}`,
      subjectRole: 'mx' as const,
      status,
      codes: ['127.0.0.2', '127.0.0.3'],
      meanings: ['a long meaning of the code '.repeat(8), 'another '.repeat(20)],
      text: 'https://list.example.net/lookup '.repeat(10),
    }));
  const huge = threadOf(
    aDomainReport({
      dane: Array.from({ length: 12 }, (_, index) =>
        daneHost({
          exchange: `mx${index}.${'long-label.'.repeat(8)}example.com`,
          dnssec: 'secure',
          records: Array.from({ length: 12 }, () => ({
            usage: 3,
            selector: 0,
            matchingType: 0,
            data: '30'.repeat(800),
          })),
          match: { matched: false, usable: 12, reason: 'none matches '.repeat(30) },
        }),
      ),
      blocklists: blocklistFacts({ results: [...many(120, 'listed'), ...many(80, 'refused')] }),
    }),
  );

  const cases = [
    ['hostile transport', hostile.transport],
    ['hostile reputation', hostile.reputation],
    ['hostile parent', hostileParent],
    ['huge transport', huge.transport],
    ['huge reputation', huge.reputation],
  ] as const;

  test.each(cases)('%s stays inside every Block Kit limit', (_name, message) => {
    expect(findLimitViolations(message)).toEqual([]);
  });

  test.each(cases)('%s mentions and links nobody, and draws no line of its own', (_name, message) => {
    expect(unsafeMarkup(message)).toEqual([]);
    expect(proseOf(message)).not.toContain('evil.example');
    for (const text of textsOf(message)) expect(text).not.toMatch(/(^|\n)[\s_*•>]*FORGED/);
    expect(forbiddenCharacters(message)).toEqual([]);
    for (const text of textsOf(message)) expect((text.match(/```/g)?.length ?? 0) % 2, text).toBe(0);
  });

  test('the hostile text was shown, escaped, in every transport part', () => {
    const text = `${all(hostile.transport)}\n${all(hostile.reputation)}`;
    for (const title of [
      '*Port 25*',
      '*MTA-STS*',
      '*TLS-RPT*',
      '*DNSSEC and DANE*',
      '*Reverse DNS*',
      '*Blocklists*',
    ]) {
      expect(text).toContain(title);
    }
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text.match(/&lt;!channel&gt;/g)!.length).toBeGreaterThan(30);
  });

  test('a huge list is cut with a visible note', () => {
    expect(all(huge.reputation)).toContain(TRUNCATED_NOTE);
    expect(all(huge.transport)).toContain('`mx0.long-label.');
  });
});
