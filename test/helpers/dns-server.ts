import { type Socket, createSocket } from 'node:dgram';
import { type Server, type Socket as TcpSocket, createServer, isIPv6 } from 'node:net';

// A tiny DNS server on 127.0.0.1, port 0, answering from a table as a recursive resolver would
// (CNAME chains followed, SOA in negative answers, big answers truncated over UDP and served over
// TCP on the same port), so no test ever sends a query to the machine's configured resolver.

export type DnsRecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'PTR' | 'NS';

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  MX?: Array<{ exchange: string; priority: number }>;
  /**
   * One entry per record. A `string[]` is one record made of several character-strings; a plain
   * string longer than 255 bytes is split into 255-byte character-strings, as publishers do.
   */
  TXT?: Array<string | string[]>;
  /** The name is an alias: questions of other types are answered with the chain, as a resolver does. */
  CNAME?: string;
  /** Names, for reverse names such as `5.113.0.203.in-addr.arpa`. */
  PTR?: string[];
  NS?: string[];
  /** Answer every question about the name with this error instead (a failing resolver). */
  rcode?: 'SERVFAIL' | 'REFUSED';
  /** Answer only questions of these types with `rcode` (default: all). */
  rcodeFor?: DnsRecordType[];
  /** Never answer questions about the name (a resolver that times out). */
  silent?: boolean;
}

export interface DnsServerOptions {
  /** Every answer leaves this long after its question arrived (a distant resolver). */
  delayMs?: number;
}

export interface DnsQueryLogEntry {
  name: string;
  /** The question's type (`TXT`), or its number when the server does not know it. */
  type: string;
  transport: 'udp' | 'tcp';
}

export interface TestDnsServer {
  /** For createResolver([...]): UDP and TCP both listen on this port. */
  server: string;
  /** Every question received, as `NAME TYPE`. */
  queries: string[];
  /** Every question received, with the transport it came over. */
  log: DnsQueryLogEntry[];
  /** Adds or replaces a name's records while the server runs. */
  set(name: string, records: DnsRecords): void;
  /** Delays every answer from now on by `ms`. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const RCODES = { SERVFAIL: 2, REFUSED: 5 } as const;
const NOERROR = 0;
const NXDOMAIN = 3;
const TYPE_CODES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28 } as const;
const OPT = 41;
const TYPES: Record<number, DnsRecordType> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
};
// Resolvers give up on longer chains too (BIND's limit is 16; 8 is enough for any test).
const MAX_CNAME_STEPS = 8;
const CLASSIC_UDP_SIZE = 512;
const OUR_UDP_SIZE = 1232;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

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

/** The UDP payload size an EDNS0 OPT record in the additional section advertises, if any. */
function advertisedUdpSize(query: Buffer, questionEnd: number): number | null {
  let offset = questionEnd;
  const additional = query.readUInt16BE(10);
  for (let index = 0; index < additional && offset < query.length; index += 1) {
    const length = query[offset]!;
    // Only the root name or a pointer appear here in practice.
    offset += length >= 0xc0 ? 2 : readName(query, offset).end - offset;
    if (offset + 10 > query.length) return null;
    const type = query.readUInt16BE(offset);
    const size = query.readUInt16BE(offset + 2);
    if (type === OPT) return size;
    offset += 10 + query.readUInt16BE(offset + 8);
  }
  return null;
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

function characterStrings(record: string | string[]): Buffer {
  const chunks: Buffer[] = [];
  if (Array.isArray(record)) {
    for (const text of record) {
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length > 255) throw new Error(`a TXT character-string holds 255 bytes at most: "${text}"`);
      chunks.push(bytes);
    }
  } else {
    const bytes = Buffer.from(record, 'utf8');
    for (let start = 0; start === 0 || start < bytes.length; start += 255)
      chunks.push(bytes.subarray(start, start + 255));
  }
  return Buffer.concat(chunks.flatMap((chunk) => [Buffer.from([chunk.length]), chunk]));
}

function record(name: Buffer, type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(60, 4); // TTL
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([name, fixed, data]);
}

function answers(records: DnsRecords, type: DnsRecordType, owner: Buffer): Buffer[] {
  const code = TYPE_CODES[type];
  const names = (list: string[] | undefined) =>
    (list ?? []).map((name) => record(owner, code, encodeName(name)));
  switch (type) {
    case 'A':
      return (records.A ?? []).map((ip) => record(owner, code, Buffer.from(ip.split('.').map(Number))));
    case 'AAAA':
      return (records.AAAA ?? []).filter(isIPv6).map((ip) => record(owner, code, ipv6Bytes(ip)));
    case 'MX':
      return (records.MX ?? []).map((mx) => {
        const preference = Buffer.alloc(2);
        preference.writeUInt16BE(mx.priority, 0);
        return record(owner, code, Buffer.concat([preference, encodeName(mx.exchange)]));
      });
    case 'TXT':
      return (records.TXT ?? []).map((txt) => record(owner, code, characterStrings(txt)));
    case 'CNAME':
      return names(records.CNAME === undefined ? [] : [records.CNAME]);
    case 'PTR':
      return names(records.PTR);
    case 'NS':
      return names(records.NS);
  }
}

/** A made-up SOA for the name's registrable-looking parent, so negative answers look like real ones. */
function soa(name: string): Buffer {
  const zone = name.split('.').slice(-2).join('.');
  const timers = Buffer.alloc(20);
  for (const [index, value] of [1, 3600, 600, 86400, 60].entries()) timers.writeUInt32BE(value, index * 4);
  const data = Buffer.concat([encodeName(`ns.${zone}`), encodeName(`hostmaster.${zone}`), timers]);
  return record(encodeName(zone), TYPE_CODES.SOA, data);
}

function opt(): Buffer {
  const fixed = Buffer.alloc(11);
  fixed.writeUInt16BE(OPT, 1);
  fixed.writeUInt16BE(OUR_UDP_SIZE, 3);
  return fixed;
}

/** The answer section and rcode for a question, or null when some name on the way is silent. */
function resolve(
  table: Record<string, DnsRecords>,
  name: string,
  type: DnsRecordType | undefined,
): { rcode: number; answers: Buffer[]; last: string } | null {
  const chain: Buffer[] = [];
  let current = name;
  for (let step = 0; ; step += 1) {
    const records = table[current];
    if (!records) return { rcode: NXDOMAIN, answers: chain, last: current };
    if (records.silent) return null;
    if (records.rcode && (!records.rcodeFor || (type !== undefined && records.rcodeFor.includes(type))))
      return { rcode: RCODES[records.rcode], answers: [], last: current };
    const owner = encodeName(current);
    if (type !== 'CNAME' && records.CNAME !== undefined) {
      if (step === MAX_CNAME_STEPS) return { rcode: RCODES.SERVFAIL, answers: [], last: current };
      chain.push(...answers(records, 'CNAME', owner));
      current = normalise(records.CNAME);
      continue;
    }
    return {
      rcode: NOERROR,
      answers: type ? [...chain, ...answers(records, type, owner)] : chain,
      last: current,
    };
  }
}

function respond(
  query: Buffer,
  table: Record<string, DnsRecords>,
  transport: 'udp' | 'tcp',
  queries: string[],
  log: DnsQueryLogEntry[],
): Buffer | null {
  if (query.length < 12) return null;
  const { name, end } = readName(query, 12);
  if (end + 4 > query.length) return null;
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const type = TYPES[qtype];
  queries.push(`${name} ${type ?? qtype}`);
  log.push({ name, type: type ?? String(qtype), transport });
  const resolved = resolve(table, name, type);
  if (!resolved) return null;
  const udpSize = advertisedUdpSize(query, end + 4);
  const additional = udpSize === null ? [] : [opt()];
  const authority =
    resolved.rcode === NXDOMAIN || (resolved.rcode === NOERROR && resolved.answers.length === 0)
      ? [soa(resolved.last)]
      : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  const recursionDesired = query[2]! & 0x01;
  header[2] = 0x84 | recursionDesired; // response, authoritative
  header[3] = resolved.rcode;
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(resolved.answers.length, 6);
  header.writeUInt16BE(authority.length, 8);
  header.writeUInt16BE(additional.length, 10);
  const reply = Buffer.concat([header, question, ...resolved.answers, ...authority, ...additional]);
  const limit = Math.max(CLASSIC_UDP_SIZE, udpSize ?? 0);
  if (transport === 'tcp' || reply.length <= limit) return reply;
  // Truncated: no records at all, so the client has nothing to mistake for the whole answer.
  header[2] = header[2]! | 0x02;
  header.writeUInt16BE(0, 6);
  header.writeUInt16BE(0, 8);
  return Buffer.concat([header, question, ...additional]);
}

async function bindUdp(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

async function listenTcp(server: Server, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    };
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve(true);
    });
  });
}

