import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/index.js';
import type { PostureFindingId } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import {
  bimiFacts,
  dkimMissing,
  dmarcFacts,
  dmarcMissing,
  mxFacts,
  postureFacts,
  spfFacts,
} from '../helpers/posture-builders.js';

function findingOf(facts: PostureFacts, id: PostureFindingId) {
  return judgePosture(facts).findings.find((finding) => finding.id === id);
}

function withMx(overrides: Parameters<typeof mxFacts>[0]): PostureFacts {
  return postureFacts({ mx: mxFacts(overrides) });
}

function host(addresses: string[], overrides: { cname?: string } = {}) {
  return { exchange: 'mx1.example.com', priority: 10, addresses, ...overrides };
}

const bimi = bimiFacts({ record: 'v=BIMI1; l=https://example.com/logo.svg' });

describe('MX rules', () => {
  test.each<[string, PostureFacts, PostureFindingId, 'critical' | 'warning' | null]>([
    ['a null MX', withMx({ hosts: [], nullMx: true }), 'mx-null', 'critical'],
    ['an MX host', withMx({}), 'mx-null', null],
    [
      'an MX that is a CNAME',
      withMx({ hosts: [host(['142.250.27.26'], { cname: 'mail.provider.example' })] }),
      'mx-cname',
      'warning',
    ],
    ['an MX that is not a CNAME', withMx({ hosts: [host(['142.250.27.26'])] }), 'mx-cname', null],
    ['an MX at a private address', withMx({ hosts: [host(['10.0.0.5'])] }), 'mx-private', 'critical'],
    ['an MX at loopback (IPv6)', withMx({ hosts: [host(['::1'])] }), 'mx-private', 'critical'],
    ['an MX at a documentation address', withMx({ hosts: [host(['192.0.2.25'])] }), 'mx-private', 'critical'],
    [
      'an MX at a public address',
      withMx({ hosts: [host(['142.250.27.26', '2a00:1450:400c:c0b::1a'])] }),
      'mx-private',
      null,
    ],
    [
      'an implicit MX at a private address',
      withMx({ hosts: [], implicit: { addresses: ['192.168.1.1'] } }),
      'mx-private',
      'critical',
    ],
    [
      'an address that is not one (refusedRange names it too)',
      withMx({ hosts: [host(['not-an-address'])] }),
      'mx-private',
      null,
    ],
    [
      'no MX, an address',
      withMx({ hosts: [], implicit: { addresses: ['142.250.27.26'] } }),
      'mx-missing',
      'warning',
    ],
    ['no MX, no address', withMx({ hosts: [], implicit: { addresses: [] } }), 'mx-missing', 'critical'],
    ['no MX answer', withMx({ hosts: [], lookupError: 'ETIMEOUT' }), 'mx-missing', null],
    ['a null MX is not a missing one', withMx({ hosts: [], nullMx: true }), 'mx-missing', null],
  ])('%s: %s is %s', (_name, facts, id, severity) => {
    expect(findingOf(facts, id)?.severity ?? null).toBe(severity);
  });

  test('a private address names the host, the address and its range', () => {
    expect(findingOf(withMx({ hosts: [host(['10.0.0.5'])] }), 'mx-private')?.summary).toContain(
      'mx1.example.com → 10.0.0.5 (private (RFC 1918))',
    );
  });

  test('a null MX says receivers may refuse mail and bounces have nowhere to go', () => {
    const summary = findingOf(withMx({ hosts: [], nullMx: true }), 'mx-null')?.summary;
    expect(summary).toContain('RFC 7505');
    expect(summary).toContain('bounces have nowhere to go');
  });
});

