// The domain report against a local DNS server that holds every answer back 50 ms (a resolver a
// continent away): a domain with 3 MX hosts, an SPF tree of 9 lookups and a DMARC record with an
// external rua, and the transport half — each MX host's port 25 probed (a local STARTTLS server),
// the MTA-STS policy fetched over HTTPS, TLSA and DNSSEC asked of the same slow resolver, reverse
// DNS and the blocklists. Goal: p95 under 2 s. Run alone: `node --import tsx bench/domain-bench.ts`.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createProbePort25 } from '../src/check/probe-port25.js';
import { createPostureDns } from '../src/posture/dns.js';
import { probeHost } from '../src/probe/index.js';
import { DEFAULT_LIMITS } from '../src/probe/types.js';
import { createTestCa } from '../test/helpers/certs.js';
import { startSmtpServer } from '../test/helpers/smtp-test-server.js';
import { createCheckDomain } from '../src/posture-report/check-domain.js';
import { type DnsRecords, startDnsServer } from '../test/helpers/dns-server.js';
import { localTransport } from '../test/helpers/transport-deps.js';
import { percentile } from './stats.js';

export interface DomainBenchFigures {
  reportMs: number[];
  p95Ms: number;
  /** Questions one report sent, and the SPF lookups it counted. */
  queries: number;
  spfLookups: number;
  delayMs: number;
}

const DELAY_MS = 50;

/** example.com: SPF include → 3 includes (one nested) + a + mx + exists… 9 lookups in all. */
function zone(): Record<string, DnsRecords> {
  const spf = (record: string): DnsRecords => ({ TXT: [record] });
  return {
    'example.com': {
      MX: [
        { exchange: 'mx1.example.com', priority: 10 },
        { exchange: 'mx2.example.com', priority: 20 },
        { exchange: 'mx3.example.net', priority: 30 },
      ],
      A: ['192.0.2.10'],
      TXT: [
        'v=spf1 a mx include:_spf.example.com include:sendgrid.net include:mailgun.org include:_spf.google.com -all',
        'google-site-verification=abc',
      ],
    },
    // Every MX host is the local STARTTLS server: the probes never leave loopback.
    'mx1.example.com': { A: ['127.0.0.1'] },
    'mx2.example.com': { A: ['127.0.0.1'] },
    'mx3.example.net': { A: ['127.0.0.1'] },
    '1.0.0.127.in-addr.arpa': { PTR: ['mx1.example.com'] },
    '_mta-sts.example.com': { TXT: ['v=STSv1; id=20261208'] },
    'mta-sts.example.com': { A: ['127.0.0.1'] },
    '_smtp._tls.example.com': { TXT: ['v=TLSRPTv1; rua=mailto:tls@example.com'] },
    '_spf.example.com': spf('v=spf1 ip4:192.0.2.0/24 exists:relay.example.com -all'),
    'relay.example.com': { A: ['127.0.0.2'] },
    'sendgrid.net': spf('v=spf1 ip4:167.89.0.0/17 ~all'),
    'mailgun.org': spf('v=spf1 include:_spf.mailgun.org ~all'),
    '_spf.mailgun.org': spf('v=spf1 ip4:209.61.151.0/24 ~all'),
    '_spf.google.com': spf('v=spf1 include:_netblocks.google.com ~all'),
    '_netblocks.google.com': spf('v=spf1 ip4:35.190.247.0/24 ~all'),
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example.net'] },
    'example.com._report._dmarc.reports.example.net': { TXT: ['v=DMARC1'] },
    's1._domainkey.example.com': { TXT: ['v=DKIM1; k=rsa; p='] },
  };
}

const POLICY =
  'version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmx: mx3.example.net\r\nmax_age: 86400\r\n';

/** The MX hosts' STARTTLS server and the MTA-STS policy's HTTPS server, with a CA of the run's own. */
async function mailServers(): Promise<{
  ca: string;
  smtpPort: number;
  httpsPort: number;
  close(): Promise<void>;
}> {
  const ca = createTestCa('bench CA');
  const mx = ca.issue({
    commonName: 'mx1.example.com',
    dnsNames: ['mx1.example.com', 'mx2.example.com', 'mx3.example.net'],
  });
  const sts = ca.issue({ commonName: 'mta-sts.example.com' });
  const smtp = await startSmtpServer({ name: 'mx1.example.com', key: mx.key, cert: mx.cert });
  const https = createServer({ key: sts.key, cert: sts.cert }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(POLICY);
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  return {
    ca: ca.cert,
    smtpPort: smtp.port,
    httpsPort: (https.address() as AddressInfo).port,
    close: async () => {
      await smtp.close();
      await new Promise((resolve) => https.close(resolve));
    },
  };
}

export async function domainBench(runs = 40): Promise<DomainBenchFigures> {
  const server = await startDnsServer(zone());
  server.setDelay(DELAY_MS);
  const mail = await mailServers();
  try {
    const reportMs: number[] = [];
    let queries = 0;
    let spfLookups = 0;
    for (let run = 0; run < runs; run += 1) {
      const probePort25 = createProbePort25({
        probeHost,
        limits: DEFAULT_LIMITS,
        now: () => new Date(),
        extraCa: [mail.ca],
        port: mail.smtpPort,
      });
      const check = createCheckDomain({
        dns: () => createPostureDns({ servers: [server.server] }),
        transport: () => {
          const deps = localTransport(server.server, { probePort25, extraCa: [mail.ca] });
          return { ...deps, mtaSts: { ...deps.mtaSts, port: mail.httpsPort } };
        },
        now: () => new Date(),
      });
      const started = performance.now();
      const report = await check({ domain: 'example.com', selectors: [] });
      reportMs.push(performance.now() - started);
      queries = report.facts.queries.sent;
      spfLookups = report.facts.spf.lookups;
      const probed = report.facts.port25.filter((evidence) => evidence.tls).length;
      const covered = report.facts.mtaSts.coverage.filter((host) => host.certificate === 'valid').length;
      if (
        report.facts.spf.lookups !== 9 ||
        report.facts.mx.hosts.length !== 3 ||
        probed !== 3 ||
        covered !== 3
      ) {
        throw new Error(
          `the bench zone is not what it claims: ${spfLookups} SPF lookups, ${report.facts.mx.hosts.length} MX, ` +
            `${probed} MX hosts probed with TLS, ${covered} covered by MTA-STS`,
        );
      }
    }
    return { reportMs, p95Ms: percentile(reportMs, 95), queries, spfLookups, delayMs: DELAY_MS };
  } finally {
    await mail.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await domainBench();
  const p50 = percentile(figures.reportMs, 50);
  process.stdout.write(
    `domain report, ${figures.delayMs} ms per DNS answer: p50 ${p50.toFixed(0)} ms, p95 ${figures.p95Ms.toFixed(0)} ms ` +
      `(goal < 2000 ms), ${figures.queries} questions, ${figures.spfLookups} SPF lookups, n=${figures.reportMs.length}\n`,
  );
}
