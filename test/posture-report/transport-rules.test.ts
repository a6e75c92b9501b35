import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import type { PostureFinding } from '../../src/posture-report/types.js';
import {
  blocklistFacts,
  daneHost,
  dnssecFacts,
  mtaStsEnforced,
  mxAddressReverseDns,
  port25Evidence,
  postureFacts,
  tlsRptFacts,
} from '../helpers/posture-builders.js';

// The transport rules: MTA-STS and TLS-RPT, DNSSEC and DANE, reverse DNS, blocklists. Severity
// follows who stops delivering: enforce and signed TLSA are critical, testing mode and unsigned
// records are not; a port we could not reach and a list that refused us are never blamed on the domain.

const TLSA_311 = { usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) };

function finding(facts: PostureFacts, id: string): PostureFinding | undefined {
  return judgePosture(facts).findings.find((candidate) => candidate.id === id);
}

describe('MTA-STS', () => {
  const uncovered = [{ exchange: 'aspmx.l.google.com', pattern: null, certificate: 'valid' as const }];

  test('an MX host the enforced policy does not match is critical, and named', () => {
    const found = finding(
      postureFacts({ mtaSts: mtaStsEnforced({ coverage: uncovered }) }),
      'mta-sts-mx-not-covered',
    );
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain('aspmx.l.google.com');
    expect(found?.summary).toContain('*.l.google.com');
  });

  test('the same in testing mode is a warning, and the mode itself is said', () => {
    const testing = mtaStsEnforced({
      coverage: uncovered,
      policy: { mode: 'testing', maxAge: 86400, mx: ['*.l.google.com'], problems: [] },
    });
    const facts = postureFacts({ mtaSts: testing });
    expect(finding(facts, 'mta-sts-mx-not-covered')?.severity).toBe('warning');
    expect(finding(facts, 'mta-sts-testing')?.severity).toBe('info');
  });

  test.each([
    ['name-mismatch', 'another name'],
    ['untrusted', 'does not verify'],
    ['expired', 'expired'],
    ['no-tls', 'STARTTLS'],
  ] as const)('a %s certificate under enforce is critical', (certificate, words) => {
    const mtaSts = mtaStsEnforced({
      coverage: [{ exchange: 'aspmx.l.google.com', pattern: '*.l.google.com', certificate }],
    });
    const found = finding(postureFacts({ mtaSts }), 'mta-sts-certificate-mismatch');
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain(words);
  });

  test('a host we could not probe is not called a mismatch', () => {
    const mtaSts = mtaStsEnforced({
      coverage: [{ exchange: 'aspmx.l.google.com', pattern: '*.l.google.com', certificate: 'not-probed' }],
    });
    expect(finding(postureFacts({ mtaSts }), 'mta-sts-certificate-mismatch')).toBeUndefined();
  });

  test('mode none asks nothing of the MX hosts', () => {
    const mtaSts = mtaStsEnforced({
      coverage: uncovered,
      policy: { mode: 'none', maxAge: 86400, mx: [], problems: [] },
    });
    const ids = judgePosture(postureFacts({ mtaSts })).findings.map((each) => each.id);
    expect(ids).not.toContain('mta-sts-mx-not-covered');
    expect(ids).not.toContain('mta-sts-certificate-mismatch');
  });

  test('TLS-RPT is asked for only where MTA-STS or DANE is published', () => {
    expect(finding(postureFacts(), 'tlsrpt-missing')).toBeUndefined();
    expect(finding(postureFacts({ mtaSts: mtaStsEnforced() }), 'tlsrpt-missing')?.severity).toBe('info');
    const withReports = tlsRptFacts({
      record: 'v=TLSRPTv1; rua=mailto:tls@example.com',
      records: ['v=TLSRPTv1; rua=mailto:tls@example.com'],
      rua: ['mailto:tls@example.com'],
    });
    expect(
      finding(postureFacts({ mtaSts: mtaStsEnforced(), tlsRpt: withReports }), 'tlsrpt-missing'),
    ).toBeUndefined();
  });
});

