import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherSpf } from '../../src/posture/spf/gather-spf.js';
import { type SpfZone, startSpfZone } from '../helpers/spf-zone.js';

// With --ip: a receiver's evaluation of one address, short-circuiting at the first match.

let zone: SpfZone;

beforeAll(async () => {
  zone = await startSpfZone({
    'example.com': {
      TXT: [
        'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8:1::/48 a:web.example.com/30//64 mx include:_spf.provider.example ~ip4:203.0.113.0/24 ?ip4:198.51.100.0/24 -all exp=why.example.com',
      ],
      MX: [{ exchange: 'mx.example.com', priority: 10 }],
    },
    'web.example.com': { A: ['192.0.2.200', '198.18.0.5'], AAAA: ['2001:db8:2::5'] },
    'mx.example.com': { A: ['198.18.1.1'], AAAA: ['2001:db8:3::1'] },
    '_spf.provider.example': { TXT: ['v=spf1 ip4:100.64.0.0/10 ip6:2001:db8:4::/64 -all'] },
    'why.example.com': { TXT: ["%{i} is not one of %{d}'s senders"] },
    'neutral.example': { TXT: ['v=spf1 ip4:192.0.2.1'] },
    'none.example': { TXT: ['hello'] },
    'broken.example': { TXT: ['v=spf1 include:servfail.example -all'] },
    'servfail.example': { rcode: 'SERVFAIL' },
    'perm.example': { TXT: ['v=spf1 ip4:192.0.2.1 include:nospf.example -all'] },
    'nospf.example': { TXT: ['not spf'] },
    'mapped.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 -all'] },
    'ptr.example': { TXT: ['v=spf1 ptr:mail.ptr.example -all'] },
    '7.2.0.192.in-addr.arpa': { PTR: ['out.mail.ptr.example', 'liar.mail.ptr.example'] },
    '8.2.0.192.in-addr.arpa': { PTR: ['liar.mail.ptr.example'] },
    'out.mail.ptr.example': { A: ['192.0.2.7'] },
    'liar.mail.ptr.example': { A: ['192.0.2.99'] },
    'macro.example': { TXT: ['v=spf1 exists:%{ir}.allow.macro.example -all'] },
    '9.2.0.192.allow.macro.example': { A: ['127.0.0.2'] },
    'redirect.example': { TXT: ['v=spf1 ip4:192.0.2.50 redirect=example.com'] },
  });
});

afterAll(() => zone.close());

const evaluate = async (domain: string, ip: string) => (await gatherSpf(zone.dns(), domain, { ip })).result!;

