import { describe, expect, test } from 'vitest';
import { parseIpAddress } from '../../src/posture/spf/ip-in-network.js';
import {
  type SpfMacroContext,
  expandSpfMacros,
  expandedDomainName,
  scanDomainSpec,
  scanMacroString,
  splitSender,
} from '../../src/posture/spf/spf-macros.js';

const context = (ip: string, sender = 'strong-bad@email.example.com'): SpfMacroContext => ({
  sender,
  domain: 'email.example.com',
  ip: parseIpAddress(ip)!,
  helo: 'mx.example.org',
  now: () => 1_700_000_000.7,
});

describe('expandSpfMacros()', () => {
  // RFC 7208 §7.4's examples.
  test.each([
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    ['%{h}', 'mx.example.org'],
    ['%{p}', 'unknown'],
    ['%{c}', '192.0.2.3'],
    ['%{t}', '1700000000'],
    ['%{d200}', 'email.example.com'],
    ['%%%_%-', '% %20'],
    ['%{S}', 'strong-bad%40email.example.com'],
    ['%{L}', 'strong-bad'],
    ['%{l+}', 'strong-bad'],
  ])('%s expands to %s', (macro, expected) => {
    expect(expandSpfMacros(macro, context('192.0.2.3'))).toBe(expected);
  });

  test('IPv6: nibbles for %{i}, ip6 for %{v}, compressed for %{c}', () => {
    const ctx = context('2001:db8::cb01');
    expect(expandSpfMacros('%{ir}.%{v}._spf.%{d2}', ctx)).toBe(
      '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com',
    );
    expect(expandSpfMacros('%{c}', ctx)).toBe('2001:db8::cb01');
  });

  test('an IPv4-mapped client is IPv4', () => {
    expect(expandSpfMacros('%{i}.%{v}', context('::ffff:192.0.2.3'))).toBe('192.0.2.3.in-addr');
  });

  test('uppercase letters URL-escape the value', () => {
    expect(expandSpfMacros('%{L}', context('192.0.2.3', 'a b/c@example.com'))).toBe('a%20b%2Fc');
  });

  test('a sender without a local part is postmaster', () => {
    expect(splitSender('@example.com')).toEqual({ localPart: 'postmaster', domain: 'example.com' });
    expect(splitSender('example.com')).toEqual({ localPart: 'postmaster', domain: 'example.com' });
    expect(expandSpfMacros('%{l}', context('192.0.2.3', '@example.com'))).toBe('postmaster');
  });
});

describe('scanMacroString() and scanDomainSpec()', () => {
  test.each([
    ['example.com', true, false],
    ['%{d}', true, true],
    ['%{ir}.%{v}._spf.%{d2}', true, true],
    ['foo.%{d}', true, true],
    ['_spf.example.com.', true, false],
    ['%{c}.example.com', false, true],
    ['example', false, false],
    ['example.123', false, false],
    ['ex ample.com', false, false],
    ['%{d}.example.c-m', true, true],
  ])('domain-spec %s: valid %s', (spec, valid, macros) => {
    const scan = scanDomainSpec(spec);
    expect(scan.ok).toBe(valid);
    if (scan.ok) expect(scan.hasMacros).toBe(macros);
  });

  test('explanations may use c, r, t and spaces', () => {
    expect(scanMacroString('%{c} is not allowed for %{d}, at %{t}', { explanation: true }).ok).toBe(true);
    expect(scanMacroString('%{c}').ok).toBe(false);
  });
});

describe('expandedDomainName()', () => {
  test('drops a trailing dot and lowers case', () => {
    expect(expandedDomainName('Mail.Example.COM.')).toBe('mail.example.com');
  });

  test('cuts labels from the left past 253 characters (§7.3)', () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(20)}.example.com`;
    const name = expandedDomainName(long)!;
    expect(long.length).toBeGreaterThan(253);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name.startsWith('b')).toBe(true);
  });

  test('an empty or too long label is no DNS name', () => {
    expect(expandedDomainName('a..example.com')).toBeNull();
    expect(expandedDomainName(`${'x'.repeat(64)}.example.com`)).toBeNull();
  });
});
