import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns } from '../../src/posture/dns.js';
import {
  hasUsableRecord,
  isMtaStsRecord,
  lookupMtaStsRecord,
  parseMtaStsRecord,
} from '../../src/posture/mta-sts-record.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

describe('parseMtaStsRecord()', () => {
  test.each([
    ['v=STSv1; id=20240501T1200;', '20240501T1200'],
    ['v=STSv1;id=abc', 'abc'],
    ['v=STSv1 ; id=1 ;', '1'],
    ['v=STSv1; id=ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'],
    ['v=STSv1; id=7; ext_1=some.value', '7'],
  ])('%s → id %s', (record, id) => {
    expect(parseMtaStsRecord(record)).toEqual({ id, problems: [] });
  });

  test.each([
    ['v=STSv1;', 'no id= field: the record names the policy version it announces'],
    ['v=STSv1; id=', 'id=: must be 1 to 32 letters and digits'],
    ['v=STSv1; id=2024-05-01', 'id=2024-05-01: must be 1 to 32 letters and digits'],
    [
      'v=STSv1; id=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456',
      'id=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456: must be 1 to 32 letters and digits',
    ],
    ['v=STSv1; id=1; id=2', 'id=2: id= is given twice (the first one counts)'],
    ['v=STSv1; id=1;; x=y', 'an empty field between two ";"'],
    ['v=STSv1; id=1; junk', 'junk: not a name=value field'],
    ['v=STSv1; id=1; _x=y', '_x=y: "_x" is not a field name'],
    ['v=STSv1; id = 1', 'id = 1: no spaces are allowed around "="'],
    ['v=STSv1; id=1; note=two words', 'note=two words: a value is visible ASCII without spaces, "=" or ";"'],
    ['id=1; v=STSv1', 'id=1: an MTA-STS record starts with v=STSv1 (case matters)'],
  ])('%s: %s', (record, problem) => {
    expect(parseMtaStsRecord(record).problems).toContain(problem);
  });

  test('a field name in the wrong case is not the id', () => {
    expect(parseMtaStsRecord('v=STSv1; ID=1')).toEqual({
      id: null,
      problems: [
        'ID=1: the field is written id= (case matters)',
        'no id= field: the record names the policy version it announces',
      ],
    });
  });
});

describe('isMtaStsRecord()', () => {
  test.each([
    ['v=STSv1; id=1', true],
    ['v=STSv1', true],
    ['v=STSv1 ;id=1', true],
    ['v=STSv10; id=1', false],
    ['V=STSv1; id=1', false],
    ['v=spf1 -all', false],
  ])('%s → %s', (text, expected) => {
    expect(isMtaStsRecord(text)).toBe(expected);
  });
});

describe('lookupMtaStsRecord()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      '_mta-sts.good.test': { TXT: [['v=STSv1; ', 'id=2024'], 'some-verification=token'] },
      '_mta-sts.twice.test': { TXT: ['v=STSv1; id=1', 'v=STSv1; id=2'] },
      '_mta-sts.broken.test': { TXT: ['v=STSv1; id=not-an-id'] },
      '_mta-sts.case.test': { TXT: ['V=stsv1; id=1'] },
      '_mta-sts.failing.test': { rcode: 'SERVFAIL' },
      'none.test': { A: ['192.0.2.1'] },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });

  test('one record, split over strings, among other TXT records', async () => {
    const facts = await lookupMtaStsRecord(dns(), 'good.test');
    expect(facts).toEqual({
      recordName: '_mta-sts.good.test',
      record: 'v=STSv1; id=2024',
      records: ['v=STSv1; id=2024'],
      id: '2024',
      recordProblems: [],
    });
    expect(hasUsableRecord(facts)).toBe(true);
  });

  test('two records: senders use none', async () => {
    const facts = await lookupMtaStsRecord(dns(), 'twice.test');
    expect(facts).toMatchObject({
      record: null,
      id: null,
      records: ['v=STSv1; id=1', 'v=STSv1; id=2'],
      recordProblems: ['2 v=STSv1 records at _mta-sts.twice.test: senders use none (RFC 8461 §3.1)'],
    });
    expect(hasUsableRecord(facts)).toBe(false);
  });

  test('a record that does not parse is not usable', async () => {
    const facts = await lookupMtaStsRecord(dns(), 'broken.test');
    expect(facts.record).toBe('v=STSv1; id=not-an-id');
    expect(facts.recordProblems).toEqual(['id=not-an-id: must be 1 to 32 letters and digits']);
    expect(hasUsableRecord(facts)).toBe(false);
  });

  test('a record in the wrong case is ignored by senders, and said so', async () => {
    const facts = await lookupMtaStsRecord(dns(), 'case.test');
    expect(facts.record).toBeNull();
    expect(facts.recordProblems).toEqual([
      'V=stsv1; id=1: senders ignore this record, which must begin with v=STSv1; (case matters)',
    ]);
  });

  test('no record is no problem, and not usable', async () => {
    const facts = await lookupMtaStsRecord(dns(), 'none.test');
    expect(facts).toEqual({
      recordName: '_mta-sts.none.test',
      record: null,
      records: [],
      id: null,
      recordProblems: [],
    });
    expect(hasUsableRecord(facts)).toBe(false);
  });

  test('a failed lookup says so', async () => {
    const facts = await lookupMtaStsRecord(dns(), 'failing.test');
    expect(facts.record).toBeNull();
    expect(facts.lookupError).toMatch(/_mta-sts\.failing\.test/);
  });
});
