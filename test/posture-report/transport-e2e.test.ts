import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProbePort25 } from '../../src/check/probe-port25.js';
import { DEFAULT_BLOCKLIST_ZONES } from '../../src/posture/blocklists.js';
import { createPostureDns } from '../../src/posture/dns.js';
import { createTransportDeps } from '../../src/posture/transport-deps.js';
import { createCheckDomain } from '../../src/posture-report/check-domain.js';
import type { DomainReport } from '../../src/posture-report/types.js';
import { probeHost } from '../../src/probe/index.js';
import { createTestCa, type TestCa, type TestCertificate } from '../helpers/certs.js';
import { type DnsRecords, startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';
import { mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import {
  requireValidatingResolver,
  startValidatingResolver,
  type ValidatingResolver,
} from '../helpers/unbound.js';

// The whole transport half of the domain report, every part real: a validating Unbound in front
// of zones signed with ldns-signzone, a STARTTLS SMTP server whose chain is matched against TLSA,
// an HTTPS server with the MTA-STS policy, a blocklist zone on the local DNS server. Each domain
// breaks one thing, and the report must say it (and only it) with the issue's finding ids.

const skip = requireValidatingResolver();

let ca: TestCa;
let mxCertificate: TestCertificate;
let smtp: RunningServer;
let policyServer: Server;
let policyPort = 0;
const policies: Record<string, string> = {};
let dns: TestDnsServer;
let unbound: ValidatingResolver;

function spkiSha256(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

function certSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** A domain whose one MX host is our SMTP server, with MTA-STS and TLS-RPT published. */
function mailDomain(domain: string, extra: Record<string, DnsRecords> = {}): Record<string, DnsRecords> {
  return {
    [domain]: { MX: [{ exchange: `mx.${domain}`, priority: 10 }], TXT: ['v=spf1 mx -all'] },
    [`mx.${domain}`]: { A: ['127.0.0.1'] },
    [`_mta-sts.${domain}`]: { TXT: ['v=STSv1; id=20261208'] },
    [`mta-sts.${domain}`]: { A: ['127.0.0.1'] },
    [`_smtp._tls.${domain}`]: { TXT: [`v=TLSRPTv1; rua=mailto:tls@${domain}`] },
    [`_dmarc.${domain}`]: { TXT: ['v=DMARC1; p=reject'] },
    ...extra,
  };
}

const policy = (mx: string, mode = 'enforce') =>
  `version: STSv1\r\nmode: ${mode}\r\nmx: ${mx}\r\nmax_age: 86400\r\n`;

function checkDomain(port25 = smtp.port): (domain: string) => Promise<DomainReport> {
  const probePort25 = createProbePort25({
    probeHost,
    limits: QUICK_LIMITS,
    now: () => new Date(),
    extraCa: [ca.cert],
    port: port25,
  });
  const check = createCheckDomain({
    dns: () => createPostureDns({ servers: [dns.server] }),
    transport: () => {
      const deps = createTransportDeps({
        dnssecResolver: unbound.server,
        dnsblServers: [dns.server],
        dnsblZones: DEFAULT_BLOCKLIST_ZONES,
        probePort25,
        extraCa: [ca.cert],
      });
      return { ...deps, mtaSts: { ...deps.mtaSts, port: policyPort } };
    },
    now: () => new Date(),
  });
  return (domain) => check({ domain, selectors: [] });
}

const ids = (report: DomainReport) => report.findings.map((finding) => finding.id);

describe.skipIf(skip !== null)('the transport half of the domain report, every part real', () => {
  beforeAll(async () => {
    ca = createTestCa('transport test CA');
    mxCertificate = ca.issue({
      commonName: 'mx.secure.test',
      dnsNames: ['mx.secure.test', 'mx.renewed.test'],
    });
    smtp = await startSmtpServer({
      name: 'mx.secure.test',
      key: mxCertificate.key,
      cert: mxCertificate.cert,
      disabledCommands: ['AUTH'],
    });
    const names = ['secure.test', 'renewed.test', 'uncovered.test', 'plain.test', 'bogus.test'];
    const stsCertificate = ca.issue({
      commonName: 'mta-sts.secure.test',
      dnsNames: names.map((n) => `mta-sts.${n}`),
    });
    policyServer = createServer(
      { key: stsCertificate.key, cert: stsCertificate.cert },
      (request, response) => {
        const host = (request.headers.host ?? '').replace(/^mta-sts\./, '').replace(/:\d+$/, '');
        const text = policies[host];
        if (request.url !== '/.well-known/mta-sts.txt' || text === undefined) response.writeHead(404).end();
        else response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
      },
    );
    await new Promise<void>((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
    policyPort = (policyServer.address() as AddressInfo).port;
    for (const name of names) policies[name] = policy(`mx.${name}`);
    policies['uncovered.test'] = policy('*.elsewhere.test');

    const spki = spkiSha256(mxCertificate.cert);
    dns = await startDnsServer({
      ...mailDomain('secure.test'),
      ...mailDomain('renewed.test'),
      ...mailDomain('uncovered.test'),
      ...mailDomain('plain.test'),
      ...mailDomain('bogus.test'),
      ...mailDomain('slow.test'),
      '1.0.0.127.in-addr.arpa': { PTR: ['mx.secure.test'] },
      // The MX address on Spamhaus ZEN (an SBL listing), the domain asked of DBL through a
      // "public resolver" (Spamhaus's refusal code, never a listing).
      '1.0.0.127.zen.spamhaus.org': {
        A: ['127.0.0.2'],
        TXT: ['Listed in SBL, see https://check.spamhaus.org/'],
      },
      'secure.test.dbl.spamhaus.org': { A: ['127.255.255.254'] },
    });
    const zone = (origin: string, signed: boolean | 'bogus', tlsa: string) => ({
      origin,
      signed,
      records: ['@ MX 10 mx', 'mx A 127.0.0.1', `_25._tcp.mx TLSA ${tlsa}`],
    });
    unbound = await startValidatingResolver({
      zones: [
        zone('secure.test', true, `3 1 1 ${spki}`),
        // The TLSA of the certificate before a renewal: the server now presents another one.
        zone('renewed.test', true, `3 0 1 ${'0f'.repeat(32)}`),
        zone('uncovered.test', true, `3 1 1 ${spki}`),
        zone('plain.test', false, `3 0 1 ${certSha256(mxCertificate.cert)}`),
        zone('bogus.test', 'bogus', `3 1 1 ${spki}`),
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await unbound?.close();
    await dns?.close();
    await smtp?.close();
    await new Promise((resolve) => policyServer?.close(resolve));
  });

  test('a domain that gets everything right: secure, DANE matches, MTA-STS covers, the greeting agrees', async () => {
    const report = await checkDomain()('secure.test');
    const { facts } = report;
    expect(facts.dnssec.domain.status).toBe('secure');
    expect(facts.dnssec.resolver).toBe(unbound.server);
    expect(facts.port25[0]).toMatchObject({
      exchange: 'mx.secure.test',
      tls: true,
      greetingName: 'mx.secure.test',
    });
    expect(facts.dane[0]).toMatchObject({
      dnssec: 'secure',
      match: { matched: true, by: { usage: 3, selector: 1 } },
    });
    expect(facts.mtaSts.policy).toMatchObject({ mode: 'enforce', mx: ['mx.secure.test'] });
    expect(facts.mtaSts.coverage).toEqual([
      { exchange: 'mx.secure.test', pattern: 'mx.secure.test', certificate: 'valid' },
    ]);
    expect(facts.tlsRpt.rua).toEqual(['mailto:tls@secure.test']);
    expect(facts.reverseDns.addresses[0]).toMatchObject({
      address: '127.0.0.1',
      ptr: ['mx.secure.test'],
      forwardConfirmed: true,
      greetingConsistent: true,
    });
    const found = ids(report);
    for (const id of [
      'dane-mismatch',
      'dnssec-bogus',
      'mta-sts-mx-not-covered',
      'mta-sts-certificate-mismatch',
    ])
      expect(found).not.toContain(id);
    // The blocklists: the MX address is listed, and the DBL refusal is a refusal.
    expect(found).toContain('dnsbl-listed');
    expect(found).toContain('dnsbl-query-refused');
    const dbl = facts.blocklists.results.find((result) => result.zone === 'dbl.spamhaus.org');
    expect(dbl?.status).toBe('refused');
  }, 30_000);

  test('a TLSA left behind after a renewal is a critical dane-mismatch', async () => {
    const report = await checkDomain()('renewed.test');
    expect(report.facts.dane[0]).toMatchObject({ dnssec: 'secure', match: { matched: false } });
    expect(report.findings.find((finding) => finding.id === 'dane-mismatch')?.severity).toBe('critical');
  }, 30_000);

  test('an enforced policy whose mx patterns miss the MX host is critical', async () => {
    const report = await checkDomain()('uncovered.test');
    expect(report.facts.mtaSts.coverage[0]).toMatchObject({ pattern: null });
    expect(report.findings.find((finding) => finding.id === 'mta-sts-mx-not-covered')?.severity).toBe(
      'critical',
    );
  }, 30_000);

  test('TLSA in an unsigned zone does nothing: dane-without-dnssec, never dane-mismatch', async () => {
    const report = await checkDomain()('plain.test');
    expect(report.facts.dnssec.domain.status).toBe('insecure');
    expect(report.facts.dane[0]).toMatchObject({ dnssec: 'insecure' });
    expect(ids(report)).toContain('dane-without-dnssec');
    expect(ids(report)).not.toContain('dane-mismatch');
  }, 30_000);

  test('a zone whose signatures do not validate is dnssec-bogus, with the resolver’s Extended DNS Error', async () => {
    const report = await checkDomain()('bogus.test');
    expect(report.facts.dnssec.domain).toMatchObject({ status: 'bogus', extendedError: { code: 6 } });
    expect(report.findings.find((finding) => finding.id === 'dnssec-bogus')?.severity).toBe('critical');
  }, 30_000);

  test.each([
    ['that greets after a pause is judged on its greeting: it agrees with the MX name', 'mx.slow.test', true],
    ['that greets as another host is a ptr-greeting-mismatch', 'relay.elsewhere.test', false],
  ])(
    'a server %s',
    async (_name, greetingName, consistent) => {
      // A greet pause, as postscreen and greet_pause make: the probe waits for the greeting.
      const server = await startScriptedServer(
        mtaScript({
          greetDelayMs: 1_000,
          greeting: [`220 ${greetingName} ESMTP`],
          ehlo: [`250-${greetingName} hello`, '250 STARTTLS'],
          starttls: { ...mxCertificate, ehlo: [`250 ${greetingName} hello again`] },
        }),
      );
      try {
        const report = await checkDomain(server.port)('slow.test');
        expect(report.facts.port25[0]).toMatchObject({ greetingName, ehloName: greetingName, tls: true });
        expect(report.facts.reverseDns.addresses[0]).toMatchObject({
          address: '127.0.0.1',
          greetingConsistent: consistent,
        });
        const mismatch = report.findings.find((finding) => finding.id === 'ptr-greeting-mismatch');
        if (consistent) expect(mismatch).toBeUndefined();
        else expect(mismatch?.summary).toContain('relay.elsewhere.test');
      } finally {
        await server.close();
      }
    },
    30_000,
  );
});
