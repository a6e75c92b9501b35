import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns } from '../../src/posture/dns.js';
import { MAX_MX_HOSTS, gatherMx } from '../../src/posture/mx-facts.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

describe('gatherMx()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      'mail.test': {
        MX: [
          { exchange: 'backup.mail.test', priority: 20 },
          { exchange: 'MX1.mail.test.', priority: 10 },
        ],
      },
      'mx1.mail.test': { A: ['192.0.2.10'], AAAA: ['2001:db8::10'] },
      'backup.mail.test': { A: ['192.0.2.20'] },
      'refuses.test': { MX: [{ exchange: '.', priority: 0 }] },
      'mixed.test': {
        MX: [
          { exchange: '.', priority: 0 },
          { exchange: 'mx.mixed.test', priority: 10 },
        ],
      },
      'mx.mixed.test': { A: ['192.0.2.30'] },
      'alias.test': { MX: [{ exchange: 'mx.alias.test', priority: 10 }] },
      'mx.alias.test': { CNAME: 'real.host.test' },
      'real.host.test': { A: ['192.0.2.40'] },
      'bare.test': { A: ['192.0.2.50'], AAAA: ['2001:db8::50'] },
      'empty.test': { TXT: ['v=spf1 -all'] },
      'failing.test': { rcode: 'SERVFAIL' },
      'partial.test': { MX: [{ exchange: 'mx.partial.test', priority: 10 }] },
      'mx.partial.test': { A: ['192.0.2.60'], rcode: 'SERVFAIL', rcodeFor: ['AAAA'] },
      'many.test': {
        MX: Array.from({ length: 12 }, (_, index) => ({
          exchange: `mx${index}.many.test`,
          priority: 12 - index,
        })),
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });

  test('MX hosts by priority, each with its addresses', async () => {
    expect(await gatherMx(dns(), 'mail.test')).toEqual({
      hosts: [
        { exchange: 'mx1.mail.test', priority: 10, addresses: ['192.0.2.10', '2001:db8::10'] },
        { exchange: 'backup.mail.test', priority: 20, addresses: ['192.0.2.20'] },
      ],
      nullMx: false,
      implicit: null,
    });
  });

  test('a null MX (RFC 7505)', async () => {
    expect(await gatherMx(dns(), 'refuses.test')).toEqual({ hosts: [], nullMx: true, implicit: null });
  });

  test('a null MX beside other MX records is no null MX', async () => {
    const facts = await gatherMx(dns(), 'mixed.test');
    expect(facts.nullMx).toBe(false);
    expect(facts.hosts.map((host) => host.exchange)).toEqual(['.', 'mx.mixed.test']);
    expect(facts.hosts[0]!.lookupError).toContain('RFC 7505');
  });

  test('an MX host that is a CNAME', async () => {
    const facts = await gatherMx(dns(), 'alias.test');
    expect(facts.hosts).toEqual([
      { exchange: 'mx.alias.test', priority: 10, addresses: ['192.0.2.40'], cname: 'real.host.test' },
    ]);
  });

  test("no MX: the domain's own addresses (RFC 5321 §5.1)", async () => {
    expect(await gatherMx(dns(), 'bare.test')).toEqual({
      hosts: [],
      nullMx: false,
      implicit: { addresses: ['192.0.2.50', '2001:db8::50'] },
    });
  });

  test('no MX and no address', async () => {
    expect(await gatherMx(dns(), 'empty.test')).toEqual({
      hosts: [],
      nullMx: false,
      implicit: { addresses: [] },
    });
  });

  test('a domain that does not exist', async () => {
    const facts = await gatherMx(dns(), 'absent.test');
    expect(facts.implicit).toEqual({ addresses: [] });
    expect(facts.lookupError).toBe('absent.test does not exist (NXDOMAIN): no mail can be delivered to it');
  });

  test('an unanswered MX lookup', async () => {
    const facts = await gatherMx(dns(), 'failing.test');
    expect(facts).toMatchObject({ hosts: [], nullMx: false, implicit: null });
    expect(facts.lookupError).toContain('failing.test');
  });

  test("a host's unanswered address lookup is kept with what did answer", async () => {
    const [host] = (await gatherMx(dns(), 'partial.test')).hosts;
    expect(host?.addresses).toEqual(['192.0.2.60']);
    expect(host?.lookupError).toContain('mx.partial.test');
  });

  test(`at most ${MAX_MX_HOSTS} hosts, the most preferred`, async () => {
    const { hosts } = await gatherMx(dns(), 'many.test');
    expect(hosts.map((host) => host.priority)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(server.queries.filter((query) => /^mx[012]\.many\.test A$/.test(query))).toEqual([
      'mx2.many.test A',
    ]);
  });
});
