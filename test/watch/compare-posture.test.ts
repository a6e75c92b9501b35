import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/types.js';
import { comparePosture, postureDegradations } from '../../src/watch/compare-posture.js';
import { fillUnknown, postureSnapshotOf } from '../../src/watch/posture-snapshot.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import {
  blocklistFacts,
  daneHost,
  dkimKey,
  dkimMissing,
  dmarcFacts,
  dmarcMissing,
  mtaStsEnforced,
  mxFacts,
  spfFacts,
  spfNode,
} from '../helpers/posture-builders.js';

// "Is this change important?": the domain as a careful sender sets it up is the baseline, and each
// row breaks one thing and names what a watch must say of it (nothing, for a change that loses no
// mail and no protection, or for a lookup that failed).

const snapshot = (facts: Partial<PostureFacts> = {}) => postureSnapshotOf(aDomainReport(facts));
const TLSA = { usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) };
/** The MX address's Spamhaus ZEN answer, as given. */
const zen = (status: 'listed' | 'refused' | 'error') => {
  const facts = blocklistFacts();
  const [first, ...rest] = facts.results;
  return {
    ...facts,
    results: [{ ...first!, status, codes: status === 'error' ? [] : ['127.0.0.2'] }, ...rest],
  };
};
const daneMatched = (matched: boolean | null) =>
  daneHost({ records: [TLSA], dnssec: 'secure', match: matched === null ? null : { matched, usable: 1 } });
const mtaStsCovering = (pattern: string | null) =>
  mtaStsEnforced({ coverage: [{ exchange: 'aspmx.l.google.com', pattern, certificate: 'valid' }] });
const BASELINE = snapshot();
const withAll = (text: string, qualifier: '+' | '-' | '~' | '?') =>
  spfFacts({
    tree: spfNode({
      record: `v=spf1 include:_spf.google.com ${text}`,
      terms: [
        {
          text: 'include:_spf.google.com',
          kind: 'include',
          qualifier: '+',
          target: '_spf.google.com',
          lookups: 1,
          voidLookups: 0,
        },
        { text, kind: 'all', qualifier, lookups: 0, voidLookups: 0 },
      ],
    }),
  });
const withoutAll = spfFacts({
  tree: spfNode({
    record: 'v=spf1 include:_spf.google.com',
    terms: [
      {
        text: 'include:_spf.google.com',
        kind: 'include',
        qualifier: '+',
        target: '_spf.google.com',
        lookups: 1,
        voidLookups: 0,
      },
    ],
  }),
  worstCase: 'neutral',
});

