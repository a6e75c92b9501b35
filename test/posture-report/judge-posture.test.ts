import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/index.js';
import type { PostureVerdict } from '../../src/posture-report/index.js';
import { POSTURE_FINDING_IDS } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import {
  bimiFacts,
  blocklistFacts,
  daneHost,
  dkimKey,
  dkimMissing,
  dmarcFacts,
  dmarcMissing,
  dnssecFacts,
  mtaStsEnforced,
  mtaStsFacts,
  mxAddressReverseDns,
  mxFacts,
  postureFacts,
  spfFacts,
  spfRecord,
} from '../helpers/posture-builders.js';

type PartFindingId = (typeof POSTURE_FINDING_IDS)[number];

const TLSA_311 = { usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) };

/** Spamhaus ZEN's answer for the MX address, as given. */
function blocklistWith(status: 'listed' | 'refused', codes: string[], meanings: string[]) {
  const facts = blocklistFacts();
  const [first, ...rest] = facts.results;
  return { ...facts, results: [{ ...first!, status, codes, meanings }, ...rest] };
}

const spfError = (kind: NonNullable<PostureFacts['spf']['error']>['kind']) =>
  postureFacts({
    spf: spfFacts({ error: { kind, domain: 'example.com', term: 'include:x.example', message: 'x' } }),
  });

/** One domain broken one way per finding id: the record makes the compiler ask for each new id. */
const ONE_BROKEN_THING: Record<PartFindingId, PostureFacts> = {
  'spf-missing': postureFacts({ spf: spfFacts({ tree: null, providers: [] }) }),
  'spf-multiple-records': postureFacts({
    spf: spfFacts({ tree: null, record: null, records: ['v=spf1 a -all', 'v=spf1 mx -all'] }),
  }),
  'spf-too-many-lookups': postureFacts({ spf: spfFacts({ lookups: 14 }) }),
  'spf-too-many-void-lookups': postureFacts({ spf: spfFacts({ voidLookups: 3 }) }),
  'spf-syntax': spfError('syntax'),
  'spf-loop': spfError('loop'),
  'spf-allows-all': postureFacts({ spf: spfFacts({ tree: spfRecord('v=spf1 mx +all') }) }),
  'spf-no-all': postureFacts({ spf: spfFacts({ tree: spfRecord('v=spf1 mx') }) }),
  'spf-ptr': postureFacts({ spf: spfFacts({ tree: spfRecord('v=spf1 ptr -all') }) }),
  'spf-lookup-failed': spfError('temperror'),
  'dkim-not-found': postureFacts({ dkim: [dkimMissing('default')] }),
  'dkim-weak-key': postureFacts({ dkim: [dkimKey({ bits: 1024 })] }),
  'dkim-revoked': postureFacts({ dkim: [dkimKey(), dkimKey({ selector: 'old', revoked: true })] }),
  'dkim-testing': postureFacts({ dkim: [dkimKey({ testing: true })] }),
  'dmarc-missing': postureFacts({ dmarc: dmarcMissing() }),
  'dmarc-multiple-records': postureFacts({
    dmarc: dmarcFacts({ records: ['v=DMARC1; p=none', 'v=DMARC1; p=reject'] }),
  }),
  'dmarc-syntax': postureFacts({ dmarc: dmarcFacts({ syntaxErrors: ['fo=x: must be 0, 1, d or s'] }) }),
  'dmarc-policy-none': postureFacts({ dmarc: dmarcFacts({ policy: 'none' }) }),
  'dmarc-partial-pct': postureFacts({ dmarc: dmarcFacts({ pct: 10 }) }),
  'dmarc-report-destination-unauthorized': postureFacts({
    dmarc: dmarcFacts({
      rua: [{ uri: 'mailto:r@v.example', domain: 'v.example', external: true, authorized: false }],
    }),
  }),
  'bimi-prerequisite-missing': postureFacts({
    bimi: bimiFacts({ record: 'v=BIMI1; l=' }),
    dmarc: dmarcFacts({ pct: 50 }),
  }),
  'mx-null': postureFacts({ mx: mxFacts({ hosts: [], nullMx: true }) }),
  'mx-cname': postureFacts({
    mx: mxFacts({
      hosts: [
        { exchange: 'mx.example.com', priority: 1, addresses: ['142.250.27.26'], cname: 'x.example.net' },
      ],
    }),
  }),
  'mx-private': postureFacts({
    mx: mxFacts({ hosts: [{ exchange: 'mx.example.com', priority: 1, addresses: ['10.1.2.3'] }] }),
  }),
  'mx-missing': postureFacts({ mx: mxFacts({ hosts: [], implicit: { addresses: [] } }) }),
  'mta-sts-record-invalid': postureFacts({
    mtaSts: mtaStsFacts({ recordProblems: ['id "x y" must be 1 to 32 letters and digits'] }),
  }),
  'mta-sts-policy-unreachable': postureFacts({
    mtaSts: mtaStsEnforced({
      policy: null,
      coverage: [],
      fetch: {
        url: 'https://mta-sts.example.com/.well-known/mta-sts.txt',
        outcome: 'unreachable',
        problem: 'x',
      },
    }),
  }),
  'mta-sts-policy-invalid': postureFacts({
    mtaSts: mtaStsEnforced({ policy: { mode: null, maxAge: null, mx: [], problems: ['no version line'] } }),
  }),
  'mta-sts-mx-not-covered': postureFacts({
    mtaSts: mtaStsEnforced({
      coverage: [{ exchange: 'aspmx.l.google.com', pattern: null, certificate: 'valid' }],
    }),
  }),
  'mta-sts-certificate-mismatch': postureFacts({
    mtaSts: mtaStsEnforced({
      coverage: [{ exchange: 'aspmx.l.google.com', pattern: '*.l.google.com', certificate: 'name-mismatch' }],
    }),
  }),
  'mta-sts-testing': postureFacts({
    mtaSts: mtaStsEnforced({
      policy: { mode: 'testing', maxAge: 86400, mx: ['*.l.google.com'], problems: [] },
    }),
  }),
  'tlsrpt-missing': postureFacts({ mtaSts: mtaStsEnforced() }),
  'dnssec-bogus': postureFacts({
    dnssec: dnssecFacts({ domain: { name: 'example.com', status: 'bogus' } }),
  }),
  'dane-without-dnssec': postureFacts({ dane: [daneHost({ records: [TLSA_311] })] }),
  'dane-mismatch': postureFacts({
    dane: [
      daneHost({
        records: [TLSA_311],
        dnssec: 'secure',
        match: { matched: false, usable: 1, reason: 'digests differ' },
      }),
    ],
  }),
  'ptr-missing': postureFacts({
    reverseDns: { addresses: [mxAddressReverseDns({ ptr: [], forwardConfirmed: false })] },
  }),
  'fcrdns-mismatch': postureFacts({
    reverseDns: { addresses: [mxAddressReverseDns({ forwardConfirmed: false })] },
  }),
  'ptr-greeting-mismatch': postureFacts({
    reverseDns: {
      addresses: [mxAddressReverseDns({ greetingName: 'relay.example.net', greetingConsistent: false })],
    },
  }),
  'dnsbl-listed': postureFacts({
    blocklists: blocklistWith('listed', ['127.0.0.4'], ['XBL: exploited host']),
  }),
  'dnsbl-query-refused': postureFacts({
    blocklists: blocklistWith('refused', ['127.255.255.254'], ['query through a public resolver']),
  }),
  'dns-budget-exhausted': postureFacts({
    queries: { sent: 150, budget: 150, budgetExhausted: true, failed: 0, log: [] },
  }),
  'dns-resolver-failed': postureFacts({
    queries: {
      sent: 2,
      budget: 150,
      budgetExhausted: false,
      failed: 2,
      log: [
        { name: 'example.com', type: 'TXT', outcome: 'error', ms: 1, code: 'ECONNREFUSED' },
        { name: '_dmarc.example.com', type: 'TXT', outcome: 'error', ms: 1, code: 'ECONNREFUSED' },
      ],
    },
  }),
};