describe('DNSSEC and DANE', () => {
  test('a bogus MX zone is critical and names the Extended DNS Error', () => {
    const dnssec = dnssecFacts({
      mxHosts: [
        {
          name: 'aspmx.l.google.com',
          status: 'bogus',
          extendedError: { code: 7, name: 'Signature Expired' },
        },
      ],
    });
    const found = finding(postureFacts({ dnssec }), 'dnssec-bogus');
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain('Signature Expired');
  });

  test('signed TLSA that does not match the chain is critical; unsigned TLSA only does nothing', () => {
    const mismatch = daneHost({
      records: [TLSA_311],
      dnssec: 'secure',
      match: { matched: false, usable: 1, reason: 'digests differ' },
    });
    expect(finding(postureFacts({ dane: [mismatch] }), 'dane-mismatch')?.severity).toBe('critical');
    const unsigned = daneHost({
      records: [TLSA_311],
      dnssec: 'insecure',
      match: { matched: false, usable: 1 },
    });
    const ids = judgePosture(postureFacts({ dane: [unsigned] })).findings.map((each) => each.id);
    expect(ids).toContain('dane-without-dnssec');
    expect(ids).not.toContain('dane-mismatch');
  });

  test('a match is no finding', () => {
    const matched = daneHost({
      records: [TLSA_311],
      dnssec: 'secure',
      match: { matched: true, by: TLSA_311, usable: 1 },
    });
    const ids = judgePosture(postureFacts({ dane: [matched] })).findings.map((each) => each.id);
    expect(ids.filter((id) => id.startsWith('dane') || id.startsWith('dnssec'))).toEqual([]);
  });

  test('signed TLSA on a server that answers without STARTTLS is critical; a port blocked on our side is not', () => {
    const signed = daneHost({ records: [TLSA_311], dnssec: 'secure', match: null });
    const noTls = port25Evidence({ class: 'no-starttls', tls: false, certificate: null });
    expect(finding(postureFacts({ dane: [signed], port25: [noTls] }), 'dane-mismatch')?.summary).toContain(
      'did not complete STARTTLS',
    );
    const blocked = port25Evidence({ class: 'filtered', tls: false, certificate: null, greetingName: null });
    expect(finding(postureFacts({ dane: [signed], port25: [blocked] }), 'dane-mismatch')).toBeUndefined();
  });

  test('records SMTP cannot use (PKIX usages) are said as such, as a warning', () => {
    const pkix = { ...TLSA_311, usage: 1 };
    const host = daneHost({ records: [pkix], dnssec: 'secure', match: { matched: false, usable: 0 } });
    const found = finding(postureFacts({ dane: [host] }), 'dane-mismatch');
    expect(found?.summary).toContain('no record SMTP can use');
    // RFC 7672 §2.2: senders fall back to TLS without authentication; mail still flows.
    expect(found?.severity).toBe('warning');
  });
});

describe('reverse DNS', () => {
  const sending = { address: '198.51.100.7', role: 'sending' as const, greetingConsistent: null };

  test('the sending address without PTR is critical; an MX address without one a warning', () => {
    const sendingFacts = postureFacts({
      reverseDns: { addresses: [{ ...sending, ptr: [], forwardConfirmed: false }] },
    });
    expect(finding(sendingFacts, 'ptr-missing')?.severity).toBe('critical');
    const mxFacts = postureFacts({
      reverseDns: { addresses: [mxAddressReverseDns({ ptr: [], forwardConfirmed: false })] },
    });
    expect(finding(mxFacts, 'ptr-missing')?.severity).toBe('warning');
  });

  test('a PTR that does not resolve back names the pair', () => {
    const facts = postureFacts({
      reverseDns: { addresses: [{ ...sending, ptr: ['mail.example.net'], forwardConfirmed: false }] },
    });
    const found = finding(facts, 'fcrdns-mismatch');
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain('198.51.100.7 → mail.example.net');
  });

  test('a greeting that matches neither PTR nor MX name is a warning; an unknown one is nothing', () => {
    const differs = mxAddressReverseDns({ greetingName: 'relay.example.net', greetingConsistent: false });
    expect(
      finding(postureFacts({ reverseDns: { addresses: [differs] } }), 'ptr-greeting-mismatch')?.summary,
    ).toContain('relay.example.net');
    const unknown = mxAddressReverseDns({ greetingName: null, ehloName: null, greetingConsistent: null });
    expect(judgePosture(postureFacts({ reverseDns: { addresses: [unknown] } })).findings).toEqual([]);
  });
});

describe('blocklists', () => {
  function results(status: 'listed' | 'refused', subjectRole: 'sending' | 'mx' | 'domain', codes: string[]) {
    const facts = blocklistFacts();
    return {
      ...facts,
      results: [
        {
          zone: 'zen.spamhaus.org',
          name: 'Spamhaus ZEN',
          subject: subjectRole === 'domain' ? 'example.com' : '198.51.100.7',
          subjectRole,
          status,
          codes,
          meanings:
            status === 'listed' ? ['SBL: a spam source'] : ['the query came through a public resolver'],
        },
      ],
    };
  }

  test('a listed sending address is critical, with what the list says', () => {
    const found = finding(
      postureFacts({ blocklists: results('listed', 'sending', ['127.0.0.2']) }),
      'dnsbl-listed',
    );
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain('SBL: a spam source');
  });

  test('a listed MX address alone is a warning', () => {
    expect(
      finding(postureFacts({ blocklists: results('listed', 'mx', ['127.0.0.2']) }), 'dnsbl-listed')?.severity,
    ).toBe('warning');
  });

  test('a refusal is never a listing: it says to use your own resolver', () => {
    const report = judgePosture(
      postureFacts({ blocklists: results('refused', 'sending', ['127.255.255.254']) }),
    );
    const ids = report.findings.map((each) => each.id);
    expect(ids).not.toContain('dnsbl-listed');
    const refused = report.findings.find((each) => each.id === 'dnsbl-query-refused');
    expect(refused?.summary).toContain('says nothing about a listing');
    expect(refused?.advice.join(' ')).toContain('DNSBL_RESOLVER');
  });
});