describe('postureDegradations()', () => {
  test.each<[string, Partial<PostureFacts>, string[]]>([
    ['nothing changed', {}, []],
    ['a stricter DMARC pct or a new include is no page', { dmarc: dmarcFacts({ pct: 100 }) }, []],
    [
      'SPF turns into a permerror',
      { spf: spfFacts({ worstCase: 'permerror' }) },
      ['SPF now fails with a permerror: fail → permerror'],
    ],
    ['SPF loses its all', { spf: withoutAll }, ['SPF lost its all: -all → no all']],
    ['SPF ends in +all', { spf: withAll('+all', '+') }, ['SPF lost its all: -all → +all']],
    ['SPF ends in ?all', { spf: withAll('?all', '?') }, ['SPF lost its all: -all → ?all']],
    ['-all to ~all still ends in an all', { spf: withAll('~all', '~') }, []],
    [
      'SPF record removed',
      { spf: spfFacts({ tree: null, record: null, records: [], worstCase: 'none' }) },
      ['SPF lost its all: -all → no all'],
    ],
    [
      'SPF lookup timed out: no change',
      { spf: spfFacts({ lookupError: 'ETIMEOUT', tree: null, record: null }) },
      [],
    ],
    ['SPF temperror: no change', { spf: spfFacts({ worstCase: 'temperror' }) }, []],
    [
      'DMARC policy weakened to none',
      { dmarc: dmarcFacts({ policy: 'none' }) },
      ['DMARC policy weakened: reject → none'],
    ],
    [
      'DMARC policy weakened to quarantine',
      { dmarc: dmarcFacts({ policy: 'quarantine' }) },
      ['DMARC policy weakened: reject → quarantine'],
    ],
    ['DMARC pct lowered', { dmarc: dmarcFacts({ pct: 20 }) }, ['DMARC pct lowered: pct=100 → pct=20']],
    ['DMARC record removed', { dmarc: dmarcMissing() }, ['DMARC record removed: p=reject → none']],
    ['DMARC lookup failed: no change', { dmarc: dmarcMissing({ lookupError: 'SERVFAIL' }) }, []],
    [
      'DKIM key revoked',
      { dkim: [dkimKey({ revoked: true, record: 'v=DKIM1; p=' })] },
      ['DKIM key google revoked (p= empty)'],
    ],
    ['DKIM key gone', { dkim: [dkimMissing('google')] }, ['DKIM key google gone (no record)']],
    ['DKIM lookup timed out: no change', { dkim: [dkimMissing('google', { lookupError: 'ETIMEOUT' })] }, []],
    ['a selector never found stays no page', { dkim: [dkimKey(), dkimMissing('default')] }, []],
    [
      'MX changed to a null MX',
      { mx: mxFacts({ hosts: [], nullMx: true }) },
      ['MX changed to a null MX (the domain accepts no mail): 1 MX host → null MX'],
    ],
    [
      'MX records removed',
      { mx: mxFacts({ hosts: [], implicit: { addresses: ['192.0.2.80'] } }) },
      ['MX records removed: 1 MX host → no MX'],
    ],
    ['MX lookup failed: no change', { mx: mxFacts({ hosts: [], lookupError: 'ETIMEOUT' }) }, []],
    [
      'a new blocklist listing',
      { blocklists: zen('listed') },
      ['142.250.27.26 is now listed on zen.spamhaus.org'],
    ],
    ['a list that refused the query: no change', { blocklists: zen('refused') }, []],
    ['a list that did not answer: no change', { blocklists: zen('error') }, []],
    [
      'DANE stops matching',
      { dane: [daneMatched(false)] },
      [
        'aspmx.l.google.com: the certificate on port 25 no longer matches its DANE (TLSA) records; DANE senders will not deliver',
      ],
    ],
    ['DANE not seen (port 25 unreachable from here): no change', { dane: [daneMatched(null)] }, []],
    [
      'TLSA in an unsigned zone: no page',
      { dane: [daneHost({ records: [TLSA], match: { matched: false, usable: 1 } })] },
      [],
    ],
    [
      'MTA-STS stops covering an MX host',
      { mtaSts: mtaStsCovering(null) },
      [
        'aspmx.l.google.com: no longer covered by the MTA-STS policy with a valid certificate; compliant senders may not deliver',
      ],
    ],
    [
      'MTA-STS policy unreachable: no change',
      {
        mtaSts: mtaStsEnforced({
          policy: null,
          coverage: [],
          fetch: { url: 'https://mta-sts.example.com/.well-known/mta-sts.txt', outcome: 'unreachable' },
        }),
      },
      [],
    ],
    [
      'several at once',
      { dmarc: dmarcMissing(), dkim: [dkimMissing('google')] },
      ['DMARC record removed: p=reject → none', 'DKIM key google gone (no record)'],
    ],
  ])('%s', (_name, broken, words) => {
    const current = fillUnknown(snapshot(broken), BASELINE);
    expect(postureDegradations(BASELINE, current).map((d) => d.text)).toEqual(words);
  });

  test('a baseline already weak is not made worse by staying weak', () => {
    const weak = snapshot({ dmarc: dmarcFacts({ policy: 'none' }), spf: withAll('?all', '?') });
    expect(postureDegradations(weak, weak)).toEqual([]);
  });
});

