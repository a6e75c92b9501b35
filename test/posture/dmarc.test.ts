import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherDmarc, treeWalkNames } from '../../src/posture/dmarc-facts.js';
import { createPostureDns } from '../../src/posture/dns.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

describe('treeWalkNames()', () => {
  test.each([
    ['example.test', 'example.test', ['example.test']],
    ['a.b.example.test', 'example.test', ['a.b.example.test', 'b.example.test', 'example.test']],
    // 11 labels: DMARCbis jumps to the last 7, then goes on one label at a time.
    [
      'a.b.c.d.e.f.g.h.i.example.test',
      'example.test',
      [
        'a.b.c.d.e.f.g.h.i.example.test',
        'e.f.g.h.i.example.test',
        'f.g.h.i.example.test',
        'g.h.i.example.test',
        'h.i.example.test',
        'i.example.test',
        'example.test',
      ],
    ],
    [
      'a.b.c.d.e.f.g.example.test',
      'example.test',
      [
        'a.b.c.d.e.f.g.example.test',
        'c.d.e.f.g.example.test',
        'd.e.f.g.example.test',
        'e.f.g.example.test',
        'f.g.example.test',
        'g.example.test',
        'example.test',
      ],
    ],
  ])('%s', (domain, organizational, names) => {
    expect(treeWalkNames(domain, organizational)).toEqual(names);
  });
});

