import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CertificateDigests, type PortProbeRequest, probePort } from '../../src/probe/index.js';
import { hostProbeSchema } from '../../src/vantage/facts-schema.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { testLimits } from '../helpers/probe-limits.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// The digests DANE matches TLSA records against, from a real STARTTLS handshake, compared with
// digests computed here straight from the PEM files the server was given.

const HOST = 'mx.chain.test';
const LIMITS = testLimits({ stageTimeoutMs: 2_000, portDeadlineMs: 10_000 });

let ca: TestCa;
let leaf: TestCertificate;
const servers: RunningServer[] = [];

beforeAll(() => {
  ca = createTestCa('chain test CA');
  leaf = ca.issue({ commonName: HOST });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

function derOf(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

/** The four digests, from the certificate's PEM and, for the key, from the private key's PEM. */
function expectedDigests(certificate: TestCertificate): CertificateDigests {
  const der = derOf(certificate.cert);
  const spki = createPublicKey(certificate.key).export({ type: 'spki', format: 'der' });
  const hash = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');
  return {
    certSha256: hash('sha256', der),
    certSha512: hash('sha512', der),
    spkiSha256: hash('sha256', spki),
    spkiSha512: hash('sha512', spki),
  };
}

async function probeServerSending(cert: string) {
  const server = await startSmtpServer({ key: leaf.key, cert, name: HOST });
  servers.push(server);
  const request: PortProbeRequest = {
    address: '127.0.0.1',
    host: HOST,
    port: server.port,
    mode: 'starttls',
    clientName: 'probe.test',
    extraCa: [ca.cert],
  };
  return probePort(request, LIMITS);
}

describe('certificateFacts() chain digests', () => {
  test('digests each certificate the server sent, leaf first, as computed from the PEMs', async () => {
    const probe = await probeServerSending(`${leaf.cert}${ca.cert}`);
    expect(probe.class).toBe('open-starttls');
    const chain = probe.certificate?.chain;
    expect(chain).toEqual([expectedDigests(leaf), expectedDigests(ca)]);
    // The leaf's certificate digest is the fingerprint Node reports, in TLSA's lower-case hex.
    expect(chain?.[0]?.certSha256).toBe(probe.certificate?.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  test('leaves out an issuer the server did not send, though our trust store holds it', async () => {
    const probe = await probeServerSending(leaf.cert);
    expect(probe.certificate?.trusted).toBe(true);
    expect(probe.certificate?.chain).toEqual([expectedDigests(leaf)]);
  });

  test('the chain crosses the vantage queue intact, and a malformed one is refused', async () => {
    const probe = await probeServerSending(`${leaf.cert}${ca.cert}`);
    const host = {
      target: HOST,
      host: HOST,
      mx: null,
      addresses: ['127.0.0.1'],
      checkedAt: new Date().toISOString(),
      durationMs: 1,
      ports: [probe],
      resolveFailure: null,
    };
    const parsed = hostProbeSchema.parse(JSON.parse(JSON.stringify(host)));
    expect(parsed.ports[0]?.certificate?.chain).toEqual(probe.certificate?.chain);

    const withChain = (chain: unknown) => ({
      ...host,
      ports: [{ ...probe, certificate: { ...probe.certificate, chain } }],
    });
    const digests = expectedDigests(leaf);
    expect(hostProbeSchema.safeParse(withChain([{ ...digests, certSha256: 'AB'.repeat(32) }])).success).toBe(
      false,
    );
    expect(hostProbeSchema.safeParse(withChain([{ ...digests, spkiSha512: 'ab' }])).success).toBe(false);
    expect(hostProbeSchema.safeParse(withChain(Array(21).fill(digests))).success).toBe(false);
    expect(hostProbeSchema.safeParse(withChain(Array(20).fill(digests))).success).toBe(true);
  });
});
