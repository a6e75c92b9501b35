import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import dns from 'node:dns';
import { connect, isIP } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Question } from 'dns-packet';
import type { ExtendedDnsError } from './transport-types.js';
import { bareHostName } from '../text/host-name.js';

// A validating resolver's verdict travels in bits node:dns does not show: the AD flag of the
// header, and the Extended DNS Error (RFC 8914) in the EDNS OPT record. So DNSSEC and DANE ask
// their questions here, on raw packets, one server at a time.

const DEFAULT_TIMEOUT_MS = 2_000;
// One retry: a lost UDP datagram is common enough to forgive once, not so common that a silent
// server deserves more of the report's time.
const TRIES = 2;
// RFC 9715 / DNS Flag Day 2020: big enough for signed answers, small enough not to fragment.
const UDP_PAYLOAD_BYTES = 1232;
const EDE_OPTION_CODE = 15;
// The resolver's EXTRA-TEXT is untrusted; a sentence is enough.
const MAX_EDE_TEXT = 300;

export const VALIDATING_QUESTION_TYPES = [
  'SOA',
  'A',
  'AAAA',
  'MX',
  'TXT',
  'TLSA',
  'NS',
  'DS',
  'DNSKEY',
] as const;
export type ValidatingQuestionType = (typeof VALIDATING_QUESTION_TYPES)[number];

/** What the server answered, with the header bits and EDNS option that node:dns drops. */
export interface DnsReply {
  kind: 'reply';
  /** `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, … as dns-packet names them. */
  rcode: string;
  /** The AD flag: the resolver validated the answer with DNSSEC. */
  authenticated: boolean;
  answers: Answer[];
  extendedError?: ExtendedDnsError;
  transport: 'udp' | 'tcp';
}

/** No usable answer: `malformed` is a TCP reply that did not decode or did not answer our question. */
export interface DnsNoReply {
  kind: 'timeout' | 'network' | 'malformed';
  message: string;
}

export type RawDnsAnswer = DnsReply | DnsNoReply;

export interface ValidatingDnsOptions {
  /** `127.0.0.1:53`, `[::1]:5353`, or a bare address for port 53. None: the system's first server. */
  server?: string;
  /** Per try; a question is tried twice over UDP, and once over TCP when the reply is truncated. */
  timeoutMs?: number;
}

export interface ValidatingDns {
  /** The server asked, as `127.0.0.1:53` or `[::1]:5353`: the report says who vouched. */
  readonly resolver: string;
  /** The server is the system's first (none was configured). */
  readonly system: boolean;
  /** Never throws: a timeout or an unreachable server is a value. */
  query(
    name: string,
    type: ValidatingQuestionType,
    options?: { checkingDisabled?: boolean },
  ): Promise<RawDnsAnswer>;
}

interface ServerAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

/**
 * A DNS client for a validating resolver: EDNS0 with DO set (so the resolver validates and says
 * so), a random id, the reply's id and question checked, one retry, TCP when the reply is
 * truncated. Without `server` it asks the first of node:dns's getServers() — the system resolver
 * from /etc/resolv.conf, or what dns.setServers() set — whose AD flag is only worth as much as
 * the path to it (RFC 6698 §4.1). Read from the default export: the named `getServers` export
 * keeps the servers of the moment node:dns was first imported.
 */
