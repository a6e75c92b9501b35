import { dkimSelectorsToTry, gatherDkim } from './dkim-keys.js';
import { gatherBimi } from './bimi-record.js';
import { gatherDmarc } from './dmarc-facts.js';
import { gatherTransport, type TransportDeps } from './gather-transport.js';
import { gatherMx } from './mx-facts.js';
import { gatherSendingAddress } from './sending-address.js';
import { gatherSpf } from './spf/gather-spf.js';
import type { PostureDns, PostureFacts, PostureRequest } from './types.js';

/**
 * Everything DNS says about the domain's mail, asked at once: MX, SPF, DMARC, BIMI and the
 * sending address side by side. DKIM goes with them when selectors are given; otherwise it waits
 * for SPF and MX, whose providers say which selectors to guess. The transport checks (MTA-STS,
 * DNSSEC, DANE, reverse DNS, blocklists) start beside them and wait only for what they need.
 */
export async function gatherPosture(
  request: PostureRequest,
  deps: { dns: PostureDns; now: () => Date; transport: Omit<TransportDeps, 'dns'> },
): Promise<PostureFacts> {
  const { dns, now } = deps;
  const started = now();
  const { domain, ip } = request;
  const mx = gatherMx(dns, domain);
  const spf = gatherSpf(dns, domain, ip !== undefined ? { ip } : {});
  const dkim =
    request.selectors.length > 0
      ? gatherDkim(dns, domain, dkimSelectorsToTry(request.selectors, [], []))
      : Promise.all([spf, mx]).then(([spfFacts, mxFacts]) =>
          gatherDkim(
            dns,
            domain,
            dkimSelectorsToTry(
              [],
              spfFacts.providers,
              mxFacts.hosts.map((host) => host.exchange),
            ),
          ),
        );
  const transport = gatherTransport(domain, ip, mx, { ...deps.transport, dns });
  const [mxFacts, spfFacts, dkimKeys, dmarc, bimi, sendingAddress, transportFacts] = await Promise.all([
    mx,
    spf,
    dkim,
    gatherDmarc(dns, domain),
    gatherBimi(dns, domain),
    ip !== undefined ? gatherSendingAddress(dns, ip) : undefined,
    transport,
  ]);
  return {
    request,
    checkedAt: started.toISOString(),
    durationMs: Math.max(0, now().getTime() - started.getTime()),
    resolver: dns.resolver,
    mx: mxFacts,
    spf: spfFacts,
    dkim: dkimKeys,
    dmarc,
    bimi,
    ...(sendingAddress !== undefined ? { sendingAddress } : {}),
    ...transportFacts,
    queries: dns.queries(),
  };
}