describe('gatherDmarc()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      '_dmarc.own.test': { TXT: ['v=DMARC1; p=reject; pct=25; adkim=s'] },
      '_dmarc.org.test': { TXT: ['v=DMARC1; p=quarantine; sp=reject'] },
      'mail.org.test': { A: ['192.0.2.1'] },
      '_dmarc.multi.test': { TXT: ['v=DMARC1; p=none', 'v=DMARC1; p=reject', 'not dmarc'] },
      '_dmarc.chunks.test': { TXT: [['v=DMARC1; p=rej', 'ect; rua=mailto:d@chunks.test']] },
      '_dmarc.bad.test': { TXT: ['v=DMARC1; p=rejct; pct=150'] },
      '_dmarc.fail.test': { rcode: 'SERVFAIL' },
      '_dmarc.reports.test': {
        TXT: [
          'v=DMARC1; p=none; rua=mailto:agg@vendor.test,mailto:x@stranger.test!10m,mailto:d@mail.reports.test; ruf=mailto:f@down.test',
        ],
      },
      'reports.test._report._dmarc.vendor.test': { TXT: ['v=DMARC1'] },
      'reports.test._report._dmarc.stranger.test': { TXT: ['v=spf1 -all'] },
      'reports.test._report._dmarc.down.test': { rcode: 'SERVFAIL' },
      '_dmarc.b.walk.test': { TXT: ['v=DMARC1; p=none'] },
      '_dmarc.walk.test': { TXT: ['v=DMARC1; p=reject'] },
      '_dmarc.b.only.test': { TXT: ['v=DMARC1; p=quarantine'] },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });

  test("reads the domain's own record", async () => {
    const facts = await gatherDmarc(dns(), 'own.test');
    expect(facts).toMatchObject({
      record: 'v=DMARC1; p=reject; pct=25; adkim=s',
      records: ['v=DMARC1; p=reject; pct=25; adkim=s'],
      source: 'domain',
      sourceDomain: 'own.test',
      organizationalDomain: 'own.test',
      policy: 'reject',
      subdomainPolicy: 'reject',
      pct: 25,
      alignment: { dkim: 'strict', spf: 'relaxed' },
      syntaxErrors: [],
    });
    expect(facts.treeWalk).toBeUndefined();
  });

  test("falls back to the organizational domain's record", async () => {
    const facts = await gatherDmarc(dns(), 'mail.org.test');
    expect(facts).toMatchObject({
      record: 'v=DMARC1; p=quarantine; sp=reject',
      source: 'organizational',
      sourceDomain: 'org.test',
      organizationalDomain: 'org.test',
      policy: 'quarantine',
      subdomainPolicy: 'reject',
    });
    expect(facts.treeWalk).toBeUndefined();
  });

  test('several records: all listed, none applies', async () => {
    const facts = await gatherDmarc(dns(), 'multi.test');
    expect(facts).toMatchObject({ record: null, source: 'domain', sourceDomain: 'multi.test', policy: null });
    expect(facts.records).toEqual(['v=DMARC1; p=none', 'v=DMARC1; p=reject']);
  });

  test('joins a record split into several strings', async () => {
    const facts = await gatherDmarc(dns(), 'chunks.test');
    expect(facts.record).toBe('v=DMARC1; p=reject; rua=mailto:d@chunks.test');
    expect(facts.policy).toBe('reject');
  });

  test('reports syntax errors with the tag as written', async () => {
    const facts = await gatherDmarc(dns(), 'bad.test');
    expect(facts.syntaxErrors).toEqual([
      'p=rejct: must be none, quarantine or reject; receivers apply no DMARC policy, as rua= names no destination (RFC 7489 §6.6.3)',
      'pct=150: must be 0 to 100',
    ]);
    expect(facts.policy).toBeNull();
  });

  test('no record anywhere', async () => {
    const facts = await gatherDmarc(dns(), 'nothing.none.test');
    expect(facts).toMatchObject({
      record: null,
      records: [],
      source: null,
      sourceDomain: null,
      policy: null,
    });
    expect(facts.organizationalDomain).toBe('none.test');
    expect(facts.lookupError).toBeUndefined();
  });

  test('an unanswered lookup is a lookup error, not a missing record', async () => {
    const facts = await gatherDmarc(dns(), 'fail.test');
    expect(facts.record).toBeNull();
    expect(facts.lookupError).toMatch(/_dmarc\.fail\.test/);
  });

  test('checks that external report destinations authorize the domain (RFC 7489 §7.1)', async () => {
    const facts = await gatherDmarc(dns(), 'reports.test');
    expect(facts.rua).toEqual([
      {
        uri: 'mailto:agg@vendor.test',
        address: 'agg@vendor.test',
        domain: 'vendor.test',
        external: true,
        authorized: true,
        authorizationName: 'reports.test._report._dmarc.vendor.test',
      },
      {
        uri: 'mailto:x@stranger.test!10m',
        address: 'x@stranger.test',
        domain: 'stranger.test',
        external: true,
        authorized: false,
        authorizationName: 'reports.test._report._dmarc.stranger.test',
      },
      {
        uri: 'mailto:d@mail.reports.test',
        address: 'd@mail.reports.test',
        domain: 'mail.reports.test',
        external: false,
        authorized: null,
      },
    ]);
    expect(facts.ruf).toEqual([
      expect.objectContaining({ domain: 'down.test', external: true, authorized: null }),
    ]);
    // A destination inside the organization needs no authorization: nothing is asked for it.
    expect(server.queries.filter((query) => query.includes('_report._dmarc.mail.reports.test'))).toEqual([]);
  });

  test("says where DMARCbis's tree walk finds another record than the organizational domain's", async () => {
    const facts = await gatherDmarc(dns(), 'a.b.walk.test');
    expect(facts).toMatchObject({ source: 'organizational', sourceDomain: 'walk.test', policy: 'reject' });
    expect(facts.treeWalk?.sourceDomain).toBe('b.walk.test');
    expect(facts.treeWalk?.note).toContain('_dmarc.b.walk.test');
  });

  test('the tree walk finds a record where RFC 7489 finds none', async () => {
    const facts = await gatherDmarc(dns(), 'a.b.only.test');
    expect(facts.record).toBeNull();
    expect(facts.treeWalk).toEqual({
      sourceDomain: 'b.only.test',
      note: "DMARCbis's tree walk finds _dmarc.b.only.test first; receivers that follow DMARCbis apply that record, where RFC 7489 finds none",
    });
  });
});