export function createValidatingDns(options: ValidatingDnsOptions = {}): ValidatingDns {
  const system = options.server === undefined;
  const server = parseServer(options.server ?? dns.getServers()[0] ?? '127.0.0.1');
  const resolver =
    server.family === 6 ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function query(
    rawName: string,
    type: ValidatingQuestionType,
    queryOptions: { checkingDisabled?: boolean } = {},
  ): Promise<RawDnsAnswer> {
    const question: Question = { name: bareHostName(rawName), type, class: 'IN' };
    const asked = `${question.name} ${type}`;
    let failure: DnsNoReply = { kind: 'timeout', message: '' };
    for (let attempt = 0; attempt < TRIES; attempt += 1) {
      const id = randomInt(0, 65_536);
      const packet = encodeQuery(question, id, queryOptions.checkingDisabled === true);
      const udp = await exchangeUdp(server, packet, (reply) => answers(reply, id, question), timeoutMs);
      if (!('flag_qr' in udp)) {
        failure = udp;
        continue;
      }
      if (!udp.flag_tc) return toReply(udp, 'udp');
      const tcp = await exchangeTcp(server, packet, (reply) => answers(reply, id, question), timeoutMs);
      return 'flag_qr' in tcp ? toReply(tcp, 'tcp') : describe(tcp, resolver, asked, timeoutMs);
    }
    return describe(failure, resolver, asked, timeoutMs);
  }

  return { resolver, system, query };
}

/** `127.0.0.1:53`, `[::1]:5353`, `::1`, `127.0.0.1`; throws for anything else (a configuration bug). */
function parseServer(text: string): ServerAddress {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(text);
  const withPort = /^([^:]+):(\d+)$/.exec(text);
  const [address, port] = bracketed
    ? [bracketed[1] ?? '', Number(bracketed[2])]
    : withPort
      ? [withPort[1] ?? '', Number(withPort[2])]
      : [text, 53];
  const family = isIP(address);
  if ((family !== 4 && family !== 6) || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TypeError(`not a DNS server address (IP or IP:port): ${text}`);
  }
  return { address, port, family };
}

function encodeQuery(question: Question, id: number, checkingDisabled: boolean): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED | (checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [question],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: UDP_PAYLOAD_BYTES,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: dnsPacket.DNSSEC_OK,
        flag_do: true,
        options: [],
      },
    ],
  });
}

/** The packet, when it decodes and answers our question under our id; anything else is not ours. */
function answers(bytes: Buffer, id: number, question: Question): DecodedPacket | null {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(bytes);
  } catch {
    return null;
  }
  const echoed = packet.questions?.[0];
  const ours =
    packet.flag_qr &&
    packet.id === id &&
    packet.questions?.length === 1 &&
    echoed?.type === question.type &&
    bareHostName(echoed.name) === question.name;
  return ours ? packet : null;
}

function toReply(packet: DecodedPacket, transport: 'udp' | 'tcp'): DnsReply {
  const rcode = (packet as DecodedPacket & { rcode?: string }).rcode ?? 'UNKNOWN';
  const extendedError = extendedErrorOf(packet);
  return {
    kind: 'reply',
    rcode,
    authenticated: packet.flag_ad,
    answers: packet.answers ?? [],
    ...(extendedError ? { extendedError } : {}),
    transport,
  };
}

function describe(failure: DnsNoReply, resolver: string, asked: string, timeoutMs: number): DnsNoReply {
  switch (failure.kind) {
    case 'timeout':
      return {
        kind: 'timeout',
        message: `${resolver} did not answer ${asked} (timeout, ${timeoutMs} ms a try)`,
      };
    case 'network':
      return {
        kind: 'network',
        message: `${resolver} could not be reached for ${asked} (${failure.message})`,
      };
    case 'malformed':
      return { kind: 'malformed', message: `${resolver} sent a reply to ${asked} that is not its answer` };
  }
}

type Accept = (bytes: Buffer) => DecodedPacket | null;

/**
 * One exchange's end, whichever comes first (the answer, an error, the deadline): the deadline is
 * cleared, the socket closed, the promise resolved — once.
 */
function settleOnce(
  timeoutMs: number,
  close: () => void,
  resolve: (result: DecodedPacket | DnsNoReply) => void,
): (result: DecodedPacket | DnsNoReply) => void {
  let settled = false;
  const finish = (result: DecodedPacket | DnsNoReply) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    close();
    resolve(result);
  };
  const timer = setTimeout(() => finish({ kind: 'timeout', message: 'timeout' }), timeoutMs);
  return finish;
}

