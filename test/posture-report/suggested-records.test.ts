import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/index.js';
import type { SuggestedRecord } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import {
  bimiFacts,
  dkimKey,
  dkimMissing,
  dmarcFacts,
  dmarcMissing,
  mxFacts,
  postureFacts,
  spfFacts,
  spfRecord,
} from '../helpers/posture-builders.js';

const MECHANISM =
  /^[+~?-]?(all|include:\S+|a(:\S+)?(\/\d+)?|mx(:\S+)?(\/\d+)?|ptr(:\S+)?|ip4:\S+|ip6:\S+|exists:\S+)$/i;

/** One v=spf1 record: known mechanisms or modifiers, each once, exactly one all and it last. */
function expectValidSpf(value: string): void {
  const [version, ...terms] = value.split(' ');
  expect(version).toBe('v=spf1');
  expect(value).not.toMatch(/\s{2}|^\s|\s$/);
  const mechanisms = terms.filter((term) => !/^[a-z][a-z0-9_.-]*=/i.test(term));
  for (const term of mechanisms) expect(term).toMatch(MECHANISM);
  expect(new Set(terms.map((term) => term.toLowerCase().replace(/^\+/, ''))).size).toBe(terms.length);
  const alls = mechanisms.filter((term) => /^[+~?-]?all$/i.test(term));
  expect(alls).toHaveLength(1);
  expect(mechanisms.at(-1)).toBe(alls[0]);
  expect(alls[0]).toMatch(/^[~-]all$/);
}

/** A DMARC record: v=DMARC1 first, tag=value pairs each once, p= a policy, no pct below 100. */
function expectValidDmarc(value: string): void {
  const tags = value.split(';').map((part) => part.trim());
  expect(tags[0]).toBe('v=DMARC1');
  for (const tag of tags) expect(tag).toMatch(/^[a-z]+=[^;\s]+$/);
  const names = tags.map((tag) => tag.slice(0, tag.indexOf('=')));
  expect(new Set(names).size).toBe(names.length);
  expect(value).toMatch(/(^|; )p=(none|quarantine|reject)(;|$)/);
}

function fixesOf(facts: PostureFacts): SuggestedRecord[] {
  return judgePosture(facts).fixes;
}

function only(facts: PostureFacts, name: string): SuggestedRecord {
  const fixes = fixesOf(facts).filter((fix) => fix.name === name);
  expect(fixes).toHaveLength(1);
  return fixes[0]!;
}

function withRecord(record: string): PostureFacts {
  return postureFacts({ spf: spfFacts({ tree: spfRecord(record) }) });
}

describe('suggested SPF records', () => {
  test.each<[string, PostureFacts, string]>([
    [
      'two records: one merged, strictest all',
      postureFacts({
        spf: spfFacts({
          tree: null,
          record: null,
          records: [
            'v=spf1 include:_spf.google.com ~all',
            'v=spf1 include:sendgrid.net +include:_spf.google.com -all',
          ],
        }),
      }),
      'v=spf1 include:_spf.google.com include:sendgrid.net -all',
    ],
    [
      'two records without all: ~all',
      postureFacts({
        spf: spfFacts({ tree: null, record: null, records: ['v=spf1 mx', 'v=spf1 ip4:198.51.100.0/24 mx'] }),
      }),
      'v=spf1 mx ip4:198.51.100.0/24 ~all',
    ],
    [
      'two records, one +all: never +all',
      postureFacts({
        spf: spfFacts({ tree: null, record: null, records: ['v=spf1 a +all', 'v=spf1 mx ?all'] }),
      }),
      'v=spf1 a mx ~all',
    ],
    [
      'two records, one a redirect: it becomes an include',
      postureFacts({
        spf: spfFacts({
          tree: null,
          record: null,
          records: ['v=spf1 redirect=_spf.example.net', 'v=spf1 mx -all'],
        }),
      }),
      'v=spf1 mx include:_spf.example.net -all',
    ],
    [
      'a duplicate include',
      withRecord('v=spf1 include:sendgrid.net mx include:sendgrid.net -all'),
      'v=spf1 include:sendgrid.net mx -all',
    ],
    ['+all', withRecord('v=spf1 mx +all'), 'v=spf1 mx ~all'],
    ['?all', withRecord('v=spf1 mx ?all'), 'v=spf1 mx ~all'],
    ['no all', withRecord('v=spf1 mx'), 'v=spf1 mx ~all'],
    [
      'a duplicate include and ?all, in one record',
      withRecord('v=spf1 include:a.example include:A.example ?all'),
      'v=spf1 include:a.example ~all',
    ],
    [
      'missing, Google in DKIM and MX',
      postureFacts({ spf: spfFacts({ tree: null, providers: [] }) }),
      'v=spf1 include:_spf.google.com ~all',
    ],
    [
      'missing, Google and SendGrid',
      postureFacts({
        spf: spfFacts({ tree: null, providers: [] }),
        dkim: [dkimKey(), dkimKey({ selector: 's1', provider: 'SendGrid' })],
      }),
      'v=spf1 include:_spf.google.com include:sendgrid.net ~all',
    ],
    [
      'missing, no known service: its own MX',
      postureFacts({
        spf: spfFacts({ tree: null, providers: [] }),
        dkim: [dkimMissing('default')],
        mx: mxFacts({
          hosts: [{ exchange: 'mail.example.com', priority: 10, addresses: ['198.51.100.25'] }],
        }),
      }),
      'v=spf1 mx ~all',
    ],
  ])('%s', (_name, facts, value) => {
    const fix = only(facts, 'example.com');
    expect(fix.value).toBe(value);
    expect(fix.type).toBe('TXT');
    expectValidSpf(fix.value);
  });

  test('missing, a null MX and no service: -all, the record of a domain that sends nothing', () => {
    const facts = postureFacts({
      spf: spfFacts({ tree: null, providers: [] }),
      dkim: [dkimMissing('default')],
      mx: mxFacts({ hosts: [], nullMx: true }),
    });
    expect(only(facts, 'example.com').value).toBe('v=spf1 -all');
  });

  test('the starting record says it is a start to review', () => {
    expect(only(postureFacts({ spf: spfFacts({ tree: null, providers: [] }) }), 'example.com').why).toContain(
      'a start to review',
    );
  });

  test.each<[string, PostureFacts]>([
    ['a good record', postureFacts()],
    [
      'a record with a term that does not parse',
      postureFacts({
        spf: spfFacts({
          tree: spfRecord('v=spf1 ip4:300.1.1.1'),
          error: { kind: 'syntax', domain: 'example.com', term: 'ip4:300.1.1.1', message: 'bad' },
        }),
      }),
    ],
    ['no answer', postureFacts({ spf: spfFacts({ tree: null, records: [], lookupError: 'ETIMEOUT' }) })],
  ])('nothing to suggest for %s', (_name, facts) => {
    expect(fixesOf(facts).filter((fix) => fix.name === 'example.com')).toEqual([]);
  });
});

