// The domain report against a local DNS server that holds every answer back 50 ms (a resolver a
// continent away): a domain with 3 MX hosts, an SPF tree of 9 lookups and a DMARC record with an
// external rua. Goal: p95 under 2 s. Run alone: `node --import tsx bench/domain-bench.ts`.
import { createPostureDns } from '../src/posture/dns.js';
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
    'mx1.example.com': { A: ['192.0.2.25'] },
    'mx2.example.com': { A: ['192.0.2.26'] },
    'mx3.example.net': { A: ['198.51.100.25'] },
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

export async function domainBench(runs = 40): Promise<DomainBenchFigures> {
  const server = await startDnsServer(zone());
  server.setDelay(DELAY_MS);
  try {
    const reportMs: number[] = [];
    let queries = 0;
    let spfLookups = 0;
    for (let run = 0; run < runs; run += 1) {
      const check = createCheckDomain({
        dns: () => createPostureDns({ servers: [server.server] }),
        transport: () => localTransport(server.server),
        now: () => new Date(),
      });
      const started = performance.now();
      const report = await check({ domain: 'example.com', selectors: [] });
      reportMs.push(performance.now() - started);
      queries = report.facts.queries.sent;
      spfLookups = report.facts.spf.lookups;
      if (report.facts.spf.lookups !== 9 || report.facts.mx.hosts.length !== 3) {
        throw new Error(
          `the bench zone is not what it claims: ${spfLookups} SPF lookups, ${report.facts.mx.hosts.length} MX`,
        );
      }
    }
    return { reportMs, p95Ms: percentile(reportMs, 95), queries, spfLookups, delayMs: DELAY_MS };
  } finally {
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
