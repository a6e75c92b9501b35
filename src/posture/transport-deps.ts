import { createPostureDns } from './dns.js';
import type { TransportDeps } from './gather-transport.js';
import type { BlocklistZone, ProbePort25 } from './transport-types.js';
import { createValidatingDns } from './validating-dns.js';

export interface TransportOptions {
  /** False: MX hosts are not probed even with `probePort25` (DOMAIN_MX_PROBE=off, `--no-probe`). */
  probeMx?: boolean;
  /** One validating resolver (`127.0.0.1:53`); null: the system's first. */
  dnssecResolver: string | null;
  /** Who asks the blocklists; empty: the system's resolvers. */
  dnsblServers: string[];
  dnsblZones: readonly BlocklistZone[];
  /** Absent: MX hosts are not probed. */
  probePort25?: ProbePort25;
  /** Extra CA certificates (PEM) for the MTA-STS policy's HTTPS, as for the probes. */
  extraCa?: string[];
  /**
   * The target policy's word on an address the MTA-STS fetch would dial: why not, or null. Absent:
   * every address (the terminal, where the user's own network is theirs to ask).
   */
  allowAddress?: (address: string, host: string) => string | null;
}

/**
 * The transport checks' network parts for one report: a fresh blocklist resolver (its own cache
 * and budget: lists are asked through DNSBL_RESOLVER, not the report's resolver) and validating
 * resolver each time, so a watch tick never answers from the previous tick.
 */
export function createTransportDeps(options: TransportOptions): Omit<TransportDeps, 'dns'> {
  return {
    validatingDns: createValidatingDns(
      options.dnssecResolver !== null ? { server: options.dnssecResolver } : {},
    ),
    blocklistDns: createPostureDns(options.dnsblServers.length > 0 ? { servers: options.dnsblServers } : {}),
    blocklistZones: options.dnsblZones,
    ...(options.probePort25 && options.probeMx !== false ? { probePort25: options.probePort25 } : {}),
    mtaSts: {
      allowAddress: options.allowAddress ?? (() => null),
      ...(options.extraCa ? { ca: options.extraCa } : {}),
    },
  };
}
