import { describe, expect, test } from 'vitest';
import { parseSpfRecord } from '../../src/posture/spf/parse-spf-record.js';

describe('parseSpfRecord()', () => {
  test('reads every kind of term, with qualifiers, targets and CIDR lengths', () => {
    const { terms, error } = parseSpfRecord(
      'v=spf1 +a -mx:mail.example.com/24//64 ~ptr ?ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net exists:%{i}.x.example.com redirect=other.example exp=why.example.com foo=bar',
    );
    expect(error).toBeUndefined();
    expect(
      terms.map((term) => [term.kind, term.qualifier, term.domainSpec ?? term.network, term.macro]),
    ).toEqual([
      ['a', '+', undefined, false],
      ['mx', '-', 'mail.example.com', false],
      ['ptr', '~', undefined, false],
      ['ip4', '?', '192.0.2.0/24', false],
      ['ip6', '+', '2001:db8::/32', false],
      ['include', '+', '_spf.example.net', false],
      ['exists', '+', '%{i}.x.example.com', true],
      ['redirect', undefined, 'other.example', false],
      ['exp', undefined, 'why.example.com', false],
      ['modifier', undefined, undefined, false],
    ]);
    expect(terms[1]).toMatchObject({ cidr4: 24, cidr6: 64 });
    expect(terms[0]).toMatchObject({ cidr4: 32, cidr6: 128 });
    expect(terms[3]).toMatchObject({ prefix: 24, address: { family: 4 } });
    expect(terms[9]).toMatchObject({ name: 'foo', text: 'foo=bar' });
  });

  test('names are case-insensitive and extra spaces separate nothing', () => {
    const { terms, error } = parseSpfRecord('V=SPF1   A/24//64   Include:Example.COM    -ALL ');
    expect(error).toBeUndefined();
    expect(terms.map((term) => term.kind)).toEqual(['a', 'include', 'all']);
    expect(terms[0]).toMatchObject({ cidr4: 24, cidr6: 64 });
    expect(terms[2]).toMatchObject({ qualifier: '-', text: '-ALL' });
  });

  test('a//64 sets only the IPv6 length, mx/0 only the IPv4 one', () => {
    const { terms } = parseSpfRecord('v=spf1 a//64 mx/0');
    expect(terms[0]).toMatchObject({ cidr4: 32, cidr6: 64 });
    expect(terms[1]).toMatchObject({ cidr4: 0, cidr6: 128 });
  });

  test.each([
    ['v=spf1 foo -all', 'foo', /unknown mechanism/],
    ['v=spf1 mxx -all', 'mxx', /unknown mechanism/],
    ['v=spf1 =a -all', '=a', /bad qualifier/],
    ['v=spf1 !all', '!all', /bad qualifier/],
    ['v=spf1 ++all', '++all', /bad qualifier/],
    ['v=spf1 -all:foo.com', '-all:foo.com', /no argument/],
    ['v=spf1 ip4:192.0.2.0/33', 'ip4:192.0.2.0/33', /CIDR/],
    ['v=spf1 ip4:192.0.2.0/08', 'ip4:192.0.2.0/08', /CIDR/],
    ['v=spf1 ip4:192.0.2.0//64', 'ip4:192.0.2.0//64', /CIDR/],
    ['v=spf1 ip4:192.0.2.256', 'ip4:192.0.2.256', /not an IPv4/],
    ['v=spf1 ip4:192.0.02.1', 'ip4:192.0.02.1', /not an IPv4/],
    ['v=spf1 ip4', 'ip4', /needs ":"/],
    ['v=spf1 ip6:2001:db8::/129', 'ip6:2001:db8::/129', /CIDR/],
    ['v=spf1 ip6:2001:db8:zz::', 'ip6:2001:db8:zz::', /not an IPv6/],
    ['v=spf1 ip6:192.0.2.1', 'ip6:192.0.2.1', /not an IPv6/],
    ['v=spf1 a/33', 'a/33', /IPv4 CIDR/],
    ['v=spf1 a:example.com/24//129', 'a:example.com/24//129', /IPv6 CIDR/],
    ['v=spf1 mx/x', 'mx/x', /CIDR/],
    ['v=spf1 ptr/24', 'ptr/24', /no CIDR/],
    ['v=spf1 include', 'include', /needs ":"/],
    ['v=spf1 include:', 'include:', /empty domain-spec/],
    ['v=spf1 exists', 'exists', /needs ":"/],
    ['v=spf1 a:', 'a:', /empty domain-spec/],
    ['v=spf1 include:localhost', 'include:localhost', /top label/],
    ['v=spf1 a:192.0.2.1', 'a:192.0.2.1', /top label/],
    ['v=spf1 a:example.com:8080', 'a:example.com:8080', /top label/],
    ['v=spf1 include:exam ple.com', 'include:exam', /top label/],
    ['v=spf1 include:%{z}.example.com', 'include:%{z}.example.com', /unknown macro/],
    ['v=spf1 include:%{c}.example.com', 'include:%{c}.example.com', /explanations only/],
    ['v=spf1 exists:%{i0}.example.com', 'exists:%{i0}.example.com', /zero parts/],
    ['v=spf1 exists:%x.example.com', 'exists:%x.example.com', /"%" must start/],
    ['v=spf1 exists:%{i.example.com', 'exists:%{i.example.com', /unterminated/],
    ['v=spf1 redirect=a.example redirect=b.example', 'redirect=b.example', /only once/],
    ['v=spf1 exp=a.example.com exp=b.example.com', 'exp=b.example.com', /only once/],
    ['v=spf1 redirect=', 'redirect=', /empty domain-spec/],
    ['v=spf1 foo=%{q}', 'foo=%{q}', /unknown macro/],
    ['v=spf1 include:ex\u00e4mple.com', 'include:ex\u00e4mple.com', /not allowed/],
  ])('%s: a syntax error naming %s', (record, term, message) => {
    const { error } = parseSpfRecord(record);
    expect(error?.term).toBe(term);
    expect(error?.message).toMatch(message);
  });

  test('the first refused term is reported, and the others are still read', () => {
    const parsed = parseSpfRecord('v=spf1 a bogus ip4:1.2.3.4/99 -all');
    expect(parsed.error?.term).toBe('bogus');
    expect(parsed.terms.map((term) => term.text)).toEqual(['a', '-all']);
  });

  test('unknown modifiers and domain-specs ending in a macro or a dot are fine', () => {
    const parsed = parseSpfRecord(
      'v=spf1 a:mail.example.com. exists:%{l}.%{d} match.sub-domains_9=yes moo= -all',
    );
    expect(parsed.error).toBeUndefined();
    expect(parsed.terms.map((term) => term.kind)).toEqual(['a', 'exists', 'modifier', 'modifier', 'all']);
  });
});
