import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns, reverseName } from '../../src/posture/dns.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

// Every question goes to a DNS server on 127.0.0.1 that answers from a table as a recursive
// resolver would; its log says what node:dns really sent, and over which transport.
let dns: TestDnsServer;
const long = (letter: string) => letter.repeat(300);

beforeAll(async () => {
  dns = await startDnsServer({
    'example.test': {
      TXT: [['v=spf1 include:_spf.example.test ', '~all'], 'google-site-verification=abc'],
      MX: [{ exchange: 'mail.example.test', priority: 10 }],
      A: ['192.0.2.10'],
    },
    'big.example.test': { TXT: [long('a'), long('b'), long('c')] },
    'alias.example.test': { CNAME: 'target.example.test' },
    'target.example.test': {
      TXT: ['v=DKIM1; k=rsa; p=MIIB'],
      MX: [{ exchange: 'mx.target.example.test', priority: 5 }],
    },
    'dangling.example.test': { CNAME: 'gone.example.test' },
    'address-only.example.test': { A: ['192.0.2.20'] },
    'null-mx.example.test': { MX: [{ exchange: '.', priority: 0 }] },
    'v6.example.test': { AAAA: ['2001:db8::25'] },
    'servfail.example.test': { rcode: 'SERVFAIL' },
    'refused.example.test': { rcode: 'REFUSED' },
    'silent.example.test': { silent: true },
    [reverseName('203.0.113.5')]: { PTR: ['mail.example.test'] },
    [reverseName('2001:db8::25')]: { PTR: ['v6.example.test'] },
  });
});

afterAll(async () => {
  await dns?.close();
});

function postureDns(options: { budget?: number; now?: () => number } = {}) {
  return createPostureDns({ servers: [dns.server], timeoutMs: 300, tries: 1, ...options });
}

/** What the server received for one question, in order. */
function received(name: string, type: string) {
  return dns.log.filter((entry) => entry.name === name && entry.type === type);
}