describe('gatherSpf() with an address', () => {
  test.each([
    ['192.0.2.10', 'pass', 'ip4:192.0.2.0/24', 'example.com'],
    ['2001:db8:1::25', 'pass', 'ip6:2001:db8:1::/48', 'example.com'],
    ['192.0.2.201', 'pass', 'ip4:192.0.2.0/24', 'example.com'],
    ['198.18.0.6', 'pass', 'a:web.example.com/30//64', 'example.com'],
    ['198.18.0.9', 'fail', '-all', 'example.com'],
    ['2001:db8:2::ffff', 'pass', 'a:web.example.com/30//64', 'example.com'],
    ['198.18.1.1', 'pass', 'mx', 'example.com'],
    ['2001:db8:3::1', 'pass', 'mx', 'example.com'],
    ['100.100.1.1', 'pass', 'ip4:100.64.0.0/10', '_spf.provider.example'],
    ['2001:db8:4::9', 'pass', 'ip6:2001:db8:4::/64', '_spf.provider.example'],
    ['203.0.113.9', 'softfail', '~ip4:203.0.113.0/24', 'example.com'],
    ['198.51.100.9', 'neutral', '?ip4:198.51.100.0/24', 'example.com'],
    ['::ffff:192.0.2.10', 'pass', 'ip4:192.0.2.0/24', 'example.com'],
    ['2001:db8:5::1', 'fail', '-all', 'example.com'],
  ])('%s: %s, decided by %s in %s', async (ip, result, term, domain) => {
    const evaluation = await evaluate('example.com', ip);
    expect(evaluation.result).toBe(result);
    expect(evaluation.decidedBy).toEqual({ domain, term });
  });

  test('an include that passes: the path runs to the included record', async () => {
    const evaluation = await evaluate('example.com', '100.64.0.1');
    expect(evaluation.path).toEqual(['example.com', '_spf.provider.example']);
    expect(evaluation.lookups).toBe(3);
  });

  test('a fail carries the exp= explanation, macros expanded', async () => {
    const evaluation = await evaluate('example.com', '198.18.0.9');
    expect(evaluation.explanation).toBe("198.18.0.9 is not one of example.com's senders");
    expect(evaluation.path).toEqual(['example.com']);
    expect(evaluation.sender).toBe('postmaster@example.com');
  });

  test('a softfail carries no explanation', async () => {
    expect((await evaluate('example.com', '203.0.113.9')).explanation).toBeUndefined();
  });

  test('an IPv6 client never matches ip4, and an IPv4 one never matches ip6', async () => {
    expect((await evaluate('mapped.example', '2001:db8::c000:20a')).result).toBe('fail');
    expect((await evaluate('example.com', '32.1.13.184')).result).toBe('fail');
  });

  test('nothing matching and no all: neutral, decided by nothing', async () => {
    const evaluation = await evaluate('neutral.example', '192.0.2.2');
    expect(evaluation).toMatchObject({ result: 'neutral', decidedBy: null });
  });

  test('no record: none', async () => {
    expect((await evaluate('none.example', '192.0.2.2')).result).toBe('none');
  });

  test('an include whose lookup fails: temperror', async () => {
    const evaluation = await evaluate('broken.example', '192.0.2.2');
    expect(evaluation.result).toBe('temperror');
    expect(evaluation.error?.kind).toBe('temperror');
  });

  test('a permerror after a term that does not match, but not when an earlier one does', async () => {
    expect((await evaluate('perm.example', '192.0.2.2')).result).toBe('permerror');
    expect((await evaluate('perm.example', '192.0.2.1')).result).toBe('pass');
  });

  test('ptr matches a validated name under the target, not a name that does not point back', async () => {
    expect((await evaluate('ptr.example', '192.0.2.7')).result).toBe('pass');
    expect((await evaluate('ptr.example', '192.0.2.8')).result).toBe('fail');
  });

  test('macros are expanded with the address', async () => {
    expect((await evaluate('macro.example', '192.0.2.9')).result).toBe('pass');
    expect((await evaluate('macro.example', '192.0.2.10')).result).toBe('fail');
  });

  test('redirect: the target decides, and the path says so', async () => {
    const evaluation = await evaluate('redirect.example', '192.0.2.10');
    expect(evaluation).toMatchObject({ result: 'pass', path: ['redirect.example', 'example.com'] });
    expect(evaluation.decidedBy).toEqual({ domain: 'example.com', term: 'ip4:192.0.2.0/24' });
  });

  test('the evaluation stops at the 11th lookup: permerror even though a later term would match', async () => {
    const hosts = Array.from({ length: 11 }, (_, n) => `a:h${n}.limit.example`).join(' ');
    for (let n = 0; n < 11; n += 1) zone.server.set(`h${n}.limit.example`, { A: [`10.0.0.${n}`] });
    zone.server.set('limit.example', { TXT: [`v=spf1 ${hosts} ip4:192.0.2.0/24 -all`] });
    const facts = await gatherSpf(zone.dns(), 'limit.example', { ip: '192.0.2.1' });
    expect(facts.result).toMatchObject({
      result: 'permerror',
      lookups: 11,
      error: { kind: 'too-many-lookups' },
    });
    expect(facts.result?.decidedBy).toBeNull();
  });

  test('the evaluation asks little the tree walk has not asked already', async () => {
    const dns = zone.dns();
    const facts = await gatherSpf(dns, 'example.com', { ip: '100.64.0.1' });
    expect(facts.result?.result).toBe('pass');
    const asked = dns.queries().log.map((entry) => `${entry.name} ${entry.type}`);
    expect(new Set(asked).size).toBe(asked.length);
  });
});
