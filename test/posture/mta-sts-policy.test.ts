import { describe, expect, test } from 'vitest';
import {
  certificateState,
  matchingPattern,
  mtaStsCoverage,
  mxPatternMatches,
  parseMtaStsPolicy,
} from '../../src/posture/mta-sts-policy.js';
import type { Port25Evidence } from '../../src/posture/transport-types.js';
import { aCertificate, aCertificateValidFor } from '../helpers/probe-builders.js';

const GOOD =
  'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.backup.example.com\r\nmax_age: 86400\r\n';

describe('parseMtaStsPolicy()', () => {
  test('a policy with CRLF lines', () => {
    expect(parseMtaStsPolicy(GOOD)).toEqual({
      mode: 'enforce',
      maxAge: 86400,
      mx: ['mail.example.com', '*.backup.example.com'],
      problems: [],
    });
  });

  test.each([
    ['LF lines (the ABNF allows them)', 'version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 604800'],
    ['fields in another order', 'mode: testing\nmax_age: 604800\nmx: mx.example.com\nversion: STSv1\n'],
    ['no space after the colon', 'version:STSv1\nmode:testing\nmx:mx.example.com\nmax_age:604800\n'],
    [
      'an unknown key (an extension, ignored)',
      'version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 604800\nx-note: hi\n',
    ],
    ['a blank line at the end', 'version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 604800\n\n'],
    [
      'an mx in capitals with a trailing dot',
      'version: STSv1\nmode: testing\nmx: MX.Example.COM.\nmax_age: 604800\n',
    ],
  ])('%s', (_, text) => {
    const policy = parseMtaStsPolicy(text);
    expect(policy.problems).toEqual([]);
    expect(policy.mode).toBe('testing');
    expect(policy.maxAge).toBe(604800);
    expect(policy.mx).toHaveLength(1);
  });

  test('mode none needs no mx', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 86400\n')).toEqual({
      mode: 'none',
      maxAge: 86400,
      mx: [],
      problems: [],
    });
  });

  test.each([
    ['mode: enforce\nmx: a.example.com\nmax_age: 1', 'no version line: a policy says version: STSv1'],
    [
      'version: STSv2\nmode: enforce\nmx: a.example.com\nmax_age: 1',
      'version: STSv2: STSv1 is the only version',
    ],
    [
      'version: STSv1\nmx: a.example.com\nmax_age: 1',
      'no mode line: a policy says mode: enforce, testing or none',
    ],
    [
      'version: STSv1\nmode: Enforce\nmx: a.example.com\nmax_age: 1',
      'mode: Enforce: must be enforce, testing or none (lower case)',
    ],
    [
      'version: STSv1\nmode: enforce\nmx: a.example.com',
      'no max_age line: a policy says how many seconds senders may cache it',
    ],
    [
      'version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1d',
      'max_age: 1d: must be a whole number of seconds',
    ],
    [
      'version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: -1',
      'max_age: -1: must be a whole number of seconds',
    ],
    [
      'version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 31557601',
      'max_age: 31557601: at most 31557600 seconds (a year)',
    ],
    [
      'version: STSv1\nmode: enforce\nmax_age: 86400',
      'no mx line: a policy names the MX hosts senders may deliver to (only mode none goes without)',
    ],
    [
      'version: STSv1\nmode: enforce\nmx: mail.*.example.com\nmax_age: 86400',
      'mx: mail.*.example.com is not a host name or *.domain pattern',
    ],
    [
      'version: STSv1\nmode: enforce\nmode: testing\nmx: a.example.com\nmax_age: 86400',
      'line 3: mode is given twice (the first one counts)',
    ],
    [
      'version: STSv1\nMode: enforce\nmx: a.example.com\nmax_age: 86400',
      'line 2: "Mode" is written mode (keys are lower case)',
    ],
    [
      'version: STSv1\nmode enforce\nmx: a.example.com\nmax_age: 86400',
      'line 2: "mode enforce" is not a key: value line',
    ],
    [
      'version: STSv1\nmode : enforce\nmx: a.example.com\nmax_age: 86400',
      'line 2: "mode " is not a key (no spaces before ":")',
    ],
    ['version: STSv1\nmode: enforce\nmx:\nmax_age: 86400', 'line 3: mx has no value'],
  ])('%j: %s', (text, problem) => {
    expect(parseMtaStsPolicy(text).problems).toContain(problem);
  });

  test('an HTML page served instead of a policy gives a few problems, not thousands', () => {
    const html = `<html>\n${'<p>hello</p>\n'.repeat(5000)}</html>`;
    const problems = parseMtaStsPolicy(html).problems;
    expect(problems).toHaveLength(21);
    expect(problems.at(-1)).toMatch(/^… and \d+ more problems$/);
  });
});

