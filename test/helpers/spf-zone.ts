import { createPostureDns } from '../../src/posture/dns.js';
import type { PostureDns } from '../../src/posture/types.js';
import { type DnsRecords, type TestDnsServer, startDnsServer } from './dns-server.js';

// A zone for SPF tests on the local test DNS server, and the report's DNS pointed at it alone.

export interface SpfZone {
  server: TestDnsServer;
  /** A fresh PostureDns (an empty cache) asking only the test server. */
  dns(): PostureDns;
  close(): Promise<void>;
}

export async function startSpfZone(table: Record<string, DnsRecords>): Promise<SpfZone> {
  const server = await startDnsServer(table);
  return {
    server,
    dns: () => createPostureDns({ servers: [server.server], timeoutMs: 1_000, tries: 1 }),
    close: () => server.close(),
  };
}

/** Runs `work` against a zone, closing the server afterwards. */
export async function withSpfZone<T>(
  table: Record<string, DnsRecords>,
  work: (zone: SpfZone) => Promise<T>,
): Promise<T> {
  const zone = await startSpfZone(table);
  try {
    return await work(zone);
  } finally {
    await zone.close();
  }
}

/** `count` domains `<prefix>1.example` … each including the next, the last one `-all`. */
export function includeChain(prefix: string, count: number): Record<string, DnsRecords> {
  const table: Record<string, DnsRecords> = {};
  for (let index = 1; index <= count; index += 1) {
    const next = index < count ? `include:${prefix}${index + 1}.example ` : '';
    table[`${prefix}${index}.example`] = { TXT: [`v=spf1 ${next}-all`] };
  }
  return table;
}
