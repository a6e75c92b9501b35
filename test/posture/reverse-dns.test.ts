import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns, reverseName } from '../../src/posture/dns.js';
import { gatherReverseDns, greetingConsistency } from '../../src/posture/reverse-dns.js';
import type { Port25Evidence } from '../../src/posture/transport-types.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

/** What our port-25 probe saw at one address; each test states the names it gave. */
function seen(address: string, overrides: Partial<Port25Evidence> = {}): Port25Evidence {
  return {
    exchange: 'mx.receiver.test',
    address,
    port: 25,
    class: 'open-starttls',
    greetingName: 'mx.receiver.test',
    ehloName: 'mx.receiver.test',
    tls: true,
    certificate: null,
    ...overrides,
  };
}

describe('gatherReverseDns()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      // 192.0.2.10: PTR and A agree (FCrDNS), the name a server would greet with.
      [reverseName('192.0.2.10')]: { PTR: ['Out1.Receiver.Test.'] },
      'out1.receiver.test': { A: ['192.0.2.10'] },
      // 192.0.2.11: the PTR name points elsewhere.
      [reverseName('192.0.2.11')]: { PTR: ['liar.receiver.test'] },
      'liar.receiver.test': { A: ['192.0.2.99'] },
      // 192.0.2.12: no PTR at all.
      // 192.0.2.13: a provider-style PTR unrelated to the greeting's name.
      [reverseName('192.0.2.13')]: { PTR: ['mx-in-f26.1e100.test'] },
      'mx-in-f26.1e100.test': { A: ['192.0.2.13'] },
      // 192.0.2.14: the PTR lookup fails.
      [reverseName('192.0.2.14')]: { rcode: 'SERVFAIL' },
      // 2001:db8::25: IPv6, confirmed by AAAA (spelled differently).
      [reverseName('2001:db8::25')]: { PTR: ['v6.receiver.test'] },
      'v6.receiver.test': { AAAA: ['2001:0db8:0:0::25'], A: ['192.0.2.10'] },
      // The sending address.
      [reverseName('198.51.100.7')]: { PTR: ['mail.sender.test'] },
      'mail.sender.test': { A: ['198.51.100.7'] },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });
  const one = async (address: string, evidence: Port25Evidence[], exchange = 'mx.receiver.test') => {
    const facts = await gatherReverseDns(dns(), { mxHosts: [{ exchange, addresses: [address] }], evidence });
    expect(facts.addresses).toHaveLength(1);
    return facts.addresses[0]!;
  };

  test('FCrDNS ok: the PTR name resolves back to the address; a greeting with that name is consistent', async () => {
    const evidence = [
      seen('192.0.2.10', { greetingName: 'out1.receiver.test', ehloName: 'OUT1.receiver.test.' }),
    ];
    expect(await one('192.0.2.10', evidence)).toEqual({
      address: '192.0.2.10',
      role: 'mx',
      exchange: 'mx.receiver.test',
      ptr: ['out1.receiver.test'],
      forwardConfirmed: true,
      greetingName: 'out1.receiver.test',
      ehloName: 'OUT1.receiver.test.',
      greetingConsistent: true,
    });
  });

  test('FCrDNS mismatch: the PTR name resolves to another address', async () => {
    expect(await one('192.0.2.11', [])).toMatchObject({
      ptr: ['liar.receiver.test'],
      forwardConfirmed: false,
    });
  });

  test('PTR missing: no names, not confirmed, and no greeting verdict (ptr-missing says it)', async () => {
    const facts = await one('192.0.2.12', [seen('192.0.2.12', { greetingName: 'other.example' })]);
    expect(facts).toMatchObject({ ptr: [], forwardConfirmed: false, greetingConsistent: null });
    expect(facts.lookupError).toBeUndefined();
  });

  test('an unanswered PTR question is a lookup error, not a missing PTR', async () => {
    const facts = await one('192.0.2.14', []);
    expect(facts).toMatchObject({ ptr: [], forwardConfirmed: false, greetingConsistent: null });
    expect(facts.lookupError).toContain('in-addr.arpa');
  });

  test('a greeting with the MX host name is consistent, even when the PTR says another name', async () => {
    const evidence = [seen('192.0.2.11', { greetingName: 'MX.receiver.test', ehloName: null })];
    expect(await one('192.0.2.11', evidence)).toMatchObject({ greetingConsistent: true });
  });

  test('greeting mismatch: a name that is neither a PTR name nor the MX name', async () => {
    const evidence = [
      seen('192.0.2.10', { greetingName: 'mail.elsewhere.test', ehloName: 'out1.receiver.test' }),
    ];
    expect(await one('192.0.2.10', evidence)).toMatchObject({
      greetingName: 'mail.elsewhere.test',
      greetingConsistent: false,
    });
  });

  test('EHLO mismatch: the greeting agrees, the EHLO name does not', async () => {
    const evidence = [
      seen('192.0.2.10', { greetingName: 'out1.receiver.test', ehloName: 'localhost.localdomain' }),
    ];
    expect(await one('192.0.2.10', evidence)).toMatchObject({ greetingConsistent: false });
  });

  test('strict by design: a provider greeting that only shares an owner with the PTR is reported as such', async () => {
    const evidence = [
      seen('192.0.2.13', { exchange: 'aspmx.receiver.test', greetingName: 'mx.google.test' }),
    ];
    expect(await one('192.0.2.13', evidence, 'aspmx.receiver.test')).toMatchObject({
      ptr: ['mx-in-f26.1e100.test'],
      forwardConfirmed: true,
      greetingConsistent: false,
    });
  });

  test('no evidence at the address: nothing to compare, no names recorded', async () => {
    const facts = await one('192.0.2.10', [seen('192.0.2.99', { greetingName: 'mail.elsewhere.test' })]);
    expect(facts.greetingConsistent).toBeNull();
    expect(facts).not.toHaveProperty('greetingName');
    expect(facts).not.toHaveProperty('ehloName');
  });

  test('a server that gave no name (filtered, or a silent greeting) is not a mismatch', async () => {
    const evidence = [
      seen('192.0.2.10', { class: 'filtered', greetingName: null, ehloName: null, tls: false }),
    ];
    expect(await one('192.0.2.10', evidence)).toMatchObject({
      greetingName: null,
      ehloName: null,
      greetingConsistent: null,
    });
  });

  test('an address literal greeting is not compared; the EHLO name still is', async () => {
    const literal = [seen('192.0.2.10', { greetingName: '[192.0.2.10]', ehloName: null })];
    expect(await one('192.0.2.10', literal)).toMatchObject({ greetingConsistent: null });
    const withEhlo = [seen('192.0.2.10', { greetingName: '[192.0.2.10]', ehloName: 'mail.elsewhere.test' })];
    expect(await one('192.0.2.10', withEhlo)).toMatchObject({ greetingConsistent: false });
  });

  test('IPv6: AAAA confirms, and the evidence is found whatever the spelling', async () => {
    const evidence = [
      seen('2001:0DB8:0000::25', { greetingName: 'v6.receiver.test', ehloName: 'v6.receiver.test' }),
    ];
    expect(await one('2001:db8::25', evidence)).toMatchObject({
      ptr: ['v6.receiver.test'],
      forwardConfirmed: true,
      greetingConsistent: true,
    });
    expect(server.queries).toContain('v6.receiver.test AAAA');
  });

  test("the sending address comes first, then each MX host's addresses in order", async () => {
    const facts = await gatherReverseDns(dns(), {
      sendingIp: '198.51.100.7',
      mxHosts: [
        { exchange: 'mx1.receiver.test', addresses: ['192.0.2.10', '2001:db8::25'] },
        { exchange: 'mx2.receiver.test', addresses: ['192.0.2.11'] },
      ],
      evidence: [
        seen('192.0.2.11', {
          exchange: 'mx2.receiver.test',
          greetingName: 'mx2.receiver.test',
          ehloName: 'mx2.receiver.test',
        }),
      ],
    });
    expect(facts.addresses.map((entry) => [entry.role, entry.exchange, entry.address])).toEqual([
      ['sending', undefined, '198.51.100.7'],
      ['mx', 'mx1.receiver.test', '192.0.2.10'],
      ['mx', 'mx1.receiver.test', '2001:db8::25'],
      ['mx', 'mx2.receiver.test', '192.0.2.11'],
    ]);
    expect(facts.addresses[0]).toEqual({
      address: '198.51.100.7',
      role: 'sending',
      ptr: ['mail.sender.test'],
      forwardConfirmed: true,
      greetingConsistent: null,
    });
    expect(facts.addresses[3]).toMatchObject({ greetingConsistent: true });
  });

  test('an address shared by two MX hosts: the probe of either host is used, and either name agrees', async () => {
    const facts = await gatherReverseDns(dns(), {
      mxHosts: [
        { exchange: 'mx1.receiver.test', addresses: ['192.0.2.11'] },
        { exchange: 'mx2.receiver.test', addresses: ['192.0.2.11'] },
      ],
      evidence: [
        seen('192.0.2.11', {
          exchange: 'mx2.receiver.test',
          greetingName: 'mx2.receiver.test',
          ehloName: 'mx2.receiver.test',
        }),
      ],
    });
    expect(facts.addresses.map((entry) => [entry.exchange, entry.greetingConsistent])).toEqual([
      ['mx1.receiver.test', true],
      ['mx2.receiver.test', true],
    ]);
  });

  test('bounded: at most 5 MX hosts and 4 addresses each', async () => {
    const hosts = Array.from({ length: 7 }, (_, host) => ({
      exchange: `mx${host}.receiver.test`,
      addresses: Array.from({ length: 6 }, (_, index) => `192.0.2.${100 + host * 10 + index}`),
    }));
    const facts = await gatherReverseDns(dns(), { mxHosts: hosts, evidence: [] });
    expect(facts.addresses).toHaveLength(20);
    expect(new Set(facts.addresses.map((entry) => entry.exchange)).size).toBe(5);
  });
});

describe('greetingConsistency()', () => {
  const ptr = ['out1.receiver.test'];

  test.each([
    ['the PTR name', { greetingName: 'out1.receiver.test' }, true],
    ['the MX name, case and trailing dot aside', { greetingName: 'MX.Receiver.Test.' }, true],
    ['another name', { greetingName: 'smtp.elsewhere.test' }, false],
    [
      'an EHLO name that differs',
      { greetingName: 'out1.receiver.test', ehloName: 'smtp.elsewhere.test' },
      false,
    ],
    ['a banner word instead of a name', { greetingName: 'ESMTP' }, null],
    ['a masked greeting', { greetingName: '**********' }, null],
    ['an IPv6 literal', { greetingName: '[IPv6:2001:db8::25]' }, null],
    ['a bare address', { greetingName: '192.0.2.10' }, null],
    ['no names', { greetingName: null, ehloName: null }, null],
  ])('%s', (_, names, expected) => {
    expect(greetingConsistency(names, ptr, ['mx.receiver.test'])).toBe(expected);
  });

  test('no PTR: nothing to compare against, whatever the names', () => {
    expect(greetingConsistency({ greetingName: 'smtp.elsewhere.test' }, [], ['mx.receiver.test'])).toBeNull();
  });
});