describe('judgePosture()', () => {
  test('a careful sender is ok, with nothing to fix', () => {
    const report = judgePosture(postureFacts());
    expect(report.verdict).toBe('ok');
    expect(report.findings).toEqual([]);
    expect(report.fixes).toEqual([]);
  });

  test.each(POSTURE_FINDING_IDS.map((id) => [id]))('a domain broken one way is found out: %s', (id) => {
    const ids = judgePosture(ONE_BROKEN_THING[id]).findings.map((finding) => finding.id);
    expect(ids).toContain(id);
  });

  test.each<[string, PostureFacts, PostureVerdict]>([
    ['nothing wrong', postureFacts(), 'ok'],
    ['a warning (?all)', postureFacts({ spf: spfFacts({ tree: spfRecord('v=spf1 mx ?all') }) }), 'warning'],
    ['a warning (t=y)', postureFacts({ dkim: [dkimKey({ testing: true })] }), 'warning'],
    [
      'a critical finding (+all) among warnings',
      postureFacts({
        spf: spfFacts({ tree: spfRecord('v=spf1 mx +all') }),
        dkim: [dkimKey({ testing: true })],
      }),
      'critical',
    ],
    ['a critical finding (null MX)', postureFacts({ mx: mxFacts({ hosts: [], nullMx: true }) }), 'critical'],
  ])('%s: verdict %s', (_name, facts, verdict) => {
    expect(judgePosture(facts).verdict).toBe(verdict);
  });

  test('findings list critical first, then by part (SPF, DKIM, DMARC, BIMI, MX, DNS, sender rules)', () => {
    const facts = postureFacts({
      spf: spfFacts({ tree: spfRecord('v=spf1 mx ?all'), lookups: 12 }),
      dkim: [dkimKey({ testing: true })],
      dmarc: dmarcMissing(),
      mx: mxFacts({ hosts: [], nullMx: true }),
      queries: { sent: 150, budget: 150, budgetExhausted: true, failed: 0, log: [] },
    });
    expect(judgePosture(facts).findings.map((finding) => `${finding.severity} ${finding.id}`)).toEqual([
      'critical spf-too-many-lookups',
      'critical dmarc-missing',
      'critical mx-null',
      'warning spf-allows-all',
      'warning dkim-testing',
      'warning dns-budget-exhausted',
      'warning sender-gmail-bulk-dmarc',
      'warning sender-yahoo-dmarc',
      'warning sender-outlook-dmarc',
    ]);
  });

  test('each finding id appears once, however many records share the problem', () => {
    const facts = postureFacts({
      dkim: [dkimKey({ bits: 1024, testing: true }), dkimKey({ selector: 's1', bits: 512, testing: true })],
    });
    const ids = judgePosture(facts).findings.map((finding) => finding.id);
    expect(ids).toEqual(['dkim-weak-key', 'dkim-testing']);
    expect(judgePosture(facts).findings[0]?.severity).toBe('critical');
  });

  test('text from DNS is kept as plain text, not marked up', () => {
    const facts = postureFacts({
      spf: spfFacts({
        error: { kind: 'syntax', domain: 'example.com', term: '*bold* <@U123>', message: 'x' },
      }),
    });
    const finding = judgePosture(facts).findings.find((candidate) => candidate.id === 'spf-syntax');
    expect(finding?.summary).toContain('"*bold* <@U123>"');
  });
});
