import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { MxHost, ProbeFailure, Resolver, ResolverIdentity } from './types.js';

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
export function createResolver(
  servers?: string[],
  options: { timeoutMs?: number; tries?: number } = {},
): Resolver {
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? DNS_TIMEOUT_MS,
    tries: options.tries ?? DNS_TRIES,
  });
  if (servers && servers.length > 0) resolver.setServers(servers);
  const identity: ResolverIdentity = {
    servers: resolver.getServers(),
    system: !servers || servers.length === 0,
  };
  const base: Resolver = {
    identity,
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
    identity,
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

/** "the resolver 127.0.0.1:5353", "the system resolver (127.0.0.53)". */
export function describeResolver(identity: ResolverIdentity | undefined): string {
  if (!identity) return 'the resolver';
  const servers = identity.servers.join(', ');
  if (identity.system) return servers ? `the system resolver (${servers})` : 'the system resolver';
  return `the resolver${identity.servers.length > 1 ? 's' : ''} ${servers}`;
}

/**
 * A question that got no answer, in words: timeout, SERVFAIL, REFUSED, an unreachable server.
 * `who` is describeResolver()'s phrase. The domain report words its failures with this too.
 */
export function dnsErrorMessage(code: string, name: string, type: string, who: string): string {
  switch (code) {
    case 'ETIMEOUT':
      return `${who} did not answer the ${type} query for ${name} (timeout)`;
    case 'ESERVFAIL':
      return `${who} answered SERVFAIL for ${name} ${type}: it could not get an answer (the domain's name servers failing, or DNSSEC)`;
    case 'EREFUSED':
      return `${who} refused the ${type} query for ${name} (REFUSED): it does not resolve names for this client`;
    case 'ECONNREFUSED':
      return `${who} could not be reached for ${name} ${type} (connection refused)`;
    default:
      return `resolving ${name} ${type} with ${who} failed (${code})`;
  }
}

/** What a DNS error code means, for `query` asked of `resolver`. */
function dnsFailure(code: string, query: string, resolver: Resolver): ProbeFailure {
  const who = describeResolver(resolver.identity);
  const [name = query, type = ''] = query.split(' ');
  const message = (() => {
    switch (code) {
      case 'ENOTFOUND':
      case 'ENONAME':
        return `${name} does not exist in DNS (NXDOMAIN from ${who})`;
      case 'ENODATA':
        return type === 'MX'
          ? `${name} has no MX record`
          : `${name} exists but has no A or AAAA record (answer from ${who})`;
      default:
        return dnsErrorMessage(code, name, type, who);
    }
  })();
  return {
    stage: 'resolve',
    kind: 'dns',
    code,
    message,
    query,
    ...(resolver.identity ? { resolver: resolver.identity } : {}),
  };
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
  const errors = [v4, v6].flatMap((result, index) =>
    result.status === 'rejected'
      ? [{ code: errorCode(result.reason), type: index === 0 ? 'A' : 'AAAA' }]
      : [],
  );
  // A resolver failure says more than "no such name" from the other query; NXDOMAIN more than NODATA.
  const hard = errors.find((error) => !NO_ANSWER.has(error.code));
  if (hard) return { ok: false, failure: dnsFailure(hard.code, `${name} ${hard.type}`, resolver) };
  const code = errors.some((error) => error.code === 'ENOTFOUND' || error.code === 'ENONAME')
    ? 'ENOTFOUND'
    : 'ENODATA';
  return { ok: false, failure: dnsFailure(code, `${name} A`, resolver) };
}

export type MxResult = { ok: true; hosts: MxHost[] } | { ok: false; failure: ProbeFailure };

/**
 * MX hosts in preference order; `hosts: []` when the name exists and has none (RFC 5321 §5.1:
 * then the name itself is the mail host). A name that does not exist, or a lookup that failed
 * (timeout, SERVFAIL, REFUSED), is a failure: it says nothing about where mail goes.
 */
export async function resolveMxHosts(name: string, resolver: Resolver): Promise<MxResult> {
  try {
    const records = await resolver.resolveMx(name);
    return {
      ok: true,
      hosts: [...records].sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange)),
    };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENODATA') return { ok: true, hosts: [] };
    return { ok: false, failure: dnsFailure(code, `${name} MX`, resolver) };
  }
}
