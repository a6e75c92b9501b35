import { type Socket, createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

// A tiny authoritative DNS server on 127.0.0.1, port 0, answering A, AAAA and MX from a table, so
// no test ever sends a query to the machine's configured resolver.

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  MX?: Array<{ exchange: string; priority: number }>;
  /** Answer every question about the name with this error instead (a failing resolver). */
  rcode?: 'SERVFAIL' | 'REFUSED';
  /** Answer only questions of these types with `rcode` (default: all). */
  rcodeFor?: Array<'A' | 'AAAA' | 'MX'>;
  /** Never answer questions about the name (a resolver that times out). */
  silent?: boolean;
}

const RCODES = { SERVFAIL: 2, REFUSED: 5 } as const;

export interface TestDnsServer {
  /** For createResolver([...]). */
  server: string;
  /** Every question received, as `NAME TYPE`. */
  queries: string[];
  /** Adds or replaces a name's records while the server runs. */
  set(name: string, records: DnsRecords): void;
  close(): Promise<void>;
}

type RecordType = 'A' | 'AAAA' | 'MX';
const TYPES: Record<number, RecordType> = { 1: 'A', 28: 'AAAA', 15: 'MX' };
const TYPE_CODES = { A: 1, AAAA: 28, MX: 15 } as const;

function readName(message: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let offset = start;
  while (offset < message.length) {
    const length = message[offset]!;
    offset += 1;
    if (length === 0) break;
    labels.push(message.subarray(offset, offset + length).toString('latin1'));
    offset += length;
  }
  return { name: labels.join('.').toLowerCase(), end: offset };
}

function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, '')
    .split('.')
    .filter((label) => label.length > 0)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const zeros = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, zeros)).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  return bytes;
}

function record(name: Buffer, type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(60, 4); // TTL
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([name, fixed, data]);
}

function answers(records: DnsRecords, type: RecordType, owner: Buffer): Buffer[] {
  const code = TYPE_CODES[type];
  if (type === 'A')
    return (records.A ?? []).map((ip) => record(owner, code, Buffer.from(ip.split('.').map(Number))));
  if (type === 'AAAA')
    return (records.AAAA ?? []).filter(isIPv6).map((ip) => record(owner, code, ipv6Bytes(ip)));
  return (records.MX ?? []).map((mx) => {
    const preference = Buffer.alloc(2);
    preference.writeUInt16BE(mx.priority, 0);
    return record(owner, code, Buffer.concat([preference, encodeName(mx.exchange)]));
  });
}

function respond(query: Buffer, table: Record<string, DnsRecords>, queries: string[]): Buffer | null {
  if (query.length < 12) return null;
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const type = TYPES[qtype];
  queries.push(`${name} ${type ?? qtype}`);
  const records = table[name];
  if (records?.silent) return null;
  const failing =
    records?.rcode && (!records.rcodeFor || (type !== undefined && records.rcodeFor.includes(type)))
      ? RCODES[records.rcode]
      : null;
  const owner = encodeName(name);
  const body = records && type && failing === null ? answers(records, type, owner) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  const recursionDesired = query[2]! & 0x01;
  header[2] = 0x84 | recursionDesired; // response, authoritative
  header[3] = failing ?? (records ? 0 : 3); // SERVFAIL/REFUSED, NOERROR (NODATA when empty) or NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(body.length, 6);
  return Buffer.concat([header, question, ...body]);
}

/** Starts the server; names are matched case-insensitively, without a trailing dot. */
export async function startDnsServer(table: Record<string, DnsRecords>): Promise<TestDnsServer> {
  const normalised = Object.fromEntries(
    Object.entries(table).map(([name, records]) => [name.toLowerCase(), records]),
  );
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, peer) => {
    const reply = respond(message, normalised, queries);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    set: (name, records) => {
      normalised[name.toLowerCase()] = records;
    },
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
