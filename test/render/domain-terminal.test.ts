import { describe, expect, test } from 'vitest';
import { displayWidth } from '../../src/render/display-width.js';
import { fixLine, renderDomainText } from '../../src/render/domain-terminal.js';
import {
  aHostileReport,
  aHugeReport,
  aTypicalReport,
  INJECTED_LINE,
} from '../helpers/domain-render-reports.js';
import { postureFacts, spfFacts } from '../helpers/posture-builders.js';

const typical = aTypicalReport();
const plain = (report = typical): string => renderDomainText(report, { color: false });

/** The DNS records a report shows: the only lines allowed past the terminal's width. */
function recordsOf(report = typical): string[] {
  const { facts } = report;
  const tree: string[] = [];
  const walk = (node: NonNullable<typeof facts.spf.tree>): void => {
    if (node.record) tree.push(node.record);
    node.children.forEach(walk);
  };
  if (facts.spf.tree) walk(facts.spf.tree);
  return [...tree, facts.dmarc.record ?? '', facts.bimi.record ?? ''].filter((record) => record !== '');
}

describe('renderDomainText()', () => {
  test('starts with the verdict and the summary, so `head` shows them', () => {
    const lines = plain().split('\n');
    expect(lines[0]).toBe('smtp-check domain example.com');
    expect(lines.slice(0, 4).join('\n')).toContain('❌ 1 critical problem, 1 warning to fix');
    const summary = lines.slice(0, 10).join('\n');
    expect(summary).toMatch(/SPF +(❌|✅|⚠️) 7 of 10 lookups · Google Workspace · 192\.0\.2\.1 → pass/);
    expect(summary).toMatch(/DKIM +✅ google, 2048-bit/);
    expect(summary).toMatch(/DMARC +⚠️ p=none/);
    expect(summary).toMatch(/BIMI +➖ none/);
    expect(summary).toMatch(/MX +✅ aspmx\.l\.google\.com/);
    const rows = lines.slice(0, 14).join('\n');
    expect(rows).toMatch(/MTA-STS ➖ none \(optional\) · no TLS-RPT/);
    expect(rows).toMatch(/DANE +➖ DNSSEC insecure · no TLSA/);
    expect(rows).toMatch(/PTR +✅ 1 MX address forward-confirmed/);
    expect(rows).toMatch(/DNSBL +✅ not listed \(2 lists\)/);
  });

  test('no line is wider than 80 columns but the records, which are printed whole', () => {
    const report = aTypicalReport({
      facts: postureFacts({
        ...typical.facts,
        dmarc: {
          ...typical.facts.dmarc,
          record: `v=DMARC1; p=none; rua=${Array.from({ length: 6 }, (_, i) => `mailto:r${i}@example.com`).join(',')}`,
        },
      }),
    });
    const text = plain(report);
    const allowed = [...recordsOf(report), ...report.fixes.map(fixLine)];
    const wide = text.split('\n').filter((line) => displayWidth(line) > 80);
    expect(wide.length).toBeGreaterThan(0);
    for (const line of wide)
      expect(
        allowed.some((record) => line.trimEnd().endsWith(record)),
        line,
      ).toBe(true);
    // The prose that had to wrap is all there.
    expect(text.replace(/\s+/g, ' ')).toContain(report.findings[0]!.summary);
  });

  test('wraps to a narrower terminal when asked', () => {
    const text = renderDomainText(typical, { color: false, width: 60 });
    const allowed = [...recordsOf(), ...typical.fixes.map(fixLine)];
    for (const line of text.split('\n').filter((line) => displayWidth(line) > 60)) {
      expect(
        allowed.some((record) => line.trimEnd().endsWith(record)),
        line,
      ).toBe(true);
    }
  });

  test('colours severities only when colour is on', () => {
    expect(plain()).not.toContain('\u001b');
    const colored = renderDomainText(typical, { color: true });
    expect(colored).toContain('\u001b[31mCRITICAL');
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain());
  });

  test('draws the SPF tree with each record, its lookups and its provider, and the --ip result', () => {
    const text = plain();
    expect(text).toContain('  example.com · 1 lookup\n  │ v=spf1 include:_spf.google.com -all\n');
    expect(text).toContain(
      '  └─ include:_spf.google.com · Google Workspace · 0 lookups\n       v=spf1 ip4:172.217.0.0/19 ~all\n',
    );
    expect(text).toContain('--ip 192.0.2.1: pass');
    expect(text).toContain('decided by ip4:172.217.0.0/19 in _spf.google.com');
    expect(text).toContain('path example.com → _spf.google.com');
  });

  test('shows each DKIM selector tried, DMARC destinations with their authorization, and MX hosts', () => {
    const text = plain();
    expect(text).toMatch(/✔ google +found · rsa 2048-bit \(Google Workspace's selector\)/);
    expect(text).toMatch(/✘ default +not found \(common selector\)/);
    expect(text).toContain('rua mailto:dmarc@example.com  own domain');
    expect(text.replace(/\n\s+/g, ' ')).toContain(
      'rua mailto:reports@dmarc-vendor.example.net  external · NOT authorized ✘ (no v=DMARC1 at example.com._report._dmarc.dmarc-vendor.example.net)',
    );
    const address = typical.facts.mx.hosts[0]!.addresses[0]!;
    expect(text).toMatch(
      new RegExp(`^ +1 {2}aspmx\\.l\\.google\\.com {2}${address.replace(/\./g, '\\.')}$`, 'm'),
    );
  });

  test('lists findings worst first, each with its advice', () => {
    const text = plain();
    const order = ['CRITICAL', 'WARNING ', 'INFO    '].map((label) => text.indexOf(`  ${label} `));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('→ Drop includes of services you no longer use');
  });

  test('draws the sender rules as a table of ✔, ✘ and ?', () => {
    const text = plain();
    expect(text).toMatch(/^ {2}✔ Gmail {8}all {3}Every sender authenticates its mail with SPF or DKIM$/m);
    expect(text).toMatch(/^ {2}✘ Yahoo {8}bulk {2}Bulk senders publish a DMARC record, at least p=none$/m);
    expect(text).toMatch(/^ {2}\? Outlook\.com {2}bulk {2}High-volume senders sign with DKIM$/m);
    expect(text).toMatch(/^ +no DMARC record applies$/m);
  });

  test('prints each record to publish on one line, ready to paste', () => {
    const text = plain();
    expect(text).toContain(
      '\n  _dmarc.example.com  TXT  "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; ruf=mailto:dmarc@example.com; adkim=r; aspf=r; fo=1"\n',
    );
    const long = fixLine({
      name: 'k._domainkey.example.com',
      type: 'TXT',
      value: `p=${'A'.repeat(300)}"\\`,
      why: '',
    });
    expect(long).toBe(`k._domainkey.example.com  TXT  "p=${'A'.repeat(253)}" "${'A'.repeat(47)}\\"\\\\"`);
  });

  test('hostile DNS text can neither drive the terminal nor draw a line of its own', () => {
    // Wide enough that nothing wraps: every line break is then one the renderer chose.
    const text = renderDomainText(aHostileReport(), { color: false, width: 100_000 });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('RED');
    const injected = text.split('\n').filter((line) => line.includes(INJECTED_LINE));
    expect(injected.length).toBeGreaterThan(10);
    for (const line of injected) expect(line, line).toMatch(/_it_ FORGED/);
  });

  test('a huge include tree stays drawn, with a note for what is left out', () => {
    const text = plain(aHugeReport());
    expect(text).toContain('include:service0.level4.spf.example.net');
    expect(text).toMatch(/… \d+ more records not drawn/);
  });

  test('says when the SPF record is missing', () => {
    const report = aTypicalReport({
      facts: postureFacts({ spf: spfFacts({ tree: null, lookups: 0, providers: [] }) }),
    });
    const text = plain(report);
    expect(text).toMatch(/SPF +❌ no record/);
    expect(text).toContain('no v=spf1 record at example.com');
  });
});

describe('a DMARC report destination with no domain to read', () => {
  test('is called unusable, never "own domain"', () => {
    const base = aTypicalReport();
    const report = {
      ...base,
      facts: {
        ...base.facts,
        dmarc: {
          ...base.facts.dmarc,
          rua: [{ uri: 'mailto:<!channel>', external: false, authorized: null, problem: 'no mailbox in it' }],
        },
      },
    };
    const line = plain(report)
      .split('\n')
      .find((text) => text.includes('rua mailto:'));
    expect(line).toMatch(/unusable · no mailbox in it/);
    expect(line).not.toMatch(/own domain/);
  });
});
