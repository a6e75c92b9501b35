import { isIPv4, isIPv6 } from 'node:net';

// Addresses as bytes, so ip4/ip6/a/mx/ptr compare networks the same way for both families.

export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function ipv6Bytes(text: string): Uint8Array {
  let groups = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const embedded = text.slice(lastColon + 1);
  if (embedded.includes('.')) {
    const v4 = ipv4Bytes(embedded);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    groups = text.slice(0, lastColon + 1);
    // `::1.2.3.4` keeps its `::`; `a:b:c:d:e:f:1.2.3.4` loses a trailing colon.
    if (!groups.endsWith('::')) groups = groups.slice(0, -1);
  }
  const [head = '', rest] = groups.split('::');
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const front = parse(head);
  const back = [...(rest === undefined ? [] : parse(rest)), ...tail];
  const zeros = rest === undefined ? 0 : 8 - front.length - back.length;
  const words = [...front, ...Array<number>(zeros).fill(0), ...(rest === undefined ? tail : back)];
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

/**
 * An IPv4 or IPv6 address; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is its IPv4 address,
 * as RFC 7208 §5 asks (unless `mapIpv4` is false). Null for anything else (zone ids included).
 */
export function parseIpAddress(text: string, options: { mapIpv4?: boolean } = {}): IpAddress | null {
  if (isIPv4(text)) return { family: 4, bytes: ipv4Bytes(text) };
  if (!isIPv6(text) || text.includes('%')) return null;
  const bytes = ipv6Bytes(text);
  const mapped =
    options.mapIpv4 !== false &&
    bytes.subarray(0, 10).every((byte) => byte === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  if (mapped) return { family: 4, bytes: bytes.slice(12) };
  return { family: 6, bytes };
}

/** Whether `address` is in `network`/`prefix`; addresses of different families never match. */
export function ipInNetwork(address: IpAddress, network: IpAddress, prefix: number): boolean {
  if (address.family !== network.family) return false;
  const whole = Math.floor(prefix / 8);
  for (let index = 0; index < whole; index += 1) {
    if (address.bytes[index] !== network.bytes[index]) return false;
  }
  const bits = prefix % 8;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((address.bytes[whole] ?? 0) & mask) === ((network.bytes[whole] ?? 0) & mask);
}

/** The address as `%{i}` writes it: dotted decimal, or 32 dot-separated nibbles for IPv6. */
export function spfDottedAddress(address: IpAddress): string {
  if (address.family === 4) return [...address.bytes].join('.');
  return [...address.bytes]
    .flatMap((byte) => [(byte >> 4).toString(16), (byte & 0xf).toString(16)])
    .join('.');
}

/** The address in its usual text form (`%{c}`), IPv6 compressed as RFC 5952 writes it. */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) return [...address.bytes].join('.');
  const words = Array.from(
    { length: 8 },
    (_, index) => (address.bytes[index * 2]! << 8) | address.bytes[index * 2 + 1]!,
  );
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && words[start + length] === 0) length += 1;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
