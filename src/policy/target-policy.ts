import { BlockList, isIP } from 'node:net';
import type { AddressDecision } from '../probe/types.js';

// The bot dials wherever a chat message points, from inside the team's network. Without this
// policy it would be a port scanner for internal services and cloud metadata endpoints.

interface Range {
  cidr: string;
  name: string;
}

const IPV4_REFUSED: Range[] = [
  { cidr: '0.0.0.0/8', name: 'unspecified ("this network")' },
  { cidr: '10.0.0.0/8', name: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', name: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.0.0/16', name: 'link-local (includes the 169.254.169.254 cloud metadata service)' },
  { cidr: '172.16.0.0/12', name: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', name: 'reserved (former 6to4 relay)' },
  { cidr: '192.168.0.0/16', name: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', name: 'benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '240.0.0.0/4', name: 'reserved (includes broadcast)' },
];

const IPV6_REFUSED: Range[] = [
  { cidr: '::/128', name: 'unspecified' },
  { cidr: '::1/128', name: 'loopback' },
  { cidr: '100::/64', name: 'discard-only (RFC 6666)' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: 'fc00::/7', name: 'unique-local' },
  { cidr: 'fe80::/10', name: 'link-local' },
  { cidr: 'fec0::/10', name: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', name: 'multicast' },
];

interface CompiledRange extends Range {
  list: BlockList;
}

function compile(ranges: Range[], family: 'ipv4' | 'ipv6'): CompiledRange[] {
  return ranges.map((range) => {
    const [network, prefix] = range.cidr.split('/');
    const list = new BlockList();
    list.addSubnet(network ?? '', Number(prefix), family);
    return { ...range, list };
  });
}

const V4_RANGES = compile(IPV4_REFUSED, 'ipv4');
const V6_RANGES = compile(IPV6_REFUSED, 'ipv6');

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const octets = dotted[1].split('.').map(Number);
    const high = ((octets[0] ?? 0) << 8) | (octets[1] ?? 0);
    const low = ((octets[2] ?? 0) << 8) | (octets[3] ?? 0);
    text = `${text.slice(0, -dotted[1].length)}${high.toString(16)}:${low.toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = text.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((group) =>
    Number.parseInt(group, 16),
  );
}

function v4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The IPv4 address embedded in IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d),
 * NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) forms, which reach the IPv4 host.
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (g.length !== 8 || g.some((n) => Number.isNaN(n))) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((n) => n === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (zeros(0, 6) && ((g[6] ?? 0) !== 0 || (g[7] ?? 0) > 1)) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return v4FromGroups(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return v4FromGroups(g[1] ?? 0, g[2] ?? 0);
  return null;
}

/** The name of the refused range an address falls in, or null when it is public. */
export function refusedRange(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return V4_RANGES.find((range) => range.list.check(address, 'ipv4'))?.name ?? null;
  if (family !== 6) return 'not an IP address';
  const v4 = embeddedIpv4(address);
  if (v4 !== null) {
    const inner = refusedRange(v4);
    return inner === null ? null : `${inner}, reached through an IPv6 form (${v4})`;
  }
  return V6_RANGES.find((range) => range.list.check(address, 'ipv6'))?.name ?? null;
}

export interface TargetPolicy {
  /** Decides for one resolved address of `target` (the name the user typed, lower case). */
  checkAddress(target: string, address: string): AddressDecision;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

/**
 * Builds the policy from ALLOW_TARGETS: CIDRs (`127.0.0.0/8`, `fd00::/8`) and host names
 * (`mail.internal.example`, exact match) that are exempt from the refusal.
 */
export function createTargetPolicy(allowTargets: string[]): TargetPolicy {
  const allowed = new BlockList();
  const allowedNames = new Set<string>();
  for (const entry of allowTargets) {
    const [network, prefixText] = entry.split('/');
    const family = isIP(network ?? '');
    if (family !== 0) {
      const maxPrefix = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
        throw new PolicyError(`ALLOW_TARGETS entry ${entry}: prefix must be 0–${maxPrefix}`);
      }
      allowed.addSubnet(network ?? '', prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (/^[a-z0-9.-]+$/i.test(entry) && prefixText === undefined) {
      allowedNames.add(entry.toLowerCase().replace(/\.$/, ''));
    } else {
      throw new PolicyError(`ALLOW_TARGETS entry ${entry} is neither a CIDR (10.1.0.0/16) nor a host name`);
    }
  }

  return {
    checkAddress(target, address) {
      const range = refusedRange(address);
      if (range === null) return { allowed: true };
      if (allowedNames.has(target.toLowerCase())) return { allowed: true };
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (allowed.check(address, family)) return { allowed: true };
      const v4 = family === 'ipv6' ? embeddedIpv4(address) : null;
      if (v4 !== null && allowed.check(v4, 'ipv4')) return { allowed: true };
      return {
        allowed: false,
        reason:
          `${address} is ${range}; the bot does not probe internal addresses. ` +
          `An admin can allow it with ALLOW_TARGETS=${family === 'ipv4' ? `${v4 ?? address}/32` : `${address}/128`} (or the host name).`,
      };
    },
  };
}