describe('createPostureDns()', () => {
  test('keeps the character-strings of each TXT record apart', async () => {
    expect(await postureDns().txt('example.test')).toEqual({
      kind: 'records',
      records: [['v=spf1 include:_spf.example.test ', '~all'], ['google-site-verification=abc']],
    });
  });

  test('gets an answer too big for UDP complete, over TCP', async () => {
    const answer = await postureDns().txt('big.example.test');
    expect(answer).toEqual({
      kind: 'records',
      records: ['a', 'b', 'c'].map((letter) => [letter.repeat(255), letter.repeat(45)]),
    });
    expect(received('big.example.test', 'TXT').map((entry) => entry.transport)).toEqual(['udp', 'tcp']);
  });

  test('follows a CNAME to the records of its target, and reports the CNAME when asked for it', async () => {
    const posture = postureDns();
    expect(await posture.txt('alias.example.test')).toEqual({
      kind: 'records',
      records: [['v=DKIM1; k=rsa; p=MIIB']],
    });
    expect(await posture.mx('alias.example.test')).toEqual({
      kind: 'records',
      records: [{ exchange: 'mx.target.example.test', priority: 5 }],
    });
    expect(await posture.cname('alias.example.test')).toEqual({
      kind: 'records',
      records: ['target.example.test'],
    });
    expect(await posture.txt('dangling.example.test')).toEqual({ kind: 'nxdomain' });
    // One question each: the resolver followed the chain, not this code.
    expect(received('target.example.test', 'TXT')).toEqual([]);
  });

  test('answers MX, A, AAAA, and keeps a null MX exchange empty', async () => {
    const posture = postureDns();
    expect(await posture.mx('example.test')).toEqual({
      kind: 'records',
      records: [{ exchange: 'mail.example.test', priority: 10 }],
    });
    expect(await posture.a('example.test')).toEqual({ kind: 'records', records: ['192.0.2.10'] });
    expect(await posture.aaaa('v6.example.test')).toEqual({ kind: 'records', records: ['2001:db8::25'] });
    expect(await posture.mx('null-mx.example.test')).toEqual({
      kind: 'records',
      records: [{ exchange: '', priority: 0 }],
    });
  });

  test.each([
    { name: 'nowhere.example.test', answer: { kind: 'nxdomain' } },
    { name: 'address-only.example.test', answer: { kind: 'nodata' } },
    {
      name: 'servfail.example.test',
      answer: {
        kind: 'error',
        code: 'ESERVFAIL',
        message: expect.stringMatching(
          /^the resolver 127\.0\.0\.1:\d+ answered SERVFAIL for servfail\.example\.test TXT/,
        ),
      },
    },
    {
      name: 'refused.example.test',
      answer: {
        kind: 'error',
        code: 'EREFUSED',
        message: expect.stringMatching(
          /^the resolver 127\.0\.0\.1:\d+ refused the TXT query for refused\.example\.test \(REFUSED\)/,
        ),
      },
    },
    {
      name: 'silent.example.test',
      answer: {
        kind: 'error',
        code: 'ETIMEOUT',
        message: expect.stringMatching(
          /^the resolver 127\.0\.0\.1:\d+ did not answer the TXT query for silent\.example\.test \(timeout\)$/,
        ),
      },
    },
  ])('answers $answer.kind for $name', async ({ name, answer }) => {
    const posture = postureDns();
    expect(await posture.txt(name)).toEqual(answer);
    const failed = answer.kind === 'error' ? 1 : 0;
    expect(posture.queries()).toMatchObject({ sent: 1, failed });
    expect(posture.queries().log.map((entry) => [entry.name, entry.type, entry.outcome, entry.code])).toEqual(
      [[name, 'TXT', answer.kind, answer.code]],
    );
  });

  test('names a resolver that cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const closed = `127.0.0.1:${socket.address().port}`;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const posture = createPostureDns({ servers: [closed], timeoutMs: 300, tries: 1 });
    expect(await posture.mx('example.test')).toEqual({
      kind: 'error',
      code: 'ECONNREFUSED',
      message: `the resolver ${closed} could not be reached for example.test MX (connection refused)`,
    });
  });

  test('asks each question once, whatever the case or trailing dot', async () => {
    const posture = postureDns();
    const before = received('example.test', 'A').length;
    const [first, second] = await Promise.all([posture.a('example.test'), posture.a('Example.TEST.')]);
    const third = await posture.a('example.test');
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(received('example.test', 'A').length - before).toBe(1);
    expect(posture.queries()).toMatchObject({ sent: 1, budgetExhausted: false });
    expect(posture.queries().log).toHaveLength(1);
  });

  test('sends nothing past the budget, and says so', async () => {
    const posture = postureDns({ budget: 2 });
    const before = dns.log.length;
    expect((await posture.txt('example.test')).kind).toBe('records');
    expect((await posture.mx('example.test')).kind).toBe('records');
    expect(posture.queries().budgetExhausted).toBe(false);
    expect(await posture.a('example.test')).toEqual({
      kind: 'error',
      code: 'budget',
      message: expect.stringContaining('example.test A was not asked'),
    });
    expect(dns.log.length - before).toBe(2);
    expect(posture.queries()).toMatchObject({ sent: 2, budget: 2, budgetExhausted: true, failed: 0 });
    expect(posture.queries().log.map((entry) => `${entry.type} ${entry.code ?? entry.outcome}`)).toEqual([
      'TXT records',
      'MX records',
      'A budget',
    ]);
  });

  test('logs each question with the time it took on the injected clock, as a snapshot', async () => {
    let clock = 1_000;
    const posture = postureDns({ now: () => (clock += 7) });
    await posture.txt('example.test');
    const snapshot = posture.queries();
    expect(snapshot.log).toEqual([{ name: 'example.test', type: 'TXT', outcome: 'records', ms: 7 }]);
    await posture.mx('example.test');
    expect(snapshot.sent).toBe(1);
    expect(snapshot.log).toHaveLength(1);
    expect(posture.queries().log).toHaveLength(2);
  });

  test('says which servers it asks', () => {
    expect(postureDns().resolver).toEqual({ servers: [dns.server], system: false });
  });

  test.each([
    { address: '203.0.113.5', ptr: ['mail.example.test'] },
    { address: '2001:db8::25', ptr: ['v6.example.test'] },
  ])('looks up the PTR of $address', async ({ address, ptr }) => {
    const posture = postureDns();
    expect(await posture.ptr(address)).toEqual({ kind: 'records', records: ptr });
    expect(posture.queries().log).toEqual([
      expect.objectContaining({ name: reverseName(address), type: 'PTR' }),
    ]);
  });
});

describe('reverseName()', () => {
  test.each([
    ['203.0.113.5', '5.113.0.203.in-addr.arpa'],
    ['10.0.0.1', '1.0.0.10.in-addr.arpa'],
    // RFC 3596 §2.5's example.
    ['4321:0:1:2:3:4:567:89ab', 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa'],
    ['2001:db8::567:89ab', 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa'],
    ['::1', `1.${'0.'.repeat(31)}ip6.arpa`],
    ['2001:DB8:0:0:0:0:0:1', `1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`],
    ['::ffff:192.0.2.1', `1.0.2.0.0.0.0.c.f.f.f.f.${'0.'.repeat(20)}ip6.arpa`],
    ['[fe80::1]', `1.${'0.'.repeat(27)}0.8.e.f.ip6.arpa`],
  ])('%s → %s', (address, name) => {
    expect(reverseName(address)).toBe(name);
  });

  test('refuses what is not an address', () => {
    expect(() => reverseName('mail.example.test')).toThrow(/not an IP address/);
  });
});
