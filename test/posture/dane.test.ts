import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherDane, matchTlsa } from '../../src/posture/dane.js';
import type { TlsaRecord } from '../../src/posture/transport-types.js';
import { createValidatingDns } from '../../src/posture/validating-dns.js';
import { type CertificateDigests, type CertificateFacts, probePort } from '../../src/probe/index.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { testLimits } from '../helpers/probe-limits.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import {
  type ValidatingResolver,
  requireValidatingResolver,
  startValidatingResolver,
} from '../helpers/unbound.js';

// TLSA records against certificate chains: the pure matching as a table, then end to end, with
// TLSA records published in zones signed for this run behind a validating Unbound and matched
// against the chain a real STARTTLS server sent our probe.

const skip = requireValidatingResolver() !== null;
const hash = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

/** What DANE hashes of a certificate, computed here from its PEM (not by the code under test). */
function material(certificate: TestCertificate) {
  const der = Buffer.from(certificate.cert.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
  const spki = createPublicKey(certificate.key).export({ type: 'spki', format: 'der' });
  const digests: CertificateDigests = {
    certSha256: hash('sha256', der),
    certSha512: hash('sha512', der),
    spkiSha256: hash('sha256', spki),
    spkiSha512: hash('sha512', spki),
  };
  return { der: der.toString('hex'), spki: spki.toString('hex'), digests };
}

const record = (text: string, data: string): TlsaRecord => {
  const [usage, selector, matchingType] = text.split(' ').map(Number) as [number, number, number];
  return { usage, selector, matchingType, data };
};

let ca: TestCa;
let leaf: ReturnType<typeof material>;
let issuer: ReturnType<typeof material>;
let renewed: ReturnType<typeof material>;
let leafCertificate: TestCertificate;

beforeAll(() => {
  ca = createTestCa('DANE test CA');
  leafCertificate = ca.issue({ commonName: 'mx.secure.test' });
  leaf = material(leafCertificate);
  issuer = material(ca);
  // The next certificate after a renewal (the test CA reuses the key: SPKI records still match it).
  renewed = material(ca.issue({ commonName: 'mx.secure.test' }));
});

describe('matchTlsa()', () => {
  const chain = () => [leaf.digests, issuer.digests];

  test.each([
    ['3 1 1', () => leaf.digests.spkiSha256],
    ['3 0 1', () => leaf.digests.certSha256],
    ['3 1 2', () => leaf.digests.spkiSha512],
    ['3 0 2', () => leaf.digests.certSha512],
    ['3 0 0', () => leaf.der],
    ['3 1 0', () => leaf.spki],
    ['2 1 1', () => issuer.digests.spkiSha256],
    ['2 0 1', () => issuer.digests.certSha256],
    ['2 0 0', () => issuer.der],
  ])('%s matches', (params, data) => {
    const tlsa = record(params, data());
    expect(matchTlsa([tlsa], chain())).toEqual({ matched: true, by: tlsa, usable: 1 });
  });

  test.each([
    ['3 1 1 of the issuer: DANE-EE names the leaf only', '3 1 1', () => issuer.digests.spkiSha256],
    ['2 1 1 of the leaf: DANE-TA names an issuer', '2 1 1', () => leaf.digests.spkiSha256],
    ['3 0 1 of the certificate before a renewal', '3 0 1', () => renewed.digests.certSha256],
    ['3 1 1 of another key', '3 1 1', () => 'ab'.repeat(32)],
  ])('%s does not match', (_, params, data) => {
    expect(matchTlsa([record(params, data())], chain())).toEqual({
      matched: false,
      usable: 1,
      reason: 'none of the 1 usable TLSA record matches the 2 certificates the server sent',
    });
  });

  test.each([
    ['1 1 1', '1 1 1 (PKIX-EE): usage 1 (PKIX-EE) is not used for SMTP (RFC 7672 §3.1.3)'],
    ['0 0 1', '0 0 1 (PKIX-TA): usage 0 (PKIX-TA) is not used for SMTP (RFC 7672 §3.1.3)'],
    ['3 2 1', '3 2 1 (DANE-EE): selector 2 is unknown'],
    ['3 1 3', '3 1 3 (DANE-EE): matching type 3 is unknown'],
  ])('%s is unusable, even when its digest is the leaf’s', (params, why) => {
    expect(matchTlsa([record(params, leaf.digests.spkiSha256)], chain())).toEqual({
      matched: false,
      usable: 0,
      reason: `no usable TLSA record (${why})`,
    });
  });

  test('a digest of the wrong length is unusable', () => {
    expect(matchTlsa([record('3 1 1', leaf.digests.spkiSha256.slice(0, 40))], chain())).toMatchObject({
      matched: false,
      usable: 0,
      reason: expect.stringContaining('its digest is not 32 bytes long'),
    });
  });

  test('one usable record that matches is enough, beside unusable and stale ones', () => {
    const good = record('2 1 1', issuer.digests.spkiSha256);
    const records = [
      record('1 1 1', leaf.digests.spkiSha256),
      record('3 0 1', renewed.digests.certSha256),
      good,
    ];
    expect(matchTlsa(records, chain())).toEqual({ matched: true, by: good, usable: 2 });
  });

  test('DANE-TA records cannot match a server that sends its leaf alone, and the reason says so', () => {
    expect(matchTlsa([record('2 1 1', issuer.digests.spkiSha256)], [leaf.digests])).toMatchObject({
      matched: false,
      usable: 1,
      reason: expect.stringContaining('without the issuer they name'),
    });
  });

  test('no digests to match (facts from before the chain was kept) is said, not a mismatch of records', () => {
    expect(matchTlsa([record('3 1 1', leaf.digests.spkiSha256)], [])).toEqual({
      matched: false,
      usable: 1,
      reason: 'no certificate chain digests to match against',
    });
  });
});

describe.skipIf(skip)('gatherDane() end to end', () => {
  let resolver: ValidatingResolver;
  let smtp: RunningServer;
  let certificate: CertificateFacts;

  beforeAll(async () => {
    smtp = await startSmtpServer({ key: leafCertificate.key, cert: `${leafCertificate.cert}${ca.cert}` });
    const probe = await probePort(
      { address: '127.0.0.1', host: 'mx.secure.test', port: smtp.port, mode: 'starttls', extraCa: [ca.cert] },
      testLimits({ stageTimeoutMs: 2_000, portDeadlineMs: 10_000 }),
    );
    if (!probe.certificate) throw new Error(`the probe got no certificate: ${probe.class}`);
    certificate = probe.certificate;
    const tlsa = (owner: string, params: string, data: string) => `_25._tcp.${owner} TLSA ${params} ${data}`;
    resolver = await startValidatingResolver({
      zones: [
        {
          origin: 'secure.test',
          signed: true,
          records: [
            'mx A 127.0.0.1',
            tlsa('mx', '3 1 1', leaf.digests.spkiSha256),
            tlsa('ta', '2 1 1', issuer.digests.spkiSha256),
            tlsa('stale', '3 0 1', renewed.digests.certSha256),
            'bare A 127.0.0.1',
          ],
        },
        { origin: 'plain.test', signed: false, records: [tlsa('mx', '3 1 1', leaf.digests.spkiSha256)] },
        { origin: 'bogus.test', signed: 'bogus', records: [tlsa('mx', '3 1 1', leaf.digests.spkiSha256)] },
      ],
    });
  });

  afterAll(async () => {
    await Promise.all([resolver?.close(), smtp?.close()]);
  });

  const vdns = () => createValidatingDns({ server: resolver.server, timeoutMs: 2_000 });

  test('a 3 1 1 record in a signed zone matches the certificate the STARTTLS server sent', async () => {
    const expected = record('3 1 1', leaf.digests.spkiSha256);
    expect(await gatherDane(vdns(), 'mx.secure.test', certificate)).toEqual({
      exchange: 'mx.secure.test',
      name: '_25._tcp.mx.secure.test',
      records: [expected],
      dnssec: 'secure',
      match: { matched: true, by: expected, usable: 1 },
    });
  });

  test('a 2 1 1 record matches the issuer the server sent', async () => {
    const facts = await gatherDane(vdns(), 'ta.secure.test', certificate);
    expect(facts).toMatchObject({ dnssec: 'secure', match: { matched: true, by: { usage: 2 } } });
  });

  test('a record left from before a renewal is a mismatch, in a secure zone', async () => {
    const facts = await gatherDane(vdns(), 'stale.secure.test', certificate);
    expect(facts).toMatchObject({ dnssec: 'secure', match: { matched: false, usable: 1 } });
  });

  test('a TLSA record in an insecure zone is reported as insecure (DANE is not in effect)', async () => {
    const facts = await gatherDane(vdns(), 'mx.plain.test', certificate);
    expect(facts).toMatchObject({ dnssec: 'insecure', records: [{ usage: 3 }], match: { matched: true } });
  });

  test('a bogus TLSA answer is shown (asked again with CD) and called bogus', async () => {
    const facts = await gatherDane(vdns(), 'mx.bogus.test', certificate);
    expect(facts).toMatchObject({ dnssec: 'bogus', records: [record('3 1 1', leaf.digests.spkiSha256)] });
  });

  test('no TLSA record: nothing to match, and its absence proven secure', async () => {
    expect(await gatherDane(vdns(), 'bare.secure.test', certificate)).toEqual({
      exchange: 'bare.secure.test',
      name: '_25._tcp.bare.secure.test',
      records: [],
      dnssec: 'secure',
      match: null,
    });
  });

  test('no certificate (the probe got no TLS): records without a match', async () => {
    expect(await gatherDane(vdns(), 'mx.secure.test', null)).toMatchObject({
      records: [{ usage: 3 }],
      match: null,
    });
  });
});

describe('gatherDane() without an answer', () => {
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer({ '_25._tcp.mx.silent.test': { silent: true } });
  });

  afterAll(async () => {
    await dns?.close();
  });

  test('unknown, with why', async () => {
    const vdns = createValidatingDns({ server: dns.server, timeoutMs: 200 });
    expect(await gatherDane(vdns, 'mx.silent.test', null)).toEqual({
      exchange: 'mx.silent.test',
      name: '_25._tcp.mx.silent.test',
      records: [],
      dnssec: 'unknown',
      match: null,
      lookupError: `${dns.server} did not answer _25._tcp.mx.silent.test TLSA (timeout, 200 ms a try)`,
    });
  });
});
