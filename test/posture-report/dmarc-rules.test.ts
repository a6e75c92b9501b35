import { describe, expect, test } from 'vitest';
import type { DmarcDestination, PostureFacts } from '../../src/posture/index.js';
import type { PostureFindingId } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import { dmarcFacts, dmarcMissing, postureFacts } from '../helpers/posture-builders.js';

function findingOf(facts: PostureFacts, id: PostureFindingId) {
  return judgePosture(facts).findings.find((finding) => finding.id === id);
}

function withDmarc(overrides: Parameters<typeof dmarcFacts>[0]): PostureFacts {
  return postureFacts({ dmarc: dmarcFacts(overrides) });
}

function destination(overrides: Partial<DmarcDestination>): DmarcDestination {
  return {
    uri: 'mailto:reports@vendor.example.net',
    address: 'reports@vendor.example.net',
    domain: 'vendor.example.net',
    external: true,
    authorized: false,
    authorizationName: 'example.com._report._dmarc.vendor.example.net',
    ...overrides,
  };
}

const inherited = {
  source: 'organizational' as const,
  sourceDomain: 'example.com',
  organizationalDomain: 'example.com',
};

describe('DMARC rules', () => {
  test.each<[string, PostureFacts, PostureFindingId, 'critical' | 'warning' | null]>([
    ['no record', postureFacts({ dmarc: dmarcMissing() }), 'dmarc-missing', 'critical'],
    ['no answer', postureFacts({ dmarc: dmarcMissing({ lookupError: 'ESERVFAIL' }) }), 'dmarc-missing', null],
    ['an inherited record', withDmarc(inherited), 'dmarc-missing', null],
    [
      'two records',
      withDmarc({ record: null, records: ['v=DMARC1; p=none', 'v=DMARC1; p=reject'] }),
      'dmarc-multiple-records',
      'critical',
    ],
    [
      'a bad tag',
      withDmarc({ syntaxErrors: ['adkim=x: must be r (relaxed) or s (strict)'] }),
      'dmarc-syntax',
      'warning',
    ],
    [
      'no usable policy',
      withDmarc({
        policy: null,
        subdomainPolicy: null,
        syntaxErrors: ['p= is missing; receivers apply no DMARC policy'],
      }),
      'dmarc-syntax',
      'critical',
    ],
    ['a clean record', withDmarc({}), 'dmarc-syntax', null],
    ['p=none', withDmarc({ policy: 'none', subdomainPolicy: 'none' }), 'dmarc-policy-none', 'warning'],
    [
      'p=quarantine',
      withDmarc({ policy: 'quarantine', subdomainPolicy: 'quarantine' }),
      'dmarc-policy-none',
      null,
    ],
    [
      'inherited sp=none',
      withDmarc({
        ...inherited,
        policy: 'reject',
        subdomainPolicy: 'none',
        tags: { v: 'DMARC1', p: 'reject', sp: 'none' },
      }),
      'dmarc-policy-none',
      'warning',
    ],
    [
      'sp=none on the domain itself',
      withDmarc({ policy: 'reject', subdomainPolicy: 'none' }),
      'dmarc-policy-none',
      null,
    ],
    ['pct=99', withDmarc({ pct: 99 }), 'dmarc-partial-pct', 'warning'],
    ['pct=100', withDmarc({ pct: 100 }), 'dmarc-partial-pct', null],
    [
      'pct=50 at p=none (nothing enforced anyway)',
      withDmarc({ pct: 50, policy: 'none' }),
      'dmarc-partial-pct',
      null,
    ],
    [
      'an external rua not authorized',
      withDmarc({ rua: [destination({})] }),
      'dmarc-report-destination-unauthorized',
      'warning',
    ],
    [
      'an external ruf not authorized',
      withDmarc({ ruf: [destination({})] }),
      'dmarc-report-destination-unauthorized',
      'warning',
    ],
    [
      'an external rua authorized',
      withDmarc({ rua: [destination({ authorized: true })] }),
      'dmarc-report-destination-unauthorized',
      null,
    ],
    [
      'an external rua whose authorization went unanswered',
      withDmarc({ rua: [destination({ authorized: null })] }),
      'dmarc-report-destination-unauthorized',
      null,
    ],
    [
      'a rua in the same organization',
      withDmarc({ rua: [destination({ domain: 'reports.example.com', external: false, authorized: null })] }),
      'dmarc-report-destination-unauthorized',
      null,
    ],
  ])('%s: %s is %s', (_name, facts, id, severity) => {
    expect(findingOf(facts, id)?.severity ?? null).toBe(severity);
  });

  test('an inherited p=none says where the record lives', () => {
    const finding = findingOf(
      withDmarc({ ...inherited, policy: 'none', subdomainPolicy: 'none' }),
      'dmarc-policy-none',
    );
    expect(finding?.summary).toContain('_dmarc.example.com (inherited from the organizational domain)');
  });

  test('p=none is given the path to quarantine and reject', () => {
    const advice = findingOf(withDmarc({ policy: 'none' }), 'dmarc-policy-none')?.advice.join(' ');
    expect(advice).toMatch(/p=quarantine.*p=reject/);
  });

  test('pct says what the rest of the mail gets', () => {
    expect(findingOf(withDmarc({ pct: 25 }), 'dmarc-partial-pct')?.summary).toContain(
      'p=reject applies to 25 % of failing mail, the rest is treated as quarantine',
    );
  });

  test('an unauthorized destination is given the record it must publish', () => {
    const finding = findingOf(withDmarc({ rua: [destination({})] }), 'dmarc-report-destination-unauthorized');
    expect(finding?.advice[0]).toBe(
      'vendor.example.net must publish TXT at example.com._report._dmarc.vendor.example.net: v=DMARC1 (a reporting service does so when the domain is added to its account).',
    );
  });

  test('a missing record names the minimum the providers ask', () => {
    const finding = findingOf(postureFacts({ dmarc: dmarcMissing() }), 'dmarc-missing');
    expect(finding?.summary).toContain('at least p=none');
    expect(finding?.advice[0]).toContain('v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com');
  });
});
