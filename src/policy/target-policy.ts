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

/** The 16 bytes of an IPv6 address, or null when it is not one. */
function ipv6Bytes(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '');
  if (isIP(text) !== 6) return null;
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
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((group) =>
    Number.parseInt(group, 16),
  );
  if (groups.length !== 8 || groups.some((group) => Number.isNaN(group))) return null;
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

const v4 = (bytes: number[]): string => bytes.join('.');

/**
 * Every IPv4 address an IPv6 address reaches, by the standard translation and tunnelling forms:
 * - IPv4-mapped `::ffff:a.b.c.d` and the deprecated IPv4-compatible `::a.b.c.d`;
 * - SIIT's IPv4-translated `::ffff:0:a.b.c.d` (RFC 2765);
 * - NAT64: the well-known `64:ff9b::/96` (RFC 6052) and the local-use `64:ff9b:1::/48` (RFC 8215),
 *   whose operator may use any RFC 6052 prefix length inside the /48 — every reading is decoded,
 *   and the address is refused when any of them is internal;
 * - 6to4 `2002:AABB:CCDD::/48` (RFC 3056);
 * - Teredo `2001:0::/32` (RFC 4380): the server in bits 32–63, the client's address in the last
 *   32 bits, inverted. Packets go to both, so both are returned.
 * A relay turns each of these into packets to the IPv4 address, so the same rules apply to it.
 */
export function embeddedIpv4s(address: string): string[] {
  const b = ipv6Bytes(address);
  if (b === null) return [];
  const zero = (from: number, to: number) => b.slice(from, to).every((byte) => byte === 0);
  const last32 = b.slice(12, 16);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return [v4(last32)];
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12)) return [v4(last32)];
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] === 1)) return [v4(last32)];
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b;
  if (nat64 && zero(4, 12)) return [v4(last32)];
  if (nat64 && b[4] === 0x00 && b[5] === 0x01) {
    // RFC 6052 §2.2: the IPv4 address follows the prefix, skipping bits 64–71 (zero), and the
    // suffix after it is zero. The operator's prefix length is not visible in the address, so
    // every length that leaves those zero bits is a reading, and each reading is checked.
    const at = (indexes: number[], suffixFrom: number) =>
      zero(suffixFrom, 16) ? [v4(indexes.map((index) => b[index] ?? 0))] : [];
    const candidates = [
      v4(last32),
      ...(b[8] === 0
        ? [...at([9, 10, 11, 12], 13), ...at([7, 9, 10, 11], 12), ...at([6, 7, 9, 10], 11)]
        : []),
    ];
    // An all-zero reading only says that part of the address is unused by that layout.
    const readings = [...new Set(candidates)];
    const nonZero = readings.filter((reading) => reading !== '0.0.0.0');
    return nonZero.length > 0 ? nonZero : readings;
  }
  if (b[0] === 0x20 && b[1] === 0x02) return [v4(b.slice(2, 6))];
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3] === 0x00) {
    return [v4(b.slice(4, 8)), v4(last32.map((byte) => byte ^ 0xff))];
  }
  return [];
}

/** The first IPv4 address embedded in an IPv6 form (see embeddedIpv4s), or null. */
export function embeddedIpv4(address: string): string | null {
  return embeddedIpv4s(address)[0] ?? null;
}

/** The name of the refused range an address falls in, or null when it is public. */
export function refusedRange(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return V4_RANGES.find((range) => range.list.check(address, 'ipv4'))?.name ?? null;
  if (family !== 6) return 'not an IP address';
  for (const inner of embeddedIpv4s(address)) {
    const range = refusedRange(inner);
    if (range !== null) return `${range}, reached through an IPv6 form (${inner})`;
  }
  return V6_RANGES.find((range) => range.list.check(address, 'ipv6'))?.name ?? null;
}

export interface TargetPolicy {
  /**
   * Decides for one address about to be dialled. `host` is the name that address was resolved
   * from — the MX host when MX hosts are probed, not the domain typed — so an ALLOW_TARGETS name
   * exempts only what is dialled under that name.
   */
  checkAddress(host: string, address: string): AddressDecision;
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
    checkAddress(host, address) {
      const range = refusedRange(address);
      if (range === null) return { allowed: true };
      if (allowedNames.has(host.toLowerCase().replace(/\.$/, ''))) return { allowed: true };
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (allowed.check(address, family)) return { allowed: true };
      // An IPv6 form is allowed when every internal IPv4 address it reaches is allowed.
      const refusedInside = embeddedIpv4s(address).filter((inner) => refusedRange(inner) !== null);
      if (refusedInside.length > 0 && refusedInside.every((inner) => allowed.check(inner, 'ipv4'))) {
        return { allowed: true };
      }
      const v4 = refusedInside[0] ?? null;
      return {
        allowed: false,
        reason:
          `${address} is ${range}; the bot does not probe internal addresses. ` +
          `An admin can allow it with ALLOW_TARGETS=${family === 'ipv4' ? `${v4 ?? address}/32` : `${address}/128`} (or the host name).`,
      };
    },
  };
}
