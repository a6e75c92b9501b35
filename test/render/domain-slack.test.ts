import { describe, expect, test } from 'vitest';
import type { DomainReport } from '../../src/posture-report/index.js';
import type { SlackMessage } from '../../src/render/slack-blocks.js';
import {
  renderDomainMessage,
  renderDomainProgress,
  renderDomainThread,
} from '../../src/render/domain-slack.js';
import { findLimitViolations, TRUNCATED_NOTE } from '../../src/render/slack-limits.js';
import { aHostileReport, aHugeReport, aTypicalReport } from '../helpers/domain-render-reports.js';
import { forbiddenCharacters, proseOf, textsOf, unsafeMarkup } from '../helpers/slack-assertions.js';
import { HOSTILE } from '../helpers/slack-diagnoses.js';

const typical = aTypicalReport();

function everyMessage(report: DomainReport): Array<[string, SlackMessage]> {
  return [
    ['progress', renderDomainProgress(report.facts.request.domain)],
    ['message', renderDomainMessage(report)],
    ...renderDomainThread(report).map((message, index): [string, SlackMessage] => [
      `thread ${index}`,
      message,
    ]),
  ];
}

const cases = [
  ...everyMessage(typical).map(([name, message]) => [`typical ${name}`, message] as const),
  ...everyMessage(aHostileReport()).map(([name, message]) => [`hostile ${name}`, message] as const),
  ...everyMessage(aHugeReport()).map(([name, message]) => [`huge ${name}`, message] as const),
  ['progress of a hostile domain', renderDomainProgress(HOSTILE)] as const,
];

const all = (message: SlackMessage): string => textsOf(message).join('\n');

