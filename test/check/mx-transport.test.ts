import { createHash, X509Certificate } from 'node:crypto';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck } from '../../src/check/index.js';
import { createMxTransport, type MxTransportDeps } from '../../src/check/mx-transport.js';
import type { CheckRequest } from '../../src/check/types.js';
import { createPostureDns } from '../../src/posture/dns.js';
import { createValidatingDns } from '../../src/posture/validating-dns.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import {
  type ValidatingResolver,
  requireValidatingResolver,
  startValidatingResolver,
} from '../helpers/unbound.js';

// An MX check end to end: the test DNS server gives the MX hosts and the _mta-sts records, a real
// HTTPS server the policies, a real STARTTLS server the port-25 certificate, and a validating
// Unbound the TLSA records of signed and unsigned zones, so each verdict is the real machinery's.

const skip = requireValidatingResolver() !== null;
const POLICY_PATH = '/.well-known/mta-sts.txt';
const POLICIES: Record<string, string> = {
  'mta-sts.example.test': 'version: STSv1\nmode: enforce\nmx: *.secure.test\nmax_age: 86400\n',
  'mta-sts.renewed.test': 'version: STSv1\nmode: enforce\nmx: mx.other.test\nmax_age: 86400\n',
  'mta-sts.wrongname.test': 'version: STSv1\nmode: testing\nmx: mx.plain.test\nmax_age: 86400\n',
};
const STS_RECORD = { TXT: ['v=STSv1; id=20260301'] };
const LOOPBACK = { A: ['127.0.0.1'] };

let ca: TestCa;
let leaf: TestCertificate;
let smtp: RunningServer;
let plaintext: RunningServer;
let policyServer: Server;
let policyPort: number;
let dns: TestDnsServer;
let resolver: ValidatingResolver | undefined;

