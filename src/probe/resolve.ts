import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { MxHost, ProbeFailure, Resolver } from './types.js';

const DNS_TIMEOUT_MS = 2_500;
const DNS_TRIES = 2;
// "No such name" and "no record of this type" are answers; anything else is a resolver failure.
const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME']);

/**
 * Name resolution on node:dns. With `servers` ("127.0.0.1:5353", "[::1]:53") every query goes
 * there and nowhere else; without, the system's resolvers are used, and names the DNS does not
 * know (`localhost` and other /etc/hosts entries) fall back to the system lookup. The fallback is
 * left out when servers are given: it would ask the system resolver behind the caller's back.
 */
export function createResolver(servers?: string[]): Resolver {
  const resolver = new dns.Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  if (servers && servers.length > 0) resolver.setServers(servers);
  const base: Resolver = {
    resolve4: (host) => resolver.resolve4(host),
    resolve6: (host) => resolver.resolve6(host),
    resolveMx: async (host) =>
      (await resolver.resolveMx(host)).map(({ exchange, priority }) => ({ exchange, priority })),
  };
  if (servers && servers.length > 0) return base;
  const lookup = async (host: string): Promise<string[]> =>
    (await dns.lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  // RFC 6761: `localhost` names are answered locally; never send them to the DNS servers.
  const local = (host: string): boolean => /(^|\.)localhost\.?$/i.test(host);
  return {
    resolve4: async (host) =>
      local(host) ? (await lookup(host)).filter((a) => isIP(a) === 4) : base.resolve4(host),
    resolve6: async (host) =>
      local(host) ? (await lookup(host)).filter((a) => isIP(a) === 6) : base.resolve6(host),
    resolveMx: base.resolveMx,
    lookup,
  };
}

/** An IP literal as typed (`192.0.2.1`, `::1`, `[::1]`), without brackets; null for a name. */
export function ipLiteral(target: string): string | null {
  const bare = target.startsWith('[') && target.endsWith(']') ? target.slice(1, -1) : target;
  return isIP(bare) === 0 ? null : bare;
}

export type AddressResult = { ok: true; addresses: string[] } | { ok: false; failure: ProbeFailure };

function errorCode(reason: unknown): string {
  return (reason as { code?: string } | null)?.code ?? 'EUNKNOWN';
}

/** A and AAAA in parallel (IPv4 first in the list); the system lookup when both are empty. */
export async function resolveAddresses(name: string, resolver: Resolver): Promise<AddressResult> {
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const addresses = [
    ...(v4.status === 'fulfilled' ? v4.value : []),
    ...(v6.status === 'fulfilled' ? v6.value : []),
  ];
  if (addresses.length > 0) return { ok: true, addresses };
  if (resolver.lookup) {
    try {
      const found = await resolver.lookup(name);
      if (found.length > 0) return { ok: true, addresses: found };
    } catch {
      // Reported below with the DNS answer, which says more.
    }
  }
  const errors = [v4, v6].flatMap((result) =>
    result.status === 'rejected' ? [errorCode(result.reason)] : [],
  );
  const hard = errors.find((code) => !NO_ANSWER.has(code));
  const code = hard ?? (errors.includes('ENOTFOUND') ? 'ENOTFOUND' : 'ENODATA');
  const message = hard
    ? `resolving ${name} failed (${hard})`
    : code === 'ENOTFOUND'
      ? `${name} does not exist in DNS (NXDOMAIN)`
      : `${name} has no A or AAAA record`;
  return { ok: false, failure: { stage: 'resolve', kind: 'dns', code, message } };
}

/** MX hosts in preference order; empty when there are none or they cannot be read. */
export async function resolveMxHosts(name: string, resolver: Resolver): Promise<MxHost[]> {
  try {
    const records = await resolver.resolveMx(name);
    return [...records].sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
  } catch {
    return [];
  }
}