describe('mxPatternMatches() (RFC 8461 §4.1)', () => {
  test.each([
    ['mail.example.com', 'mail.example.com', true],
    ['mail.example.com', 'MAIL.Example.com.', true],
    ['mail.example.com.', 'mail.example.com', true],
    ['mail.example.com', 'mail2.example.com', false],
    ['mail.example.com', 'a.mail.example.com', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'A.EXAMPLE.COM.', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'aexample.com', false],
    ['*.example.com', '.example.com', false],
    ['*.mail.protection.outlook.com', 'contoso-com.mail.protection.outlook.com', true],
  ])('%s matches %s: %s', (pattern, host, expected) => {
    expect(mxPatternMatches(pattern, host)).toBe(expected);
  });

  test('matchingPattern() names the first pattern that matches', () => {
    expect(matchingPattern(['mx1.example.com', '*.example.com'], 'mx2.example.com')).toBe('*.example.com');
    expect(matchingPattern(['*.example.com'], 'a.b.example.com')).toBeNull();
  });
});

function evidence(overrides: Partial<Port25Evidence> = {}): Port25Evidence {
  return {
    exchange: 'mail.example.com',
    address: '192.0.2.25',
    port: 25,
    class: 'open-starttls',
    greetingName: 'mail.example.com',
    ehloName: 'mail.example.com',
    tls: true,
    certificate: aCertificate({ subjectAltNames: ['mail.example.com'] }),
    ...overrides,
  };
}

describe('certificateState() (RFC 8461 §4.2)', () => {
  test.each([
    ['a trusted certificate for the name, in date', evidence(), 'valid'],
    [
      'a certificate for another name',
      evidence({ certificate: aCertificate({ hostnameMatches: false }) }),
      'name-mismatch',
    ],
    [
      'a self-signed certificate',
      evidence({
        certificate: aCertificate({
          trusted: false,
          selfSigned: true,
          verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        }),
      }),
      'untrusted',
    ],
    [
      'an expired certificate (which the chain check refuses too)',
      evidence({ certificate: aCertificateValidFor(-3) }),
      'expired',
    ],
    ['a date no one can read', evidence({ certificate: aCertificate({ daysLeft: Number.NaN }) }), 'expired'],
    ['no STARTTLS', evidence({ class: 'no-starttls', tls: false, certificate: null }), 'no-tls'],
    [
      'a failed handshake',
      evidence({ class: 'tls-handshake-failed', tls: false, certificate: null }),
      'no-tls',
    ],
    [
      'port 25 filtered on our side',
      evidence({ class: 'filtered', tls: false, certificate: null }),
      'not-probed',
    ],
    ['not probed', evidence({ class: 'not-probed', tls: false, certificate: null }), 'not-probed'],
    ['no evidence', undefined, 'not-probed'],
  ])('%s → %s', (_, seen, expected) => {
    expect(certificateState(seen)).toBe(expected);
  });
});

describe('mtaStsCoverage()', () => {
  test('each MX host: its pattern and its certificate as our probe saw it', () => {
    const policy = parseMtaStsPolicy(GOOD);
    const coverage = mtaStsCoverage(
      policy,
      ['mail.example.com', 'b1.backup.example.com', 'x.y.backup.example.com', 'other.example.net'],
      [
        evidence({ exchange: 'MAIL.example.com.' }),
        evidence({
          exchange: 'b1.backup.example.com',
          certificate: aCertificate({ hostnameMatches: false }),
        }),
        evidence({ exchange: 'x.y.backup.example.com' }),
      ],
    );
    expect(coverage).toEqual([
      { exchange: 'mail.example.com', pattern: 'mail.example.com', certificate: 'valid' },
      { exchange: 'b1.backup.example.com', pattern: '*.backup.example.com', certificate: 'name-mismatch' },
      { exchange: 'x.y.backup.example.com', pattern: null, certificate: 'valid' },
      { exchange: 'other.example.net', pattern: null, certificate: 'not-probed' },
    ]);
  });
});