/** One UDP try. A datagram that is not our answer (spoofed, late, garbage) is ignored, not fatal. */
function exchangeUdp(
  server: ServerAddress,
  packet: Buffer,
  accept: Accept,
  timeoutMs: number,
): Promise<DecodedPacket | DnsNoReply> {
  return new Promise((resolve) => {
    const socket = createSocket(server.family === 6 ? 'udp6' : 'udp4');
    const finish = settleOnce(timeoutMs, () => socket.close(), resolve);
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'network', message: error.code ?? error.message }),
    );
    socket.on('message', (bytes) => {
      const reply = accept(bytes);
      if (reply) finish(reply);
    });
    // Connected: the kernel drops datagrams from other sources, and an ICMP refusal surfaces.
    socket.connect(server.port, server.address, () => socket.send(packet));
  });
}

/** The same question over TCP (RFC 7766), for an answer too big for UDP. */
function exchangeTcp(
  server: ServerAddress,
  packet: Buffer,
  accept: Accept,
  timeoutMs: number,
): Promise<DecodedPacket | DnsNoReply> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.address, port: server.port });
    let received = Buffer.alloc(0);
    const finish = settleOnce(timeoutMs, () => socket.destroy(), resolve);
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'network', message: error.code ?? error.message }),
    );
    socket.on('close', () => finish({ kind: 'network', message: 'connection closed before the answer' }));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(packet.length);
      socket.write(Buffer.concat([length, packet]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length < 2 + size) return;
      finish(accept(received.subarray(2, 2 + size)) ?? { kind: 'malformed', message: 'malformed' });
    });
  });
}

/**
 * The Extended DNS Errors registry (RFC 8914 §5.2, codes 0–24; 27 from RFC 9276). Codes are
 * stable; a code not listed is named by its number.
 */
const EXTENDED_DNS_ERRORS: Readonly<Record<number, string>> = {
  0: 'Other Error',
  1: 'Unsupported DNSKEY Algorithm',
  2: 'Unsupported DS Digest Type',
  3: 'Stale Answer',
  4: 'Forged Answer',
  5: 'DNSSEC Indeterminate',
  6: 'DNSSEC Bogus',
  7: 'Signature Expired',
  8: 'Signature Not Yet Valid',
  9: 'DNSKEY Missing',
  10: 'RRSIGs Missing',
  11: 'No Zone Key Bit Set',
  12: 'NSEC Missing',
  13: 'Cached Error',
  14: 'Not Ready',
  15: 'Blocked',
  16: 'Censored',
  17: 'Filtered',
  18: 'Prohibited',
  19: 'Stale NXDOMAIN Answer',
  20: 'Not Authoritative',
  21: 'Not Supported',
  22: 'No Reachable Authority',
  23: 'Network Error',
  24: 'Invalid Data',
  27: 'Unsupported NSEC3 Iterations Value',
};

export function extendedDnsErrorName(code: number): string {
  return EXTENDED_DNS_ERRORS[code] ?? `Extended DNS Error ${code}`;
}

/** The first EDE option of the reply's OPT record: a 2-byte INFO-CODE, then UTF-8 EXTRA-TEXT. */
export function extendedErrorOf(packet: DecodedPacket): ExtendedDnsError | undefined {
  for (const record of packet.additionals ?? []) {
    if (record.type !== 'OPT') continue;
    for (const option of record.options ?? []) {
      const data = option.data;
      if ((option.code as number) !== EDE_OPTION_CODE || !data || data.length < 2) continue;
      const code = data.readUInt16BE(0);
      const text = data.subarray(2).toString('utf8').replace(/\0+$/, '').slice(0, MAX_EDE_TEXT);
      return { code, name: extendedDnsErrorName(code), ...(text ? { text } : {}) };
    }
  }
  return undefined;
}
