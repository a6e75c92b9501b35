import { describe, expect, test } from 'vitest';
import { isDmarcRecord, parseDmarcRecord, parseDmarcUri } from '../../src/posture/dmarc-record.js';

describe('parseDmarcRecord()', () => {
  test.each([
    ['v=DMARC1; p=reject', 'reject', 'reject'],
    ['v=DMARC1; p=quarantine; sp=none', 'quarantine', 'none'],
    ['v=DMARC1; P=Reject; SP=quarantine', 'reject', 'quarantine'],
    ['v=DMARC1; p=none;', 'none', 'none'],
  ])('%s → p=%s, subdomains %s', (record, policy, subdomainPolicy) => {
    const parsed = parseDmarcRecord(record);
    expect(parsed.policy).toBe(policy);
    expect(parsed.subdomainPolicy).toBe(subdomainPolicy);
    expect(parsed.syntaxErrors).toEqual([]);
  });

  test.each([
    ['v=DMARC1; p=reject; pct=150', 'pct=150: must be 0 to 100'],
    ['v=DMARC1; p=reject; pct=5.5', 'pct=5.5: must be 0 to 100'],
    ['v=DMARC1; p=reject; adkim=x', 'adkim=x: must be r (relaxed) or s (strict)'],
    ['v=DMARC1; p=reject; aspf=relaxed', 'aspf=relaxed: must be r (relaxed) or s (strict)'],
    ['v=DMARC1; p=reject; ri=daily', 'ri=daily: must be a number of seconds'],
    ['v=DMARC1; p=reject; fo=1:x', 'fo=1:x: must be 0, 1, d or s, colon-separated'],
    ['v=DMARC1; p=reject; rf=iodef', 'rf=iodef: afrf is the only report format'],
    ['v=DMARC1; p=reject; np=drop', 'np=drop: must be none, quarantine or reject'],
    ['v=DMARC1; p=reject; psd=maybe', 'psd=maybe: must be y, n or u (DMARCbis)'],
    ['v=DMARC1; p=reject; t=1', 't=1: must be y or n (DMARCbis)'],
    ['v=DMARC1; p=reject; p=none', 'p=none: p= is given twice (the first one counts)'],
    ['v=DMARC1; p=reject; v=DMARC1', 'v=DMARC1: v= must be the first tag'],
    ['v=DMARC2; p=reject', 'v=DMARC2: a DMARC record starts with v=DMARC1'],
    ['v=DMARC1; p=reject; policy', 'policy: not a tag=value pair'],
    [
      'v=DMARC1; p=reject; rua=dmarc@example.test',
      'rua=dmarc@example.test: not a URI: a mailbox is written mailto:address',
    ],
    ['v=DMARC1; p=reject; rua=mailto:nobody', 'rua=mailto:nobody: not a mailbox: local-part@domain expected'],
    [
      'v=DMARC1; p=reject; rua=mailto:a@example.test!big',
      'rua=mailto:a@example.test!big: "!big" is not a size limit (digits and k, m, g or t)',
    ],
    ['v=DMARC1; p=reject; rua=', 'rua=: no URI'],
  ])('%s: %s', (record, error) => {
    expect(parseDmarcRecord(record).syntaxErrors).toEqual([error]);
  });

  test('a version that is not first is out of place and leaves the record without its start', () => {
    expect(parseDmarcRecord('p=reject; v=DMARC1').syntaxErrors).toEqual([
      'p=reject: a DMARC record starts with v=DMARC1',
      'v=DMARC1: v= must be the first tag',
    ]);
  });

  test('keeps the policy of a record whose other tags are wrong', () => {
    const parsed = parseDmarcRecord('v=DMARC1; p=reject; pct=150; adkim=x');
    expect(parsed).toMatchObject({
      policy: 'reject',
      pct: 100,
      alignment: { dkim: 'relaxed', spf: 'relaxed' },
    });
  });

  test('reads pct, alignment and unknown tags', () => {
    const parsed = parseDmarcRecord('v=DMARC1; p=quarantine; pct=25; adkim=s; aspf=r; future=1; t=y; psd=n');
    expect(parsed).toMatchObject({
      pct: 25,
      alignment: { dkim: 'strict', spf: 'relaxed' },
      tags: { future: '1', t: 'y', psd: 'n' },
      syntaxErrors: [],
    });
  });

  test('acts as p=none when p= is missing and rua= names a destination (RFC 7489 §6.6.3)', () => {
    const parsed = parseDmarcRecord('v=DMARC1; rua=mailto:dmarc@example.test');
    expect(parsed.policy).toBe('none');
    expect(parsed.subdomainPolicy).toBe('none');
    expect(parsed.syntaxErrors).toEqual([
      'p= is missing; receivers act as if p=none was published, as rua= names a destination (RFC 7489 §6.6.3)',
    ]);
  });

  test('applies no policy when p= is missing and there is no rua=', () => {
    const parsed = parseDmarcRecord('v=DMARC1; adkim=s');
    expect(parsed.policy).toBeNull();
    expect(parsed.subdomainPolicy).toBeNull();
    expect(parsed.syntaxErrors).toEqual([
      'p= is missing; receivers apply no DMARC policy, as rua= names no destination (RFC 7489 §6.6.3)',
    ]);
  });

  test('an invalid sp= with rua= makes the whole record p=none', () => {
    const parsed = parseDmarcRecord('v=DMARC1; p=reject; sp=all; rua=mailto:d@example.test');
    expect(parsed.policy).toBe('none');
    expect(parsed.syntaxErrors).toEqual([
      'sp=all: must be none, quarantine or reject; receivers act as if p=none was published, as rua= names a destination (RFC 7489 §6.6.3)',
    ]);
  });

  test('several comma-separated destinations, size limits kept in the URI', () => {
    const parsed = parseDmarcRecord('v=DMARC1; p=none; rua=mailto:a@example.test, mailto:b@example.net!10m');
    expect(parsed.rua).toEqual([
      { uri: 'mailto:a@example.test', address: 'a@example.test', domain: 'example.test', usable: true },
      { uri: 'mailto:b@example.net!10m', address: 'b@example.net', domain: 'example.net', usable: true },
    ]);
  });
});

describe('parseDmarcUri()', () => {
  test('decodes %-escapes in the mailbox', () => {
    expect(parseDmarcUri('mailto:d%2Bmarc@Example.TEST')).toMatchObject({
      address: 'd+marc@Example.TEST',
      domain: 'example.test',
    });
  });

  test('reads the host of a URI of another scheme, which receivers do not use', () => {
    expect(parseDmarcUri('https://reports.example.test/dmarc')).toEqual({
      uri: 'https://reports.example.test/dmarc',
      domain: 'reports.example.test',
      usable: true,
      problem: 'not a mailto: URI: receivers send reports by mail',
    });
  });
});

describe('isDmarcRecord()', () => {
  test.each([
    ['v=DMARC1; p=none', true],
    ['v=DMARC1', true],
    ['V = DMARC1 ;p=none', true],
    ['v=dmarc1; p=none', false],
    ['v=DMARC10; p=none', false],
    ['p=none; v=DMARC1', false],
    ['v=spf1 -all', false],
  ])('%s → %s', (text, expected) => {
    expect(isDmarcRecord(text)).toBe(expected);
  });
});