describe('BIMI rules', () => {
  test.each<[string, PostureFacts, 'warning' | null]>([
    ['p=reject, pct=100', postureFacts({ bimi }), null],
    [
      'p=quarantine',
      postureFacts({ bimi, dmarc: dmarcFacts({ policy: 'quarantine', subdomainPolicy: 'quarantine' }) }),
      null,
    ],
    [
      'p=none',
      postureFacts({ bimi, dmarc: dmarcFacts({ policy: 'none', subdomainPolicy: 'none' }) }),
      'warning',
    ],
    ['pct=99', postureFacts({ bimi, dmarc: dmarcFacts({ pct: 99 }) }), 'warning'],
    ['sp=none', postureFacts({ bimi, dmarc: dmarcFacts({ subdomainPolicy: 'none' }) }), 'warning'],
    ['no DMARC', postureFacts({ bimi, dmarc: dmarcMissing() }), 'warning'],
    [
      'no BIMI record, p=none',
      postureFacts({ dmarc: dmarcFacts({ policy: 'none', subdomainPolicy: 'none' }) }),
      null,
    ],
  ])('%s: bimi-prerequisite-missing is %s', (_name, facts, severity) => {
    expect(findingOf(facts, 'bimi-prerequisite-missing')?.severity ?? null).toBe(severity);
  });

  test('says what blocks the logo', () => {
    const facts = postureFacts({ bimi, dmarc: dmarcFacts({ pct: 50, subdomainPolicy: 'none' }) });
    expect(findingOf(facts, 'bimi-prerequisite-missing')?.summary).toContain('here pct=50 and sp=none');
  });
});

describe('DNS budget', () => {
  test.each<[boolean, 'warning' | null]>([
    [true, 'warning'],
    [false, null],
  ])('budget exhausted %s: dns-budget-exhausted is %s', (budgetExhausted, severity) => {
    const facts = postureFacts({
      queries: {
        sent: 150,
        budget: 150,
        budgetExhausted,
        failed: 0,
        log: budgetExhausted
          ? [
              {
                name: 'selector1._domainkey.example.com',
                type: 'TXT',
                outcome: 'error',
                ms: 0,
                code: 'budget',
              },
            ]
          : [],
      },
    });
    const finding = findingOf(facts, 'dns-budget-exhausted');
    expect(finding?.severity ?? null).toBe(severity);
    if (finding) expect(finding.summary).toContain('selector1._domainkey.example.com TXT');
  });
});

describe('dns-resolver-failed', () => {
  const failing = (code: string) =>
    postureFacts({
      spf: spfFacts({
        tree: null,
        record: null,
        records: [],
        lookupError: `no answer (${code})`,
        worstCase: 'temperror',
      }),
      dkim: [dkimMissing('default', { lookupError: `no answer (${code})` })],
      queries: {
        sent: 2,
        budget: 150,
        budgetExhausted: false,
        failed: 2,
        log: [
          { name: 'example.com', type: 'TXT', outcome: 'error', ms: 1, code },
          { name: 'default._domainkey.example.com', type: 'TXT', outcome: 'error', ms: 1, code },
        ],
      },
    });

  test.each(['ECONNREFUSED', 'EREFUSED', 'ETIMEOUT'])(
    'every question failing with %s blames the resolver, not the domain',
    (code) => {
      const ids = judgePosture(failing(code)).findings.map((finding) => finding.id);
      expect(ids).toContain('dns-resolver-failed');
      expect(ids).not.toContain('spf-lookup-failed');
      expect(ids).not.toContain('dkim-not-found');
    },
  );

  test("SERVFAIL everywhere is the domain's name servers: the SPF lookup failure stands", () => {
    const ids = judgePosture(failing('ESERVFAIL')).findings.map((finding) => finding.id);
    expect(ids).not.toContain('dns-resolver-failed');
    expect(ids).toContain('spf-lookup-failed');
  });

  test('one answered question is enough to say the resolver works', () => {
    const facts = failing('ECONNREFUSED');
    facts.queries.log.push({ name: '_dmarc.example.com', type: 'TXT', outcome: 'nxdomain', ms: 1 });
    expect(judgePosture(facts).findings.map((finding) => finding.id)).not.toContain('dns-resolver-failed');
  });
});