describe('the domain report in Slack', () => {
  test.each(cases)('%s stays inside every Block Kit limit', (_name, message) => {
    expect(findLimitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeGreaterThan(0);
    expect(message.text.length).toBeGreaterThan(0);
  });

  test.each(cases)('%s mentions and links nobody', (_name, message) => {
    expect(unsafeMarkup(message)).toEqual([]);
    // Slack links a bare URL in prose, so DNS text may appear only inside code.
    expect(proseOf(message)).not.toContain('evil.example');
    // A line break in DNS text must not start a line of its own in the message.
    for (const text of textsOf(message)) expect(text).not.toMatch(/(^|\n)[\s_*•>]*FORGED/);
  });

  test.each(cases)('%s carries no control, bidi or broken characters', (_name, message) => {
    expect(forbiddenCharacters(message)).toEqual([]);
  });

  test('backticks in a record cannot close the code block around it', () => {
    for (const message of renderDomainThread(aHostileReport())) {
      for (const text of textsOf(message)) {
        expect((text.match(/```/g)?.length ?? 0) % 2, text).toBe(0);
        expect(text).not.toContain('```fence```');
      }
    }
  });
});

describe('renderDomainMessage()', () => {
  test('is the verdict and one row per part, with the numbers', () => {
    const message = renderDomainMessage(typical);
    expect(message.blocks[0]?.type).toBe('section');
    const table = all({ text: '', blocks: [message.blocks[0]!] });
    expect(table).toContain('*Domain posture of `example.com`*\n❌ 1 critical problem, 1 warning to fix');
    expect(table).toContain('*SPF* ❌ 7 of 10 lookups · `Google Workspace` · `192.0.2.1` → pass');
    expect(table).toContain('*DKIM* ✅ `google`, 2048-bit');
    expect(table).toContain('*DMARC* ⚠️ p=none · sp=reject · 2 report destinations');
    expect(table).toContain('*BIMI* ➖ none (optional)');
    expect(table).toContain('*MX* ✅ `aspmx.l.google.com`');
    expect(table).toContain('*MTA-STS* ➖ none (optional) · no TLS-RPT');
    expect(table).toContain('*DANE* ➖ DNSSEC insecure · no TLSA');
    expect(table).toContain('*PTR* ✅ 1 MX address forward-confirmed');
    expect(table).toContain('*DNSBL* ✅ not listed (2 lists)');
  });

  test('says which resolver answered and how many questions it was asked', () => {
    const contextLine = all({
      text: '',
      blocks: message(typical).blocks.filter((block) => block.type === 'context'),
    });
    expect(contextLine).toContain('14 DNS queries to the resolver 127.0.0.1:5353');
    const exhausted = aTypicalReport({
      facts: { ...typical.facts, queries: { ...typical.facts.queries, budgetExhausted: true, failed: 3 } },
    });
    expect(all(message(exhausted))).toContain('3 unanswered · ⚠️ the budget of 150 queries ran out');
  });

  test('a report with nothing to fix says so', () => {
    const clean = aTypicalReport({ verdict: 'ok', findings: [] });
    expect(all(renderDomainMessage(clean))).toContain('✅ SPF, DKIM and DMARC in order: nothing to fix');
  });
});

function message(report: DomainReport): SlackMessage {
  return renderDomainMessage(report);
}

describe('renderDomainThread()', () => {
  const thread = renderDomainThread(typical);

  test('gives the SPF tree in a code block, each record with its lookups and provider', () => {
    const spf = all(thread[0]!);
    expect(spf).toContain(
      '```example.com · 1 lookup\n│ v=spf1 include:_spf.google.com -all\n└─ include:_spf.google.com · Google Workspace · 0 lookups\n     v=spf1 ip4:172.217.0.0/19 ~all```',
    );
    expect(spf).toContain('decided by ip4:172.217.0.0/19 in _spf.google.com');
    expect(spf).toContain('*Sending address* `192.0.2.1` · PTR `mail.example.com` · forward-confirmed ✅');
  });

  test('gives DKIM, DMARC with its destinations, BIMI and MX', () => {
    const records = all(thread[1]!);
    expect(records).toContain("✅ `google` `rsa` 2048-bit (`Google Workspace`'s selector)");
    expect(records).toContain('➖ `default` not found (common selector)');
    expect(records).toContain(
      '```v=DMARC1; p=none; rua=mailto:dmarc@example.com,mailto:reports@dmarc-vendor.example.net```',
    );
    expect(records).toContain('rua `mailto:reports@dmarc-vendor.example.net` external · *not authorized* ❌');
    expect(records).toContain('None at `default._bimi.example.com`.');
    expect(records).toContain('`aspmx.l.google.com`');
  });

  test('gives the sender rules, the findings worst first with advice, and the records to paste', () => {
    const [rules, findings, fixes] = thread.slice(4).map(all);
    expect(rules).toContain('❌ *Yahoo* (bulk senders) Bulk senders publish a DMARC record, at least p=none');
    expect(rules).toContain('✅ *Gmail* (every sender)');
    expect(rules).toContain('❓ *Outlook.com*');
    const order = ['`spf-too-many-lookups`', '`dmarc-policy-none`', '`dkim-testing`'].map((id) =>
      findings!.indexOf(id),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(findings).toContain('• Drop includes of services you no longer use');
    expect(fixes).toContain('*`_dmarc.example.com`* TXT');
    expect(fixes).toContain(`\`\`\`${typical.fixes[0]!.value}\`\`\``);
  });

  test('a huge include tree and hundreds of findings are cut with a visible note', () => {
    const huge = renderDomainThread(aHugeReport());
    expect(all(huge[0]!)).toContain(TRUNCATED_NOTE);
    expect(all(huge[0]!)).toContain('include:service0.level1.spf.example.net');
    expect(all(huge[5]!)).toContain(`${TRUNCATED_NOTE}: 160 more findings in the JSON output`);
  });

  test('DNS text is escaped: a mention in a record is shown, not sent', () => {
    const text = renderDomainThread(aHostileReport()).map(all).join('\n');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });
});

describe('renderDomainProgress()', () => {
  test('names the domain and what is being checked', () => {
    expect(renderDomainProgress('example.com').text).toBe(
      '⏳ Checking the sending posture of `example.com`: SPF, DKIM, DMARC, BIMI, MX, MTA-STS, DNSSEC, DANE, reverse DNS and blocklists…',
    );
  });
});