/** The TLSA 3 1 1 data of a certificate: SHA-256 of its SubjectPublicKeyInfo. */
function spkiSha256(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

beforeAll(async () => {
  ca = createTestCa();
  // mx.plain.test is left out on purpose: the certificate does not name that MX host.
  leaf = ca.issue({
    commonName: 'mx1.secure.test',
    dnsNames: ['mx1.secure.test', 'mx.stale.test', 'mx.bogus.test'],
  });
  smtp = await startSmtpServer({ key: leaf.key, cert: leaf.cert });
  plaintext = await startSmtpServer({ hideSTARTTLS: true });
  const policyCertificate = ca.issue({ commonName: 'mta-sts', dnsNames: Object.keys(POLICIES) });
  policyServer = createServer(
    { key: policyCertificate.key, cert: policyCertificate.cert },
    (request, response) => {
      const policy = POLICIES[request.headers.host ?? ''];
      if (request.url !== POLICY_PATH || policy === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end(policy);
    },
  );
  await new Promise<void>((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
  policyPort = (policyServer.address() as AddressInfo).port;
  dns = await startDnsServer({
    'example.test': {
      MX: [
        { exchange: 'mx1.secure.test', priority: 10 },
        { exchange: 'mx2.plain.test', priority: 20 },
      ],
    },
    '_mta-sts.example.test': STS_RECORD,
    'mta-sts.example.test': LOOPBACK,
    'renewed.test': { MX: [{ exchange: 'mx.stale.test', priority: 10 }] },
    '_mta-sts.renewed.test': STS_RECORD,
    'mta-sts.renewed.test': LOOPBACK,
    'wrongname.test': { MX: [{ exchange: 'mx.plain.test', priority: 10 }] },
    '_mta-sts.wrongname.test': STS_RECORD,
    'mta-sts.wrongname.test': LOOPBACK,
    'broken.test': { MX: [{ exchange: 'mx.bogus.test', priority: 10 }] },
    'failing.test': { MX: [{ exchange: 'mx1.secure.test', priority: 10 }] },
    '_mta-sts.failing.test': { rcode: 'SERVFAIL' },
    'mx1.secure.test': LOOPBACK,
    'mx2.plain.test': LOOPBACK,
    'mx.plain.test': LOOPBACK,
    'mx.stale.test': LOOPBACK,
    'mx.bogus.test': LOOPBACK,
  });
  if (skip) return;
  const tlsa = `TLSA 3 1 1 ${spkiSha256(leaf.cert)}`;
  resolver = await startValidatingResolver({
    zones: [
      { origin: 'secure.test', signed: true, records: [`_25._tcp.mx1 ${tlsa}`] },
      { origin: 'plain.test', signed: false, records: [`_25._tcp.mx2 ${tlsa}`] },
      // A certificate renewed with a new key, the TLSA record left as it was.
      { origin: 'stale.test', signed: true, records: [`_25._tcp.mx TLSA 3 1 1 ${'ab'.repeat(32)}`] },
      { origin: 'bogus.test', signed: 'bogus', records: [`_25._tcp.mx ${tlsa}`] },
    ],
  });
}, 60_000);

afterAll(async () => {
  await smtp?.close();
  await plaintext?.close();
  policyServer?.closeAllConnections();
  await new Promise<void>((resolve) => (policyServer ? policyServer.close(() => resolve()) : resolve()));
  await dns?.close();
  await resolver?.close();
});

/** A validating resolver that cannot be reached: TLSA questions get no answer. */
const UNREACHABLE_RESOLVER = '127.0.0.1:9';

function runCheck(overrides: Partial<MxTransportDeps> = {}) {
  return createRunCheck({
    probeHost,
    limits: QUICK_LIMITS,
    now: () => new Date(),
    resolver: createResolver([dns.server]),
    extraCa: [ca.cert],
    mxTransport: createMxTransport({
      dns: () => createPostureDns({ servers: [dns.server], timeoutMs: 1_000, tries: 1 }),
      validatingDns: () => createValidatingDns({ server: resolver?.server ?? UNREACHABLE_RESOLVER }),
      mtaSts: {
        ca: [ca.cert],
        port: policyPort,
        allowAddress: (_host, address) => (address === '127.0.0.1' ? null : 'not loopback'),
      },
      port25: smtp.port,
      ...overrides,
    }),
  });
}

const mxCheck = (domain: string): CheckRequest => ({ target: domain, ports: [smtp.port], mx: 'force' });

describe.skipIf(skip)('an MX check with createMxTransport()', () => {
  test('the probed MX host: covered by the enforced policy, its certificate valid, its TLSA record matched; the next one by DNS alone', async () => {
    const diagnosis = await runCheck()(mxCheck('example.test'));
    expect(diagnosis.host).toBe('mx1.secure.test');
    expect(diagnosis.ports[0]?.class).toBe('open-starttls');
    expect(diagnosis.mxTransport).toEqual([
      {
        exchange: 'mx1.secure.test',
        probed: true,
        port: smtp.port,
        mtaSts: { mode: 'enforce', pattern: '*.secure.test', certificate: 'valid' },
        dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: true, by: '3 1 1' },
      },
      {
        exchange: 'mx2.plain.test',
        probed: false,
        port: null,
        mtaSts: { mode: 'enforce', pattern: null, certificate: 'not-probed' },
        dane: { records: ['3 1 1'], usable: 1, dnssec: 'insecure', matched: null },
      },
    ]);
  });

  test('a TLSA record the renewed certificate no longer matches, and an MX host the policy does not name', async () => {
    const diagnosis = await runCheck()(mxCheck('renewed.test'));
    expect(diagnosis.mxTransport).toEqual([
      {
        exchange: 'mx.stale.test',
        probed: true,
        port: smtp.port,
        mtaSts: { mode: 'enforce', pattern: null, certificate: 'valid' },
        dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: false },
      },
    ]);
  });

  test('a certificate that does not name the MX host, and a host without TLSA', async () => {
    const diagnosis = await runCheck()(mxCheck('wrongname.test'));
    expect(diagnosis.mxTransport).toEqual([
      {
        exchange: 'mx.plain.test',
        probed: true,
        port: smtp.port,
        mtaSts: { mode: 'testing', pattern: 'mx.plain.test', certificate: 'name-mismatch' },
        dane: null,
      },
    ]);
  });

  test('no MTA-STS record, and TLSA records that fail DNSSEC validation', async () => {
    const diagnosis = await runCheck()(mxCheck('broken.test'));
    expect(diagnosis.mxTransport).toEqual([
      {
        exchange: 'mx.bogus.test',
        probed: true,
        port: smtp.port,
        mtaSts: null,
        dane: { records: ['3 1 1'], usable: 1, dnssec: 'bogus', matched: true, by: '3 1 1' },
      },
    ]);
  });

  test('TLSA published, and a server that offers no STARTTLS: DANE senders refuse it', async () => {
    const diagnosis = await runCheck({ port25: plaintext.port })({
      target: 'failing.test',
      ports: [plaintext.port],
      mx: 'force',
    });
    expect(diagnosis.ports[0]?.class).toBe('no-starttls');
    expect(diagnosis.mxTransport?.[0]?.dane).toEqual({
      records: ['3 1 1'],
      usable: 1,
      dnssec: 'secure',
      matched: false,
      starttlsRefused: true,
    });
  });

  test('a policy host the target policy refuses is not dialled: senders apply no policy, and the line says why', async () => {
    const requests: string[] = [];
    const listener = (request: { headers: { host?: string } }) => requests.push(request.headers.host ?? '');
    policyServer.on('request', listener);
    try {
      const diagnosis = await runCheck({
        mtaSts: { ca: [ca.cert], port: policyPort, allowAddress: () => 'a loopback address' },
      })(mxCheck('example.test'));
      const [probed] = diagnosis.mxTransport ?? [];
      expect(probed?.mtaSts).toEqual({
        mode: null,
        pattern: null,
        certificate: 'valid',
        problem: expect.stringContaining('127.0.0.1 (a loopback address)'),
      });
      expect(requests).toEqual([]);
    } finally {
      policyServer.off('request', listener);
    }
  });

  test('the MTA-STS record lookup fails: MTA-STS is left out, DANE still said', async () => {
    const diagnosis = await runCheck()(mxCheck('failing.test'));
    expect(diagnosis.mxTransport).toEqual([
      {
        exchange: 'mx1.secure.test',
        probed: true,
        port: smtp.port,
        dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: true, by: '3 1 1' },
      },
    ]);
  });
});

describe('an MX check when nothing can be learnt, and checks that are not MX checks', () => {
  const unreachable = {
    validatingDns: () => createValidatingDns({ server: UNREACHABLE_RESOLVER, timeoutMs: 500 }),
  };

  test('neither the MTA-STS record nor any TLSA answer: no lines, and the check is whole', async () => {
    const diagnosis = await runCheck(unreachable)(mxCheck('failing.test'));
    expect(diagnosis.ports[0]?.class).toBe('open-starttls');
    expect(diagnosis.mxTransport).toBeUndefined();
  });

  test('the TLSA answers are missing: MTA-STS alone is said', async () => {
    const diagnosis = await runCheck(unreachable)(mxCheck('wrongname.test'));
    expect(diagnosis.mxTransport).toEqual([
      {
        exchange: 'mx.plain.test',
        probed: true,
        port: smtp.port,
        mtaSts: { mode: 'testing', pattern: 'mx.plain.test', certificate: 'name-mismatch' },
      },
    ]);
  });

  test('a host check asks no MTA-STS question', async () => {
    const asked = dns.queries.length;
    const diagnosis = await runCheck(unreachable)({ target: '127.0.0.1', ports: [smtp.port], mx: 'auto' });
    expect(diagnosis.mx).toBeNull();
    expect(diagnosis.mxTransport).toBeUndefined();
    expect(dns.queries.slice(asked).filter((query) => query.includes('_mta-sts'))).toEqual([]);
  });

  test('a scheduled re-check of an MX domain skips it', async () => {
    const asked = dns.queries.length;
    const diagnosis = await runCheck(unreachable)(mxCheck('wrongname.test'), { priority: 'scheduled' });
    expect(diagnosis.mx?.hosts).toEqual([{ exchange: 'mx.plain.test', priority: 10 }]);
    expect(diagnosis.mxTransport).toBeUndefined();
    expect(dns.queries.slice(asked).filter((query) => query.includes('_mta-sts'))).toEqual([]);
  });
});
