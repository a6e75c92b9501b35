import { describe, expect, test } from 'vitest';
import { gatherSpf } from '../../src/posture/spf/gather-spf.js';
import type { SpfNode } from '../../src/posture/types.js';
import { includeChain, withSpfZone } from '../helpers/spf-zone.js';

// The worst-case walk: what a receiver concludes for an address no mechanism matches.

const spfOf = (table: Parameters<typeof withSpfZone>[0], domain = 'example.com') =>
  withSpfZone(table, (zone) => gatherSpf(zone.dns(), domain));

const depthOf = (node: SpfNode | null): number => (node ? 1 + Math.max(0, ...node.children.map(depthOf)) : 0);

describe('gatherSpf(): the record', () => {
  test('no v=spf1 record: none, and nothing walked', async () => {
    const facts = await spfOf({ 'example.com': { TXT: ['google-site-verification=abc', 'v=spf10 -all'] } });
    expect(facts).toMatchObject({ record: null, records: [], tree: null, worstCase: 'none', lookups: 0 });
    expect(facts.error).toBeUndefined();
  });

  test('no TXT record at all counts one void lookup, as pyspf does', async () => {
    const facts = await spfOf({ 'example.com': { A: ['192.0.2.1'] } });
    expect(facts).toMatchObject({ worstCase: 'none', voidLookups: 1 });
  });

  test('two v=spf1 records: multiple-records, a permerror', async () => {
    const facts = await spfOf({ 'example.com': { TXT: ['v=spf1 -all', 'V=SPF1 ip4:192.0.2.1 -all'] } });
    expect(facts.worstCase).toBe('permerror');
    expect(facts.error?.kind).toBe('multiple-records');
    expect(facts.records).toEqual(['v=spf1 -all', 'V=SPF1 ip4:192.0.2.1 -all']);
    expect(facts.record).toBeNull();
  });

  test('a TXT lookup without an answer: lookupError and temperror', async () => {
    const facts = await spfOf({ 'example.com': { rcode: 'SERVFAIL' } });
    expect(facts.worstCase).toBe('temperror');
    expect(facts.lookupError).toMatch(/SERVFAIL/);
    expect(facts.error?.kind).toBe('temperror');
  });

  test('a record split over two strings is joined without a space', async () => {
    const facts = await spfOf({ 'example.com': { TXT: [['v=spf1 ip4:192.0.2.0/24 ~al', 'l']] } });
    expect(facts.record).toBe('v=spf1 ip4:192.0.2.0/24 ~all');
    expect(facts.tree?.strings).toEqual(['v=spf1 ip4:192.0.2.0/24 ~al', 'l']);
    expect(facts.worstCase).toBe('softfail');
  });

  test.each([
    ['v=spf1 +all', 'pass'],
    ['v=spf1 ?all', 'neutral'],
    ['v=spf1 ~all', 'softfail'],
    ['v=spf1 -all', 'fail'],
    ['v=spf1 all', 'pass'],
    ['v=spf1 ip4:192.0.2.0/24', 'neutral'],
  ])('%s: the worst case is %s', async (record, worstCase) => {
    expect((await spfOf({ 'example.com': { TXT: [record] } })).worstCase).toBe(worstCase);
  });

  test('terms after all are unreached; redirect is ignored when the record has all, yet counted as pyspf counts it', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 redirect=other.example -all include:late.example'] },
      'other.example': { TXT: ['v=spf1 +all'] },
    });
    expect(facts.worstCase).toBe('fail');
    expect(facts.lookups).toBe(1);
    expect(facts.tree?.terms.map((term) => [term.text, term.unreached ?? false])).toEqual([
      ['redirect=other.example', true],
      ['-all', false],
      ['include:late.example', true],
    ]);
  });

  test.each([
    ['v=spf1 a mx foo -all', 'foo'],
    ['v=spf1 ip4:192.0.2.0/33 -all', 'ip4:192.0.2.0/33'],
    ['v=spf1 a/24//200 -all', 'a/24//200'],
    ['v=spf1 include: -all', 'include:'],
    ['v=spf1 redirect=a.example redirect=b.example', 'redirect=b.example'],
    ['v=spf1 =mx -all', '=mx'],
  ])('%s: a syntax error naming %s, a permerror before any lookup', async (record, term) => {
    const facts = await spfOf({ 'example.com': { TXT: [record] } });
    expect(facts.error).toMatchObject({ kind: 'syntax', domain: 'example.com', term });
    expect(facts.worstCase).toBe('permerror');
    expect(facts.lookups).toBe(0);
  });
});

