import { DEFAULT_BLOCKLIST_ZONES } from '../../src/posture/blocklists.js';
import type { TransportDeps } from '../../src/posture/gather-transport.js';
import { createTransportDeps, type TransportOptions } from '../../src/posture/transport-deps.js';

/**
 * The domain report's transport parts pointed at one local DNS server (DNSSEC, blocklists): the
 * bot's defaults when only DNS_RESOLVER is set. No MX probe unless the test gives one.
 */
export function localTransport(
  server: string,
  options: Partial<TransportOptions> = {},
): Omit<TransportDeps, 'dns'> {
  return createTransportDeps({
    dnssecResolver: server,
    dnsblServers: [server],
    dnsblZones: DEFAULT_BLOCKLIST_ZONES,
    ...options,
  });
}
