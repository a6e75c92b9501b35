import { describe, expect, test } from 'vitest';
import type { PostureFacts, SpfError } from '../../src/posture/index.js';
import { SPF_ERROR_KINDS } from '../../src/posture/index.js';
import type { PostureFindingId } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import { postureFacts, spfFacts, spfNode, spfRecord } from '../helpers/posture-builders.js';

function findingOf(facts: PostureFacts, id: PostureFindingId) {
  return judgePosture(facts).findings.find((finding) => finding.id === id);
}

function withRecord(record: string, overrides: Parameters<typeof spfFacts>[0] = {}): PostureFacts {
  return postureFacts({ spf: spfFacts({ tree: spfRecord(record), ...overrides }) });
}

function withError(error: SpfError): PostureFacts {
  return postureFacts({
    spf: spfFacts({ error, worstCase: error.kind === 'temperror' ? 'temperror' : 'permerror' }),
  });
}

/** include:a.example → a record ending in +all: the includer passes everyone through it. */
const includesPlusAll = spfNode({
  record: 'v=spf1 include:a.example -all',
  terms: spfRecord('v=spf1 include:a.example -all').terms,
  children: [spfRecord('v=spf1 +all', { domain: 'a.example', via: 'include' })],
});

describe('SPF rules', () => {
  test.each<[string, PostureFacts, PostureFindingId, 'critical' | 'warning' | null]>([
    ['no record', postureFacts({ spf: spfFacts({ tree: null, providers: [] }) }), 'spf-missing', 'critical'],
    [
      'no answer is not "no record"',
      postureFacts({ spf: spfFacts({ tree: null, records: [], lookupError: 'ETIMEOUT' }) }),
      'spf-missing',
      null,
    ],
    [
      'two records',
      postureFacts({
        spf: spfFacts({ tree: null, record: null, records: ['v=spf1 a -all', 'v=spf1 mx -all'] }),
      }),
      'spf-multiple-records',
      'critical',
    ],
    [
      'two records in an included domain',
      withError({ kind: 'multiple-records', domain: 'a.example', message: 'two records' }),
      'spf-multiple-records',
      'critical',
    ],
    ['one record', withRecord('v=spf1 a -all'), 'spf-multiple-records', null],
    ['11 lookups', postureFacts({ spf: spfFacts({ lookups: 11 }) }), 'spf-too-many-lookups', 'critical'],
    ['10 lookups', postureFacts({ spf: spfFacts({ lookups: 10 }) }), 'spf-too-many-lookups', null],
    [
      'an mx of more than 10 hosts',
      withError({ kind: 'too-many-mx-hosts', domain: 'example.com', term: 'mx', message: '11 hosts' }),
      'spf-too-many-lookups',
      'critical',
    ],
    [
      '3 void lookups',
      postureFacts({ spf: spfFacts({ voidLookups: 3 }) }),
      'spf-too-many-void-lookups',
      'critical',
    ],
    [
      '2 void lookups',
      postureFacts({ spf: spfFacts({ voidLookups: 2 }) }),
      'spf-too-many-void-lookups',
      null,
    ],
    [
      'a term that does not parse',
      withError({ kind: 'syntax', domain: 'example.com', term: 'ip4:300.0.0.1', message: 'not an address' }),
      'spf-syntax',
      'critical',
    ],
    [
      'a loop',
      withError({ kind: 'loop', domain: 'a.example', term: 'include:example.com', message: 'loop' }),
      'spf-loop',
      'critical',
    ],
    ['+all', withRecord('v=spf1 mx +all'), 'spf-allows-all', 'critical'],
    ['all (+ by default)', withRecord('v=spf1 mx all'), 'spf-allows-all', 'critical'],
    [
      'an include ending in +all',
      postureFacts({ spf: spfFacts({ tree: includesPlusAll }) }),
      'spf-allows-all',
      'critical',
    ],
    ['?all', withRecord('v=spf1 mx ?all'), 'spf-allows-all', 'warning'],
    ['~all', withRecord('v=spf1 mx ~all'), 'spf-allows-all', null],
    ['-all', withRecord('v=spf1 mx -all'), 'spf-allows-all', null],
    ['no all, no redirect', withRecord('v=spf1 mx'), 'spf-no-all', 'warning'],
    ['no all but a redirect', withRecord('v=spf1 mx redirect=_spf.example.net'), 'spf-no-all', null],
    ['an all', withRecord('v=spf1 mx ~all'), 'spf-no-all', null],
    ['ptr', withRecord('v=spf1 ptr -all'), 'spf-ptr', 'warning'],
    [
      'ptr after all (never evaluated)',
      postureFacts({
        spf: spfFacts({
          tree: spfRecord('v=spf1 -all ptr', {
            terms: [
              ...spfRecord('v=spf1 -all').terms,
              { text: 'ptr', kind: 'ptr', lookups: 0, voidLookups: 0, unreached: true },
            ],
          }),
        }),
      }),
      'spf-ptr',
      null,
    ],
    [
      'the TXT lookup timed out',
      postureFacts({ spf: spfFacts({ tree: null, records: [], lookupError: 'ETIMEOUT' }) }),
      'spf-lookup-failed',
      'critical',
    ],
    [
      'an include timed out',
      withError({ kind: 'temperror', domain: 'a.example', term: 'include:a.example', message: 'ETIMEOUT' }),
      'spf-lookup-failed',
      'critical',
    ],
    [
      'our own query budget ran out',
      postureFacts({
        spf: spfFacts({ tree: null, records: [], lookupError: 'budget' }),
        queries: {
          sent: 150,
          budget: 150,
          budgetExhausted: true,
          failed: 0,
          log: [{ name: 'example.com', type: 'TXT', outcome: 'error', ms: 0, code: 'budget' }],
        },
      }),
      'spf-lookup-failed',
      null,
    ],
  ])('%s: %s is %s', (_name, facts, id, severity) => {
    expect(findingOf(facts, id)?.severity ?? null).toBe(severity);
  });

  test.each<[SpfError['kind'], PostureFindingId]>([
    ['multiple-records', 'spf-multiple-records'],
    ['syntax', 'spf-syntax'],
    ['include-without-spf', 'spf-syntax'],
    ['redirect-without-spf', 'spf-syntax'],
    ['loop', 'spf-loop'],
    ['too-many-lookups', 'spf-too-many-lookups'],
    ['too-many-void-lookups', 'spf-too-many-void-lookups'],
    ['too-many-mx-hosts', 'spf-too-many-lookups'],
    ['temperror', 'spf-lookup-failed'],
  ])('an error of kind %s found walking the tree ends in %s', (kind, id) => {
    const facts = withError({ kind, domain: 'a.example', term: 'include:a.example', message: 'as found' });
    expect(findingOf(facts, id)?.severity).toBe('critical');
  });

  test('every error kind has a finding', () => {
    const ids = SPF_ERROR_KINDS.map(
      (kind) => judgePosture(withError({ kind, domain: 'example.com', message: 'x' })).findings[0]?.id,
    );
    expect(ids.every((id) => id?.startsWith('spf-'))).toBe(true);
  });

  test('too many lookups says the count of 10 and which includes cost most', () => {
    const tree = spfNode({
      record: 'v=spf1 include:_spf.google.com include:big.example mx -all',
      terms: spfRecord('v=spf1 include:_spf.google.com include:big.example mx -all').terms,
      children: [
        spfRecord('v=spf1 ip4:172.217.0.0/19 ~all', { domain: '_spf.google.com', via: 'include' }),
        spfRecord('v=spf1 include:a.big.example include:b.big.example a mx ~all', {
          domain: 'big.example',
          via: 'include',
          children: [
            spfRecord('v=spf1 a mx exists:x.example ~all', { domain: 'a.big.example', via: 'include' }),
            spfRecord('v=spf1 a mx include:c.example ~all', { domain: 'b.big.example', via: 'include' }),
          ],
        }),
      ],
    });
    const finding = findingOf(postureFacts({ spf: spfFacts({ tree, lookups: 14 }) }), 'spf-too-many-lookups');
    expect(finding?.summary).toContain('14 of 10');
    expect(finding?.summary).toContain(
      'include:big.example (11 lookups), include:_spf.google.com (1 lookup) and mx (1 lookup)',
    );
    expect(finding?.advice.join(' ')).toMatch(/flattening/);
    expect(finding?.advice.join(' ')).toMatch(/subdomain/);
  });

  test('a syntax error names the offending term', () => {
    const finding = findingOf(
      withError({ kind: 'syntax', domain: 'example.com', term: 'ip4:300.0.0.1', message: 'not an address' }),
      'spf-syntax',
    );
    expect(finding?.summary).toContain('"ip4:300.0.0.1"');
  });

  test('+all through an include names the include', () => {
    const finding = findingOf(postureFacts({ spf: spfFacts({ tree: includesPlusAll }) }), 'spf-allows-all');
    expect(finding?.summary).toContain('a.example');
    expect(finding?.advice[0]).toContain('Remove the include of a.example');
  });

  test('a missing record is advised a start built from the providers in DKIM and MX', () => {
    const finding = findingOf(postureFacts({ spf: spfFacts({ tree: null, providers: [] }) }), 'spf-missing');
    expect(finding?.advice[0]).toContain('v=spf1 include:_spf.google.com ~all');
    expect(finding?.summary).toMatch(/Gmail, Yahoo and Outlook\.com/);
  });
});