describe('comparePosture()', () => {
  const degradedDmarc = snapshot({ dmarc: dmarcFacts({ policy: 'none' }) });

  test('a new degradation is worse; the same one told before is not said again', () => {
    const first = comparePosture(BASELINE, degradedDmarc, []);
    expect(first.worse.map((d) => d.id)).toEqual(['dmarc-policy']);
    expect(first.recovered).toEqual([]);
    const again = comparePosture(BASELINE, degradedDmarc, first.degradations);
    expect(again.worse).toEqual([]);
    expect(again.degradations.map((d) => d.id)).toEqual(['dmarc-policy']);
  });

  test('one that got worse still is said again', () => {
    const told = comparePosture(BASELINE, snapshot({ dmarc: dmarcFacts({ policy: 'quarantine' }) }), []);
    const worse = comparePosture(BASELINE, degradedDmarc, told.degradations);
    expect(worse.worse.map((d) => d.text)).toEqual(['DMARC policy weakened: reject → none']);
  });

  test.each<[string, Partial<PostureFacts>, string]>([
    ['DMARC policy', { dmarc: dmarcFacts({ policy: 'none' }) }, 'DMARC policy back to reject'],
    ['DMARC record', { dmarc: dmarcMissing() }, 'DMARC record is back (p=reject)'],
    ['DMARC pct', { dmarc: dmarcFacts({ pct: 10 }) }, 'DMARC pct back to 100'],
    ['SPF permerror', { spf: spfFacts({ worstCase: 'permerror' }) }, 'SPF evaluates again (fail)'],
    ['SPF all', { spf: withoutAll }, 'SPF ends in -all again'],
    ['DKIM key', { dkim: [dkimMissing('google')] }, 'DKIM key google is published again'],
    ['MX', { mx: mxFacts({ hosts: [], nullMx: true }) }, 'MX records back: 1 MX host'],
    ['listing', { blocklists: zen('listed') }, '142.250.27.26 is no longer listed on zen.spamhaus.org'],
    [
      'DANE match',
      { dane: [daneMatched(false)] },
      'aspmx.l.google.com: the certificate on port 25 matches its DANE records again',
    ],
    [
      'MTA-STS coverage',
      { mtaSts: mtaStsCovering(null) },
      'aspmx.l.google.com: covered by the MTA-STS policy with a valid certificate again',
    ],
  ])('a cleared %s says what came back', (_name, broken, words) => {
    const told = comparePosture(BASELINE, snapshot(broken), []).degradations;
    const back = comparePosture(BASELINE, BASELINE, told);
    expect(back.degradations).toEqual([]);
    expect(back.recovered.map((r) => r.text)).toEqual([words]);
  });

  test('a DNS failure keeps the last state: an announced degradation neither clears nor repeats', () => {
    const told = comparePosture(BASELINE, degradedDmarc, []).degradations;
    const failed = fillUnknown(snapshot({ dmarc: dmarcMissing({ lookupError: 'ETIMEOUT' }) }), degradedDmarc);
    const change = comparePosture(BASELINE, failed, told);
    expect(change.worse).toEqual([]);
    expect(change.recovered).toEqual([]);
  });

  test('a listing that cannot be asked again keeps its last state; one that left with its MX address is dropped', () => {
    const listed = snapshot({ blocklists: zen('listed') });
    const told = comparePosture(BASELINE, listed, []).degradations;
    const unanswered = fillUnknown(snapshot({ blocklists: zen('error') }), listed);
    expect(comparePosture(BASELINE, unanswered, told)).toMatchObject({ worse: [], recovered: [] });
    const moved = fillUnknown(snapshot({ blocklists: blocklistFacts({ results: [] }) }), listed);
    expect(comparePosture(BASELINE, moved, told).recovered.map((r) => r.id)).toEqual([
      'dnsbl:142.250.27.26 zen.spamhaus.org',
    ]);
  });

  test('an MTA-STS policy changed under the same id is a degradation; a new id clears it', () => {
    const enforced = snapshot({ mtaSts: mtaStsEnforced() });
    const testing = mtaStsEnforced({
      policy: { mode: 'testing', maxAge: 604800, mx: ['*.l.google.com'], problems: [] },
    });
    const sameId = comparePosture(enforced, snapshot({ mtaSts: testing }), []);
    expect(sameId.worse.map((d) => d.text)).toEqual([
      'MTA-STS policy changed but its id did not (still 20261201): senders that cached the old policy keep applying it until its max_age runs out',
    ]);
    const newId = snapshot({ mtaSts: { ...testing, id: '20261208', record: 'v=STSv1; id=20261208' } });
    const back = comparePosture(enforced, newId, sameId.degradations);
    expect(back.degradations).toEqual([]);
    expect(back.recovered.map((r) => r.text)).toEqual([
      'MTA-STS policy and id agree again (id 20261208): senders fetch the policy in force',
    ]);
  });

  test('an MTA-STS policy that cannot be fetched this time is the last one seen, not a change', () => {
    const enforced = snapshot({ mtaSts: mtaStsEnforced() });
    const unreachable = mtaStsEnforced({
      policy: null,
      coverage: [],
      fetch: { url: 'https://mta-sts.example.com/.well-known/mta-sts.txt', outcome: 'unreachable' },
    });
    const current = fillUnknown(snapshot({ mtaSts: unreachable }), enforced);
    expect(current.mtaStsPolicy).toEqual(enforced.mtaStsPolicy);
    expect(comparePosture(enforced, current, []).degradations).toEqual([]);
  });
});