describe('gatherSpf(): include and redirect', () => {
  test('an include chain of exactly 10 lookups is within the limit', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:c1.example -all'] },
      ...includeChain('c', 10),
    });
    expect(facts.lookups).toBe(10);
    expect(facts.error).toBeUndefined();
    expect(facts.worstCase).toBe('fail');
    expect(depthOf(facts.tree)).toBe(11);
  });

  test('the 11th lookup is too-many-lookups, and the walk counts on past it', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:c1.example a mx -all'] },
      ...includeChain('c', 10),
    });
    expect(facts.error).toMatchObject({ kind: 'too-many-lookups', domain: 'example.com', term: 'a' });
    expect(facts.worstCase).toBe('permerror');
    expect(facts.lookups).toBe(12);
    const terms = facts.tree?.terms ?? [];
    expect(terms.map((term) => [term.text, term.lookups, term.unreached ?? false])).toEqual([
      ['include:c1.example', 1, false],
      ['a', 1, false],
      ['mx', 1, true],
      ['-all', 0, true],
    ]);
    expect(facts.tree?.error?.kind).toBe('too-many-lookups');
  });

  test('an include chain of 11 is a permerror at the last include', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:c1.example -all'] },
      ...includeChain('c', 11),
    });
    expect(facts.lookups).toBe(11);
    expect(facts.error).toMatchObject({
      kind: 'too-many-lookups',
      domain: 'c10.example',
      term: 'include:c11.example',
    });
    expect(facts.worstCase).toBe('permerror');
  });

  test('a loop through redirect is a permerror naming the term', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 ip4:192.0.2.1 redirect=b.example'] },
      'b.example': { TXT: ['v=spf1 redirect=example.com'] },
    });
    expect(facts.error).toMatchObject({ kind: 'loop', domain: 'b.example', term: 'redirect=example.com' });
    expect(facts.worstCase).toBe('permerror');
    expect(facts.tree?.children[0]?.via).toBe('redirect');
  });

  test('an include loop is a permerror too', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:b.example -all'] },
      'b.example': { TXT: ['v=spf1 include:example.com -all'] },
    });
    expect(facts.error).toMatchObject({ kind: 'loop', term: 'include:example.com' });
  });

  test('include of a domain without SPF is include-without-spf', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:nospf.example -all'] },
      'nospf.example': { TXT: ['some other text'] },
    });
    expect(facts.error).toMatchObject({ kind: 'include-without-spf', term: 'include:nospf.example' });
    expect(facts.worstCase).toBe('permerror');
    expect(facts.voidLookups).toBe(0);
  });

  test('include of a name that does not exist: a void lookup, then include-without-spf', async () => {
    const facts = await spfOf({ 'example.com': { TXT: ['v=spf1 include:gone.example -all'] } });
    expect(facts.error?.kind).toBe('include-without-spf');
    expect(facts.voidLookups).toBe(1);
  });

  test('redirect to a domain without SPF is redirect-without-spf', async () => {
    const facts = await spfOf({ 'example.com': { TXT: ['v=spf1 redirect=gone.example'] } });
    expect(facts.error).toMatchObject({ kind: 'redirect-without-spf', term: 'redirect=gone.example' });
  });

  test("redirect takes the target record's result", async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 ip4:192.0.2.1 redirect=_spf.example.net'] },
      '_spf.example.net': { TXT: ['v=spf1 ~all'] },
    });
    expect(facts.worstCase).toBe('softfail');
    expect(facts.lookups).toBe(1);
  });

  test('an inner temperror propagates', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:broken.example -all'] },
      'broken.example': { rcode: 'SERVFAIL' },
    });
    expect(facts.worstCase).toBe('temperror');
    expect(facts.error).toMatchObject({ kind: 'temperror', domain: 'broken.example' });
    expect(facts.tree?.terms[1]?.unreached).toBe(true);
  });

  test('an included +all passes everyone: the include matches', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:open.example -all'] },
      'open.example': { TXT: ['v=spf1 +all'] },
    });
    expect(facts.worstCase).toBe('pass');
  });

  test('known sending services are named on their nodes', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 include:_spf.google.com include:sendgrid.net -all'] },
      '_spf.google.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 ~all'] },
      'sendgrid.net': { TXT: ['v=spf1 ip4:198.51.100.0/24 ~all'] },
    });
    expect(facts.providers).toEqual(['Google Workspace', 'SendGrid']);
    expect(facts.tree?.children.map((child) => child.provider)).toEqual(['Google Workspace', 'SendGrid']);
  });
});

