import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns, reverseName } from '../../src/posture/dns.js';
import { localTransport } from '../helpers/transport-deps.js';
import { gatherPosture } from '../../src/posture/gather-posture.js';
import { COMMON_DKIM_SELECTORS } from '../../src/posture/providers.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

const key = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');

/** A clock that moves 40 ms each time it is read. */
function steppingClock(start: string): () => Date {
  let at = Date.parse(start);
  return () => {
    const now = new Date(at);
    at += 40;
    return now;
  };
}

describe('gatherPosture()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      'shop.test': {
        MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }],
        TXT: ['v=spf1 include:sendgrid.net -all', 'some-site-verification=1'],
      },
      'aspmx.l.google.com': { A: ['192.0.2.25'] },
      'sendgrid.net': { TXT: ['v=spf1 ip4:198.51.100.0/24 ~all'] },
      's1._domainkey.shop.test': { TXT: [`v=DKIM1; p=${key}`] },
      'google._domainkey.shop.test': { TXT: [`v=DKIM1; p=${key}`] },
      'mine._domainkey.shop.test': { TXT: [`v=DKIM1; t=y; p=${key}`] },
      '_dmarc.shop.test': { TXT: ['v=DMARC1; p=quarantine'] },
      'default._bimi.shop.test': { TXT: ['v=BIMI1; l=https://shop.test/logo.svg'] },
      [reverseName('198.51.100.7')]: { PTR: ['out.shop.test'] },
      'out.shop.test': { A: ['198.51.100.7'] },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const deps = () => ({
    dns: createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 }),
    now: steppingClock('2026-03-01T10:00:00.000Z'),
    transport: localTransport(server.server),
  });

  test('every part, with the clock, the resolver and the questions asked', async () => {
    const { dns, now, transport } = deps();
    const facts = await gatherPosture(
      { domain: 'shop.test', selectors: [], ip: '198.51.100.7' },
      { dns, now, transport },
    );
    expect(facts.request).toEqual({ domain: 'shop.test', selectors: [], ip: '198.51.100.7' });
    expect(facts.checkedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(facts.durationMs).toBe(40);
    expect(facts.resolver).toEqual(dns.resolver);
    expect(facts.resolver.servers).toEqual([server.server]);
    expect(facts.mx.hosts).toEqual([
      { exchange: 'aspmx.l.google.com', priority: 1, addresses: ['192.0.2.25'] },
    ]);
    expect(facts.spf.record).toBe('v=spf1 include:sendgrid.net -all');
    expect(facts.spf.providers).toContain('SendGrid');
    expect(facts.dmarc).toMatchObject({ source: 'domain', policy: 'quarantine' });
    expect(facts.bimi).toMatchObject({
      record: 'v=BIMI1; l=https://shop.test/logo.svg',
      logo: 'https://shop.test/logo.svg',
    });
    expect(facts.sendingAddress).toEqual({
      ip: '198.51.100.7',
      ptr: ['out.shop.test'],
      forwardConfirmed: true,
    });
    // Read at the end: every question of the report is in it, the last DKIM ones included.
    expect(facts.queries.sent).toBe(dns.queries().sent);
    expect(facts.queries.log.map((entry) => `${entry.name} ${entry.type}`)).toContain(
      'google._domainkey.shop.test TXT',
    );
  });

  test("without selectors, the providers' selectors (from SPF and MX) come before the common ones", async () => {
    const before = server.queries.length;
    const facts = await gatherPosture({ domain: 'shop.test', selectors: [] }, deps());
    // They are chosen from SPF's answers, so they are asked after them.
    const asked = server.queries.slice(before);
    expect(asked.indexOf('s1._domainkey.shop.test TXT')).toBeGreaterThan(asked.indexOf('sendgrid.net TXT'));
    expect(
      facts.dkim.slice(0, 3).map(({ selector, source, provider }) => ({ selector, source, provider })),
    ).toEqual([
      { selector: 's1', source: 'provider', provider: 'SendGrid' },
      { selector: 's2', source: 'provider', provider: 'SendGrid' },
      { selector: 'google', source: 'provider', provider: 'Google Workspace' },
    ]);
    expect(facts.dkim.filter((dkim) => dkim.found).map((dkim) => dkim.selector)).toEqual(['s1', 'google']);
    expect(facts.dkim.slice(3).map((dkim) => dkim.source)).toEqual(
      COMMON_DKIM_SELECTORS.filter((selector) => selector !== 's1').map(() => 'common'),
    );
  });

  test('given selectors are the only ones asked', async () => {
    const before = server.queries.length;
    const facts = await gatherPosture({ domain: 'shop.test', selectors: ['mine', 'gone'] }, deps());
    expect(
      facts.dkim.map(({ selector, source, found, testing }) => ({ selector, source, found, testing })),
    ).toEqual([
      { selector: 'mine', source: 'given', found: true, testing: true },
      { selector: 'gone', source: 'given', found: false, testing: false },
    ]);
    expect(facts.queries.log.some((entry) => entry.name === 'google._domainkey.shop.test')).toBe(false);
    // Asked at once, not after SPF: the key's question reaches the server before the include's.
    const asked = server.queries.slice(before);
    expect(asked.indexOf('mine._domainkey.shop.test TXT')).toBeLessThan(asked.indexOf('sendgrid.net TXT'));
  });

  test('no sending address without an ip', async () => {
    const facts = await gatherPosture({ domain: 'shop.test', selectors: ['mine'] }, deps());
    expect(facts.sendingAddress).toBeUndefined();
    // Only the MX host's address is asked in reverse.
    const reverse = facts.queries.log.filter((entry) => entry.type === 'PTR').map((entry) => entry.name);
    expect(reverse).toEqual(['25.2.0.192.in-addr.arpa']);
    expect(facts.reverseDns.addresses.map((entry) => entry.role)).toEqual(['mx']);
  });
});