/** Starts the server; names are matched case-insensitively, without a trailing dot. */
export async function startDnsServer(
  table: Record<string, DnsRecords>,
  options: DnsServerOptions = {},
): Promise<TestDnsServer> {
  const normalised = Object.fromEntries(
    Object.entries(table).map(([name, records]) => [normalise(name), records]),
  );
  const queries: string[] = [];
  const log: DnsQueryLogEntry[] = [];
  let delayMs = options.delayMs ?? 0;
  const timers = new Set<NodeJS.Timeout>();
  const connections = new Set<TcpSocket>();
  let closed = false;

  const later = (send: () => void) => {
    if (delayMs <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) send();
    }, delayMs);
    timers.add(timer);
  };

  const tcp = createServer((connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    connection.on('error', () => connection.destroy());
    let pending = Buffer.alloc(0);
    connection.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        const reply = respond(message, normalised, 'tcp', queries, log);
        if (!reply) continue;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length, 0);
        later(() => {
          if (!connection.destroyed) connection.write(Buffer.concat([length, reply]));
        });
      }
    });
  });

  // TCP must listen on UDP's port number: a client retries a truncated answer there.
  let udp: Socket | undefined;
  for (let attempt = 0; attempt < 20 && !udp; attempt += 1) {
    const candidate = await bindUdp();
    if (await listenTcp(tcp, candidate.address().port)) udp = candidate;
    else await new Promise<void>((resolve) => candidate.close(() => resolve()));
  }
  if (!udp) throw new Error('no port on 127.0.0.1 was free for both UDP and TCP');
  const socket = udp;
  socket.on('message', (message, peer) => {
    const reply = respond(message, normalised, 'udp', queries, log);
    if (reply) later(() => socket.send(reply, peer.port, peer.address));
  });

  return {
    server: `127.0.0.1:${socket.address().port}`,
    set: (name, records) => {
      normalised[normalise(name)] = records;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    queries,
    log,
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const connection of connections) connection.destroy();
      await Promise.all([
        new Promise<void>((resolve) => socket.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