describe('gatherSpf(): a, mx and void lookups', () => {
  test('two void lookups from mx are fine', async () => {
    const facts = await spfOf({ 'example.com': { TXT: ['v=spf1 mx:none1.example mx:none2.example -all'] } });
    expect(facts).toMatchObject({ voidLookups: 2, worstCase: 'fail' });
  });

  test('three void lookups from mx are a permerror', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 mx:none1.example mx:none2.example mx:none3.example -all'] },
    });
    expect(facts.error).toMatchObject({ kind: 'too-many-void-lookups', term: 'mx:none3.example' });
    expect(facts).toMatchObject({ voidLookups: 3, worstCase: 'permerror' });
  });

  test('three void lookups from a are a permerror; a name with no A record counts too', async () => {
    const facts = await spfOf({
      'example.com': { TXT: ['v=spf1 a:none1.example a:none2.example a:aaaa-only.example -all'] },
      'aaaa-only.example': { AAAA: ['2001:db8::1'] },
    });
    expect(facts.error).toMatchObject({ kind: 'too-many-void-lookups', term: 'a:aaaa-only.example' });
    expect(facts.worstCase).toBe('permerror');
  });

  test('MX hosts without addresses count as void lookups, as pyspf counts them', async () => {
    const facts = await spfOf({
      'example.com': {
        TXT: ['v=spf1 mx -all'],
        MX: [1, 2, 3].map((n) => ({ exchange: `mx${n}.example.com`, priority: n })),
      },
      'mx1.example.com': { A: ['192.0.2.1'] },
    });
    expect(facts.tree?.terms[0]).toMatchObject({ mxHosts: 3, lookups: 1, voidLookups: 2 });
    expect(facts.worstCase).toBe('fail');
  });

  test('mx with 11 hosts is too-many-mx-hosts; their address lookups are not counted as lookups', async () => {
    const hosts = Array.from({ length: 11 }, (_, n) => ({ exchange: `mx${n}.example.com`, priority: 10 }));
    const facts = await spfOf({ 'example.com': { TXT: ['v=spf1 mx -all'], MX: hosts } });
    expect(facts.error).toMatchObject({ kind: 'too-many-mx-hosts', term: 'mx' });
    expect(facts.tree?.terms[0]?.mxHosts).toBe(11);
    expect(facts.lookups).toBe(1);
  });

  test('10 MX hosts are fine and cost one lookup', async () => {
    const hosts = Array.from({ length: 10 }, (_, n) => ({ exchange: `mx${n}.example.com`, priority: n }));
    const table = Object.fromEntries(hosts.map((host, n) => [host.exchange, { A: [`192.0.2.${n + 1}`] }]));
    const facts = await spfOf({ 'example.com': { TXT: ['v=spf1 mx -all'], MX: hosts }, ...table });
    expect(facts).toMatchObject({ lookups: 1, voidLookups: 0, worstCase: 'fail' });
    expect(facts.error).toBeUndefined();
  });
});

describe('gatherSpf(): ptr and macros', () => {
  test('ptr without an address is counted and not asked', async () => {
    await withSpfZone({ 'example.com': { TXT: ['v=spf1 ptr -all'] } }, async (zone) => {
      const facts = await gatherSpf(zone.dns(), 'example.com');
      expect(facts.lookups).toBe(1);
      expect(zone.server.queries.filter((query) => query.endsWith(' PTR'))).toEqual([]);
    });
  });

  test('macros without an address are counted, marked and not followed', async () => {
    await withSpfZone(
      { 'example.com': { TXT: ['v=spf1 exists:%{i}._spf.example.com include:%{l}.x.example.com -all'] } },
      async (zone) => {
        const facts = await gatherSpf(zone.dns(), 'example.com');
        expect(facts).toMatchObject({ macros: true, lookups: 2, worstCase: 'fail' });
        expect(facts.tree?.terms[0]).toMatchObject({ macro: true, target: '%{i}._spf.example.com' });
        expect(zone.server.queries).toEqual(['example.com TXT']);
      },
    );
  });

  test('with an address, macros are expanded and asked', async () => {
    await withSpfZone(
      { 'example.com': { TXT: ['v=spf1 exists:%{ir}.%{l}._spf.%{d} -all'] } },
      async (zone) => {
        const facts = await gatherSpf(zone.dns(), 'example.com', {
          ip: '192.0.2.3',
          sender: 'Bob@example.com',
        });
        expect(facts.macros).toBe(true);
        expect(zone.server.queries).toContain('3.2.0.192.bob._spf.example.com A');
      },
    );
  });
});
