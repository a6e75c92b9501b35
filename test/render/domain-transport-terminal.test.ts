import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/index.js';
import { notProbed } from '../../src/posture/port25-evidence.js';
import { displayWidth } from '../../src/render/display-width.js';
import { renderDomainText } from '../../src/render/domain-terminal.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import { INJECTED_LINE } from '../helpers/domain-render-reports.js';
import {
  daneHost,
  dnssecFacts,
  hostileTransportFacts,
  MX1_SPKI,
  MX2_NEW_SPKI,
  MX2_OLD_SPKI,
  port25Evidence,
  troubledTransportFacts,
} from '../helpers/posture-builders.js';
import { HOSTILE } from '../helpers/slack-diagnoses.js';

const text = (facts: Partial<PostureFacts> = troubledTransportFacts(), width = 80): string =>
  renderDomainText(aDomainReport(facts), { color: false, width });

/** The lines of one section, from its title to the blank line that ends it. */
function sectionOf(report: string, title: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(title);
  expect(start, `section ${title}`).toBeGreaterThan(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** Wide enough that nothing wraps: a test of what is said does not depend on where it wrapped. */
const UNWRAPPED = 10_000;
const flat = (lines: readonly string[]): string => lines.join('\n');

const troubled = text();
const wide = text(troubledTransportFacts(), UNWRAPPED);

describe('renderDomainText(): the transport sections', () => {
  test('come after the evidence of part 1 and before the findings, in the order a sender reads them', () => {
    const titles = [
      'MX',
      'Port 25 of the MX hosts (our own probe)',
      'MTA-STS and TLS-RPT',
      'DNSSEC and DANE',
      'Reverse DNS',
      'Blocklists',
    ];
    const lines = troubled.split('\n');
    const at = titles.map((title) => lines.indexOf(title));
    expect(at.every((index) => index > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const findings = renderDomainText(
      aDomainReport(troubledTransportFacts(), [
        { id: 'dane-mismatch', severity: 'critical', summary: 'DANE is in effect and…', advice: [] },
      ]),
      { color: false },
    ).split('\n');
    expect(findings.indexOf('Findings')).toBeGreaterThan(findings.indexOf('Blocklists'));
  });

  test('the summary has a row for each transport part', () => {
    const head = troubled.split('\n').slice(0, 16).join('\n');
    expect(head).toMatch(/^ {2}MTA-STS ❌ enforce · 1 of 2 MX hosts fail the policy · TLS-RPT$/m);
    expect(head).toMatch(/^ {2}DANE {4}❌ DNSSEC secure · TLSA matches on 1 of 2 MX hosts$/m);
    expect(head).toMatch(
      /^ {2}PTR {5}❌ 198\.51\.100\.7 no PTR · 1 of 2 MX addresses not forward-confirmed$/m,
    );
    expect(head).toMatch(/^ {2}DNSBL {3}❌ listed: 198\.51\.100\.7 on Spamhaus ZEN · 1 question refused/m);
  });

  test("port 25 shows each MX host's class and certificate: names, trust, name match, expiry", () => {
    const lines = sectionOf(wide, 'Port 25 of the MX hosts (our own probe)');
    expect(lines[0]).toBe('  ✔ mx1.example.com  203.0.113.25 port 25: STARTTLS upgrade worked');
    expect(flat(lines)).toContain(
      'certificate smtp.hosting.example, www.hosting.example · trusted · name does NOT match · expires in 48 d',
    );
  });

  test('a host not dialled on purpose (MX probes off) says why, not "no address"', () => {
    const off = notProbed('mx1.example.com', 25, 'MX probes are off (DOMAIN_MX_PROBE=off, or --no-probe)');
    const lines = sectionOf(
      text({ ...troubledTransportFacts(), port25: [off] }, UNWRAPPED),
      'Port 25 of the MX hosts (our own probe)',
    );
    expect(lines).toEqual([
      '  · mx1.example.com  port 25: not probed',
      '      MX probes are off (DOMAIN_MX_PROBE=off, or --no-probe)',
    ]);
  });

  test('a host the target policy keeps the bot from dialling is not marked as failing', () => {
    const denied = port25Evidence({
      class: 'denied-by-policy',
      address: null,
      tls: false,
      certificate: null,
      greetingName: null,
      ehloName: null,
      problem: '10.0.0.25 is private (10.0.0.0/8); the bot does not probe internal addresses.',
    });
    const [line] = sectionOf(
      text({ ...troubledTransportFacts(), port25: [denied] }, UNWRAPPED),
      'Port 25 of the MX hosts (our own probe)',
    );
    expect(line).toMatch(/^ {2}· aspmx\.l\.google\.com {2}port 25: /);
    expect(line).not.toContain('no address');
  });

  test('MTA-STS in enforce mode: the record, the policy fetched, and the MX host it misses, whose certificate names another host', () => {
    const lines = sectionOf(troubled, 'MTA-STS and TLS-RPT');
    expect(lines.slice(0, 5)).toEqual([
      '  MTA-STS record at _mta-sts.example.com',
      '      v=STSv1; id=20261201',
      '  ✔ policy https://mta-sts.example.com/.well-known/mta-sts.txt',
      '      fetched: HTTP 200, text/plain, 80 bytes',
      '  mode enforce · max_age 86400 s (1 d) · mx mx1.example.com, *.mail.example.net',
    ]);
    expect(lines).toContain('  ✔ mx1.example.com  covered by mx1.example.com · certificate valid');
    // Wrapped under the text column, not under the mark.
    expect(lines).toContain('  ✘ mx2.example.net  NOT covered by any mx pattern · certificate for another');
    expect(lines).toContain('                     name (smtp.hosting.example, www.hosting.example)');
    expect(lines.slice(-3)).toEqual([
      '  TLS-RPT record at _smtp._tls.example.com',
      '      v=TLSRPTv1; rua=mailto:tls-reports@example.com',
      '  reports go to mailto:tls-reports@example.com',
    ]);
  });

  test('says when there is no MTA-STS or TLS-RPT record, and when the policy could not be fetched', () => {
    const none = sectionOf(text({}), 'MTA-STS and TLS-RPT');
    expect(none).toEqual([
      '  no MTA-STS record at _mta-sts.example.com (optional)',
      '  no TLS-RPT record at _smtp._tls.example.com',
    ]);
    const facts = troubledTransportFacts();
    const unreachable = text(
      {
        ...facts,
        mtaSts: {
          ...facts.mtaSts!,
          fetch: {
            url: 'https://mta-sts.example.com/.well-known/mta-sts.txt',
            outcome: 'unreachable',
            status: 301,
            redirect: 'https://www.example.com/',
            problem: 'a redirect, which RFC 8461 §3.3 forbids following',
          },
          policy: null,
          coverage: [],
        },
      },
      UNWRAPPED,
    );
    expect(flat(sectionOf(unreachable, 'MTA-STS and TLS-RPT'))).toContain(
      '✘ policy https://mta-sts.example.com/.well-known/mta-sts.txt\n      unreachable: HTTP 301, redirected to https://www.example.com/ (not followed)\n      ✘ a redirect, which RFC 8461 §3.3 forbids following',
    );
  });

  test('DNSSEC: each name secure, insecure or bogus, with the Extended DNS Error and the resolver that vouched', () => {
    const lines = sectionOf(wide, 'DNSSEC and DANE');
    expect(lines.slice(0, 3)).toEqual([
      '  validated by 127.0.0.1:5353',
      '  ✔ example.com      secure',
      '  ✔ mx1.example.com  secure',
    ]);
    expect(flat(lines)).toContain(
      '✘ mx2.example.net  bogus (validation fails) · EDE 7 Signature Expired: RRSIG expired 2026-11-30',
    );
    expect(sectionOf(text({}), 'DNSSEC and DANE')).toContain('  · example.com         insecure (not signed)');
  });

  test('DANE: a 3 1 1 record that matches, one a renewal left behind with the key to publish, each in full', () => {
    const lines = sectionOf(wide, 'DNSSEC and DANE');
    expect(lines).toContain('  ✔ mx1.example.com  in effect; 3 1 1 (DANE-EE) matches the certificate');
    expect(lines).toContain(`      ✔ 3 1 1 ${MX1_SPKI}`);
    expect(flat(lines)).toContain(
      '✘ mx2.example.net  in effect; NO MATCH: none of the 1 usable TLSA record matches the certificate the server sent',
    );
    const mismatch = lines.indexOf(`      ✘ 3 1 1 ${MX2_OLD_SPKI}`);
    expect(mismatch).toBeGreaterThan(0);
    expect(lines.slice(mismatch + 1, mismatch + 3)).toEqual([
      "      the certificate's key now, as a 3 1 1 record holds it:",
      `        3 1 1 ${MX2_NEW_SPKI}`,
    ]);
  });

  test.each([
    [
      'TLSA in a zone that is not signed does nothing',
      daneHost({ records: [{ usage: 3, selector: 1, matchingType: 1, data: MX1_SPKI }], dnssec: 'insecure' }),
      '· aspmx.l.google.com  not in effect: the TLSA answer is insecure (not signed), so senders ignore it',
    ],
    [
      'TLSA in effect with no certificate to match',
      daneHost({ records: [{ usage: 3, selector: 1, matchingType: 1, data: MX1_SPKI }], dnssec: 'secure' }),
      '? aspmx.l.google.com  in effect; nothing to match: our probe got no certificate',
    ],
    ['no TLSA records', daneHost(), '· aspmx.l.google.com  no TLSA records (DANE not used)'],
    [
      'no answer for TLSA',
      daneHost({ dnssec: 'unknown', lookupError: 'the resolver answered REFUSED' }),
      '? aspmx.l.google.com  no answer: the resolver answered REFUSED',
    ],
  ])('DANE: %s', (_name, host, line) => {
    const lines = sectionOf(text({ dane: [host], dnssec: dnssecFacts() }, UNWRAPPED), 'DNSSEC and DANE');
    expect(flat(lines)).toContain(line);
  });

  test('reverse DNS: a missing PTR, one not forward-confirmed, a greeting under another name', () => {
    const lines = sectionOf(wide, 'Reverse DNS');
    expect(lines.slice(0, 2)).toEqual(['  ✘ 198.51.100.7  sending address', '      no PTR record ✘']);
    expect(lines).toContain('      PTR mx1.example.com · forward-confirmed ✔');
    expect(lines).toContain('      greeting mx1.example.com · EHLO mx1.example.com · consistent ✔');
    expect(lines).toContain('  ✘ 203.0.113.26  mx2.example.net');
    expect(lines).toContain('      PTR 26.113.0.203.static.isp.example · NOT forward-confirmed ✘');
    expect(flat(lines)).toContain(
      'greeting smtp.hosting.example · EHLO smtp.hosting.example · NOT consistent: neither the PTR nor the MX name ✘',
    );
  });

  test('blocklists: a listing with its meaning, a refusal that is never called a listing, the rest counted', () => {
    const lines = sectionOf(wide, 'Blocklists');
    expect(lines[0]).toBe('  asked through 8.8.8.8: Spamhaus ZEN, SpamCop, PSBL, Spamhaus DBL');
    const all = flat(lines);
    expect(all).toContain(
      '✘ listed on Spamhaus ZEN: 127.0.0.4 XBL: an exploited or infected machine (botnet, proxy, malware)',
    );
    expect(all).toContain('the list says: https://check.spamhaus.org/query/ip/198.51.100.7');
    const refusal = all.split('\n').find((line) => line.includes('127.255.255.254'));
    expect(refusal).toMatch(/^ {6}\? Spamhaus ZEN refused the question: 127\.255\.255\.254 Spamhaus refused/);
    expect(refusal).toContain('not a listing');
    expect(refusal).not.toMatch(/\blisted\b/);
    expect(all).toContain('? no answer from SpamCop: no answer in 2.5 s (ETIMEOUT)');
    // Compact: what said nothing is counted, not listed one by one.
    expect(lines).toContain('      ✔ not listed on 2 other lists');
    expect(lines).toContain('      ✔ not listed on 1 other list');
    expect(lines.at(-1)).toBe('  ✔ example.com (domain)  not listed on 1 list');
    expect(all).not.toContain('PSBL:');
  });

  test('no line is wider than 80 columns, nor than a narrower terminal asked for', () => {
    for (const width of [80, 60]) {
      for (const line of text(troubledTransportFacts(), width).split('\n')) {
        expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      }
    }
  });

  test('long TLSA data and long names are cut or wrapped to the width, never past it', () => {
    const long = 'a'.repeat(60);
    const sha512 = 'f'.repeat(128);
    const certificate = '30'.repeat(600);
    const facts: Partial<PostureFacts> = {
      ...troubledTransportFacts(),
      dane: [
        daneHost({
          exchange: `${long}.example.com`,
          name: `_25._tcp.${long}.example.com`,
          dnssec: 'secure',
          records: [
            { usage: 3, selector: 1, matchingType: 2, data: sha512 },
            { usage: 3, selector: 0, matchingType: 0, data: certificate },
          ],
          match: { matched: false, usable: 2, reason: 'none of the 2 usable TLSA records matches' },
        }),
      ],
    };
    const report = text(facts);
    for (const line of report.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    const lines = sectionOf(report, 'DNSSEC and DANE');
    const shown = lines.find((line) => line.startsWith('      ✘ 3 1 2 '));
    expect(shown).toMatch(/^ {6}✘ 3 1 2 f+…f+$/);
    expect(displayWidth(shown!)).toBe(80);
    expect(lines.some((line) => /^ {6}✘ 3 0 0 (30)+3?…0?(30)+$/.test(line))).toBe(true);
    expect(report).toContain(`${long}.example.com`);
  });

  test('hostile network text can neither drive the terminal nor draw a line of its own', () => {
    const evil = `${HOSTILE}\n${INJECTED_LINE}`;
    // Wide enough that nothing wraps: every line break is then one the renderer chose.
    const report = renderDomainText(aDomainReport(hostileTransportFacts(evil)), {
      color: false,
      width: 100_000,
    });
    expect(report).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const transport = report.slice(report.indexOf('Port 25 of the MX hosts'));
    for (const title of ['MTA-STS and TLS-RPT', 'DNSSEC and DANE', 'Reverse DNS', 'Blocklists']) {
      expect(transport).toContain(`\n${title}\n`);
    }
    const injected = transport.split('\n').filter((line) => line.includes(INJECTED_LINE));
    expect(injected.length).toBeGreaterThan(30);
    for (const line of injected) expect(line, line).toMatch(/_it_ FORGED/);
  });
});