describe('suggested DMARC records', () => {
  const bimi = bimiFacts({ record: 'v=BIMI1; l=https://example.com/logo.svg' });

  test.each<[string, PostureFacts, string, RegExp]>([
    [
      'no DMARC',
      postureFacts({ dmarc: dmarcMissing() }),
      'v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com',
      /quarantine/,
    ],
    [
      'p=none: the next step',
      postureFacts({
        dmarc: dmarcFacts({
          record: 'v=DMARC1; p=none; rua=mailto:dmarc@example.com',
          policy: 'none',
          subdomainPolicy: 'none',
        }),
      }),
      'v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com',
      /next step/,
    ],
    [
      'BIMI under pct=50',
      postureFacts({
        bimi,
        dmarc: dmarcFacts({
          record: 'v=DMARC1; p=none; pct=50; rua=mailto:dmarc@example.com',
          policy: 'none',
          pct: 50,
        }),
      }),
      'v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com',
      /BIMI/,
    ],
    [
      'BIMI under sp=none',
      postureFacts({
        bimi,
        dmarc: dmarcFacts({ record: 'v=DMARC1; p=reject; sp=none', subdomainPolicy: 'none' }),
      }),
      'v=DMARC1; p=reject; sp=quarantine',
      /BIMI/,
    ],
  ])('%s', (_name, facts, value, why) => {
    const fix = only(facts, '_dmarc.example.com');
    expect(fix.value).toBe(value);
    expect(fix.why).toMatch(why);
    expectValidDmarc(fix.value);
  });

  test.each<[string, PostureFacts]>([
    ['p=reject', postureFacts()],
    ['p=reject with a BIMI record', postureFacts({ bimi })],
    ['p=quarantine', postureFacts({ dmarc: dmarcFacts({ policy: 'quarantine' }) })],
  ])('nothing to suggest for %s', (_name, facts) => {
    expect(fixesOf(facts)).toEqual([]);
  });

  test('an unauthorized report destination is given the record it must publish', () => {
    const facts = postureFacts({
      dmarc: dmarcFacts({
        rua: [
          {
            uri: 'mailto:reports@vendor.example.net',
            domain: 'vendor.example.net',
            external: true,
            authorized: false,
          },
        ],
      }),
    });
    const fix = only(facts, 'example.com._report._dmarc.vendor.example.net');
    expect(fix.value).toBe('v=DMARC1');
  });
});

describe('a suggested DMARC record carries nothing the report calls broken', () => {
  test('unknown tags and unusable report addresses are left out; usable ones stay', () => {
    const record =
      'v=DMARC1; p=none; x=<!channel>; rua=mailto:<!channel>@evil.example,mailto:d@example.com!10m; ruf=https://example.com/f';
    const fix = only(
      postureFacts({
        dmarc: dmarcFacts({ record, records: [record], policy: 'none', subdomainPolicy: 'none' }),
      }),
      '_dmarc.example.com',
    );
    expect(fix.value).toBe('v=DMARC1; p=quarantine; rua=mailto:d@example.com!10m');
    expectValidDmarc(fix.value);
  });
});
