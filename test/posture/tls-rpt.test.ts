import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns } from '../../src/posture/dns.js';
import { gatherTlsRpt, isTlsRptRecord, parseTlsRptRecord, ruaProblem } from '../../src/posture/tls-rpt.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

describe('parseTlsRptRecord()', () => {
  test.each([
    ['v=TLSRPTv1; rua=mailto:tls@example.com', ['mailto:tls@example.com']],
    ['v=TLSRPTv1;rua=https://reports.example.net/tlsrpt;', ['https://reports.example.net/tlsrpt']],
    [
      'v=TLSRPTv1; rua=mailto:tls@example.com , https://reports.example.net/v1',
      ['mailto:tls@example.com', 'https://reports.example.net/v1'],
    ],
    ['v=TLSRPTv1; rua=mailto:tls%2Breports@example.com; ext=1', ['mailto:tls%2Breports@example.com']],
  ])('%s', (record, rua) => {
    expect(parseTlsRptRecord(record)).toEqual({ rua, problems: [] });
  });

  test.each([
    ['v=TLSRPTv1', 'no rua= field: the record says where reports go'],
    ['v=TLSRPTv1; rua=', 'rua= names no destination'],
    ['v=TLSRPTv1; rua=tls@example.com', 'rua=tls@example.com: reports go to a mailto: or https: URI'],
    [
      'v=TLSRPTv1; rua=http://example.com/r',
      'rua=http://example.com/r: reports go to a mailto: or https: URI',
    ],
    ['v=TLSRPTv1; rua=mailto:nobody', 'rua=mailto:nobody: not a mailbox (local-part@domain expected)'],
    [
      'v=TLSRPTv1; rua=mailto:tls@example.com!10m',
      'rua=mailto:tls@example.com!10m: "!" is written %21 here (TLS-RPT has no size limits)',
    ],
    ['v=TLSRPTv1; rua=https://', 'rua=https://: not a URL that parses'],
    [
      'v=TLSRPTv1; rua=mailto:%zz@example.com',
      'rua=mailto:%zz@example.com: the address holds a broken %-escape',
    ],
    [
      'v=TLSRPTv1; RUA=mailto:tls@example.com',
      'RUA=mailto:tls@example.com: the field is written rua= (case matters)',
    ],
    [
      'v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com',
      'rua=mailto:b@example.com: rua= is given twice (the first one counts)',
    ],
    [
      'rua=mailto:a@example.com; v=TLSRPTv1',
      'rua=mailto:a@example.com: a TLS-RPT record starts with v=TLSRPTv1 (case matters)',
    ],
  ])('%s: %s', (record, problem) => {
    expect(parseTlsRptRecord(record).problems).toContain(problem);
  });

  test('ruaProblem() accepts both schemes', () => {
    expect(ruaProblem('mailto:tls@example.com')).toBeUndefined();
    expect(ruaProblem('https://example.com/tlsrpt')).toBeUndefined();
  });
});

describe('isTlsRptRecord()', () => {
  test.each([
    ['v=TLSRPTv1; rua=mailto:a@example.com', true],
    ['v=TLSRPTv1', true],
    ['v=TLSRPTv10; rua=mailto:a@example.com', false],
    ['v=tlsrptv1; rua=mailto:a@example.com', false],
    ['v=STSv1; id=1', false],
  ])('%s → %s', (text, expected) => {
    expect(isTlsRptRecord(text)).toBe(expected);
  });
});

describe('gatherTlsRpt()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      '_smtp._tls.good.test': { TXT: [['v=TLSRPTv1; ', 'rua=mailto:tls@good.test'], 'unrelated=1'] },
      '_smtp._tls.twice.test': {
        TXT: ['v=TLSRPTv1; rua=mailto:a@twice.test', 'v=TLSRPTv1; rua=mailto:b@twice.test'],
      },
      '_smtp._tls.broken.test': { TXT: ['v=TLSRPTv1; rua=ftp://broken.test/'] },
      '_smtp._tls.failing.test': { rcode: 'SERVFAIL' },
      'none.test': { A: ['192.0.2.1'] },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });

  test('one record, split over strings', async () => {
    expect(await gatherTlsRpt(dns(), 'good.test')).toEqual({
      name: '_smtp._tls.good.test',
      record: 'v=TLSRPTv1; rua=mailto:tls@good.test',
      records: ['v=TLSRPTv1; rua=mailto:tls@good.test'],
      rua: ['mailto:tls@good.test'],
      problems: [],
    });
  });

  test('two records: senders use none', async () => {
    expect(await gatherTlsRpt(dns(), 'twice.test')).toMatchObject({
      record: null,
      records: ['v=TLSRPTv1; rua=mailto:a@twice.test', 'v=TLSRPTv1; rua=mailto:b@twice.test'],
      rua: [],
      problems: ['2 v=TLSRPTv1 records at _smtp._tls.twice.test: senders use none (RFC 8460 §3)'],
    });
  });

  test('a destination senders cannot use', async () => {
    expect(await gatherTlsRpt(dns(), 'broken.test')).toMatchObject({
      record: 'v=TLSRPTv1; rua=ftp://broken.test/',
      rua: ['ftp://broken.test/'],
      problems: ['rua=ftp://broken.test/: reports go to a mailto: or https: URI'],
    });
  });

  test('no record', async () => {
    expect(await gatherTlsRpt(dns(), 'none.test')).toEqual({
      name: '_smtp._tls.none.test',
      record: null,
      records: [],
      rua: [],
      problems: [],
    });
  });

  test('a failed lookup says so', async () => {
    const facts = await gatherTlsRpt(dns(), 'failing.test');
    expect(facts.record).toBeNull();
    expect(facts.lookupError).toMatch(/_smtp\._tls\.failing\.test/);
  });
});
