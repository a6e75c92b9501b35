import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dnssecStatusOf, gatherDnssec } from '../../src/posture/dnssec.js';
import { createValidatingDns } from '../../src/posture/validating-dns.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import {
  type ValidatingResolver,
  requireValidatingResolver,
  startValidatingResolver,
} from '../helpers/unbound.js';

// Secure, insecure and bogus are the verdicts of a real validating Unbound over zones signed for
// this run; the answers no validator gives on purpose (silence, REFUSED, a SERVFAIL that checking
// disabled does not lift) come from the scripted test DNS server.

const skip = requireValidatingResolver() !== null;

describe.skipIf(skip)('dnssecStatusOf() with a validating Unbound', () => {
  let resolver: ValidatingResolver;

  beforeAll(async () => {
    resolver = await startValidatingResolver({
      zones: [
        { origin: 'secure.test', signed: true, records: ['@ MX 10 mx', 'mx A 127.0.0.1'] },
        { origin: 'bogus.test', signed: 'bogus', records: ['@ MX 10 mx', 'mx A 127.0.0.1'] },
        { origin: 'expired.test', signed: 'expired', records: ['mx A 127.0.0.1'] },
        { origin: 'plain.test', signed: false, records: ['@ MX 10 mx', 'mx A 127.0.0.1'] },
      ],
    });
  });

  afterAll(async () => {
    await resolver?.close();
  });

  const vdns = () => createValidatingDns({ server: resolver.server, timeoutMs: 2_000 });

  test('secure: the resolver set AD', async () => {
    expect(await dnssecStatusOf(vdns(), 'secure.test', 'SOA')).toEqual({
      name: 'secure.test',
      status: 'secure',
    });
  });

  test('secure for a name that does not exist, when its absence is proven (NSEC)', async () => {
    expect(await dnssecStatusOf(vdns(), 'missing.secure.test', 'A')).toEqual({
      name: 'missing.secure.test',
      status: 'secure',
    });
  });

  test('insecure: an answer without AD, from a zone no trust anchor reaches', async () => {
    expect(await dnssecStatusOf(vdns(), 'mx.plain.test', 'A')).toEqual({
      name: 'mx.plain.test',
      status: 'insecure',
    });
  });

  test('bogus: SERVFAIL lifted by checking disabled, with the Extended DNS Error of the first answer', async () => {
    expect(await dnssecStatusOf(vdns(), 'mx.bogus.test', 'A')).toEqual({
      name: 'mx.bogus.test',
      status: 'bogus',
      extendedError: {
        code: 6,
        name: 'DNSSEC Bogus',
        text: expect.stringContaining('signature crypto failed'),
      },
    });
  });

  test('bogus with expired signatures says so (Extended DNS Error 7)', async () => {
    expect(await dnssecStatusOf(vdns(), 'mx.expired.test', 'A')).toMatchObject({
      status: 'bogus',
      extendedError: { code: 7, name: 'Signature Expired' },
    });
  });

  test('gatherDnssec() asks the domain as SOA and each MX host as A, and names the resolver', async () => {
    const facts = await gatherDnssec(vdns(), 'secure.test', [
      'mx.secure.test',
      'mx.plain.test',
      'mx.bogus.test',
    ]);
    expect(facts).toEqual({
      resolver: resolver.server,
      domain: { name: 'secure.test', status: 'secure' },
      mxHosts: [
        { name: 'mx.secure.test', status: 'secure' },
        { name: 'mx.plain.test', status: 'insecure' },
        expect.objectContaining({ name: 'mx.bogus.test', status: 'bogus' }),
      ],
    });
  });
});

describe('dnssecStatusOf() without a verdict', () => {
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer({
      'silent.example.test': { silent: true },
      'refused.example.test': { rcode: 'REFUSED' },
      'broken.example.test': { rcode: 'SERVFAIL' },
    });
  });

  afterAll(async () => {
    await dns?.close();
  });

  const vdns = () => createValidatingDns({ server: dns.server, timeoutMs: 200 });

  test('unknown when the resolver does not answer (timeout)', async () => {
    expect(await dnssecStatusOf(vdns(), 'silent.example.test', 'SOA')).toEqual({
      name: 'silent.example.test',
      status: 'unknown',
      lookupError: `${dns.server} did not answer silent.example.test SOA (timeout, 200 ms a try)`,
    });
  });

  test('unknown when the resolver refuses', async () => {
    expect(await dnssecStatusOf(vdns(), 'refused.example.test', 'SOA')).toMatchObject({
      status: 'unknown',
      lookupError: expect.stringContaining('REFUSED'),
    });
  });

  test('unknown, not bogus, when SERVFAIL stays with checking disabled', async () => {
    const before = dns.queries.length;
    expect(await dnssecStatusOf(vdns(), 'broken.example.test', 'A')).toEqual({
      name: 'broken.example.test',
      status: 'unknown',
      lookupError: `${dns.server} answered SERVFAIL for broken.example.test A, with checking disabled too: the zone's name servers fail, whatever DNSSEC says`,
    });
    // Asked twice: once as is, once with CD.
    expect(dns.queries.slice(before)).toEqual(['broken.example.test A', 'broken.example.test A']);
  });
});
