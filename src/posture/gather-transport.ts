import { gatherBlocklists } from './blocklists.js';
import { gatherDane } from './dane.js';
import { gatherDnssec } from './dnssec.js';
import { fetchMtaSts, type MtaStsFetchOptions, withCoverage } from './mta-sts.js';
import { notProbed } from './port25-evidence.js';
import { gatherReverseDns } from './reverse-dns.js';
import { gatherTlsRpt } from './tls-rpt.js';
import type { BlocklistZone, DaneHostFacts, ProbePort25, TransportFacts } from './transport-types.js';
import type { MxFacts, PostureDns } from './types.js';
import type { ValidatingDns } from './validating-dns.js';

// The transport half of the domain report: MTA-STS, TLS-RPT, DNSSEC, DANE, reverse DNS and
// blocklists. What needs only the domain starts at once, beside part 1's questions; what needs the
// MX hosts starts when they are known; what needs a certificate waits for that host's port-25
// probe alone, so one slow MX host never holds the others.

/** MX hosts probed and checked for DANE, in MX order: enough for every real MX set we have met. */
export const MAX_TRANSPORT_MX_HOSTS = 5;

export interface TransportDeps {
  dns: PostureDns;
  /** The resolver whose AD flag says what DNSSEC validated. */
  validatingDns: ValidatingDns;
  /** Blocklists are asked through their own resolver (DNSBL_RESOLVER) and budget. */
  blocklistDns: PostureDns;
  blocklistZones: readonly BlocklistZone[];
  /** Absent: port 25 is not probed (DANE and MTA-STS certificates then say `not-probed`). */
  probePort25?: ProbePort25;
  mtaSts: MtaStsFetchOptions;
}

/** The hosts mail for the domain goes to: its MX hosts, or its own name for an implicit MX. */
export function mailHosts(domain: string, mx: MxFacts): Array<{ exchange: string; addresses: string[] }> {
  if (mx.nullMx) return [];
  if (mx.implicit)
    return mx.implicit.addresses.length > 0 ? [{ exchange: domain, addresses: mx.implicit.addresses }] : [];
  return [...mx.hosts]
    .sort((a, b) => a.priority - b.priority)
    .slice(0, MAX_TRANSPORT_MX_HOSTS)
    .map((host) => ({ exchange: host.exchange, addresses: host.addresses }));
}

/**
 * Gathers the transport facts. `mx` resolves with part 1's MX facts, so the questions that need
 * only the domain run while MX is still being asked.
 */
export async function gatherTransport(
  domain: string,
  ip: string | undefined,
  mx: Promise<MxFacts>,
  deps: TransportDeps,
): Promise<TransportFacts> {
  const mtaSts = fetchMtaSts(deps.dns, domain, deps.mtaSts);
  const tlsRpt = gatherTlsRpt(deps.dns, domain);
  const hosts = mailHosts(domain, await mx);
  const exchanges = hosts.map((host) => host.exchange);
  const probes = hosts.map((host) =>
    deps.probePort25
      ? deps.probePort25(host.exchange, host.addresses)
      : Promise.resolve(
          notProbed(host.exchange, 25, 'MX probes are off (DOMAIN_MX_PROBE=off, or --no-probe)'),
        ),
  );
  const dane = hosts.map((host, index) =>
    probes[index]?.then((evidence) => gatherDane(deps.validatingDns, host.exchange, evidence.certificate)),
  );
  const [dnssec, blocklists, port25] = await Promise.all([
    gatherDnssec(deps.validatingDns, domain, exchanges),
    gatherBlocklists(deps.blocklistDns, deps.blocklistZones, {
      ...(ip !== undefined ? { sendingIp: ip } : {}),
      mxAddresses: hosts.flatMap((host) => host.addresses.map((address) => ({ address }))),
      domain,
    }),
    Promise.all(probes),
  ]);
  const [reverseDns, daneHosts, policy, tlsRptFacts] = await Promise.all([
    gatherReverseDns(deps.dns, {
      ...(ip !== undefined ? { sendingIp: ip } : {}),
      mxHosts: hosts,
      evidence: port25,
    }),
    Promise.all(dane),
    mtaSts,
    tlsRpt,
  ]);
  return {
    port25,
    mtaSts: withCoverage(policy, exchanges, port25),
    tlsRpt: tlsRptFacts,
    dnssec,
    dane: daneHosts.filter((host): host is DaneHostFacts => host !== undefined),
    reverseDns,
    blocklists,
  };
}
