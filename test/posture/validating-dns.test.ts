import { type Socket, createSocket } from 'node:dgram';
import dnsPacket, { type DecodedPacket, type Packet, type PacketOpt } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createValidatingDns } from '../../src/posture/validating-dns.js';
import {
  type ValidatingResolver,
  requireValidatingResolver,
  startValidatingResolver,
} from '../helpers/unbound.js';

// The raw client against a real validating Unbound (AD, SERVFAIL with an Extended DNS Error, TCP
// for big answers), and against a scripted UDP server for what Unbound never does on purpose:
// replies with the wrong id, silence, odd Extended DNS Errors.

const skip = requireValidatingResolver() !== null;
const LONG_TXT = Array.from({ length: 6 }, (_, index) => `"${String(index).repeat(250)}"`).join(' ');
const TLSA_DATA = 'ab'.repeat(32);

describe.skipIf(skip)('createValidatingDns() against a validating Unbound', () => {
  let resolver: ValidatingResolver;

  beforeAll(async () => {
    resolver = await startValidatingResolver({
      zones: [
        {
          origin: 'secure.test',
          signed: true,
          records: ['mx A 127.0.0.1', `_25._tcp.mx TLSA 3 1 1 ${TLSA_DATA}`, `big TXT ${LONG_TXT}`],
        },
        { origin: 'bogus.test', signed: 'bogus', records: ['mx A 127.0.0.1'] },
        { origin: 'plain.test', signed: false, records: ['mx A 127.0.0.1'] },
      ],
    });
  });

  afterAll(async () => {
    await resolver?.close();
  });

  const vdns = () => createValidatingDns({ server: resolver.server, timeoutMs: 2_000 });

  test('says which server it asks, and that it was given rather than the system one', () => {
    expect(vdns().resolver).toBe(resolver.server);
    expect(vdns().system).toBe(false);
  });

  test('sets authenticated (AD) for an answer DNSSEC vouches for, with its signature (DO was set)', async () => {
    const answer = await vdns().query('mx.secure.test', 'A');
    expect(answer).toMatchObject({ kind: 'reply', rcode: 'NOERROR', authenticated: true, transport: 'udp' });
    if (answer.kind !== 'reply') return;
    expect(answer.answers).toContainEqual(expect.objectContaining({ type: 'A', data: '127.0.0.1' }));
    expect(answer.answers.map((record) => record.type)).toContain('RRSIG');
    expect(answer.extendedError).toBeUndefined();
  });

  test('leaves authenticated unset for a zone no trust anchor reaches', async () => {
    expect(await vdns().query('mx.plain.test', 'A')).toMatchObject({
      kind: 'reply',
      rcode: 'NOERROR',
      authenticated: false,
    });
  });

  test('returns SERVFAIL with the Extended DNS Error for bogus data, and the data with checking disabled', async () => {
    const refused = await vdns().query('mx.bogus.test', 'A');
    expect(refused).toMatchObject({
      kind: 'reply',
      rcode: 'SERVFAIL',
      authenticated: false,
      answers: [],
      extendedError: { code: 6, name: 'DNSSEC Bogus', text: expect.stringContaining('mx.bogus.test') },
    });
    const unchecked = await vdns().query('mx.bogus.test', 'A', { checkingDisabled: true });
    expect(unchecked).toMatchObject({ kind: 'reply', rcode: 'NOERROR', authenticated: false });
    if (unchecked.kind === 'reply')
      expect(unchecked.answers).toContainEqual(expect.objectContaining({ type: 'A' }));
  });

  test('decodes a TLSA record', async () => {
    const answer = await vdns().query('_25._tcp.mx.secure.test', 'TLSA');
    if (answer.kind !== 'reply') throw new Error(`no reply: ${answer.message}`);
    const tlsa = answer.answers.find((record) => record.type === 'TLSA');
    expect(tlsa?.data).toMatchObject({ usage: 3, selector: 1, matchingType: 1 });
    expect(tlsa?.type === 'TLSA' && tlsa.data.certificate.toString('hex')).toBe(TLSA_DATA);
  });

  test('asks again over TCP when the UDP answer is truncated', async () => {
    const answer = await vdns().query('big.secure.test', 'TXT');
    expect(answer).toMatchObject({ kind: 'reply', rcode: 'NOERROR', authenticated: true, transport: 'tcp' });
    if (answer.kind !== 'reply') return;
    const txt = answer.answers.find((record) => record.type === 'TXT');
    expect(((txt?.data ?? []) as Buffer[]).map(String).join('')).toBe(LONG_TXT.replace(/[" ]/g, ''));
  });
});

/** A UDP server on 127.0.0.1:0 that lets each test script its replies. */
interface ScriptedUdp {
  server: string;
  queries: DecodedPacket[];
  close(): Promise<void>;
}

async function startScriptedUdp(reply: (query: DecodedPacket) => Packet[]): Promise<ScriptedUdp> {
  const socket: Socket = createSocket('udp4');
  const queries: DecodedPacket[] = [];
  socket.on('message', (bytes, peer) => {
    const query = dnsPacket.decode(bytes);
    queries.push(query);
    for (const packet of reply(query)) socket.send(dnsPacket.encode(packet), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function response(query: DecodedPacket, overrides: Partial<Packet> = {}, ede?: Buffer): Packet {
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.RECURSION_AVAILABLE,
    questions: query.questions ?? [],
    answers: [],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        // dns-packet's types list only the option codes it encodes; any code with `data` is sent as is.
        options: ede ? [{ code: 15, data: ede } as unknown as PacketOpt] : [],
      },
    ],
    ...overrides,
  };
}

function edeData(code: number, text: string): Buffer {
  const data = Buffer.alloc(2 + Buffer.byteLength(text));
  data.writeUInt16BE(code, 0);
  data.write(text, 2);
  return data;
}

const answerA = (query: DecodedPacket, address: string): Packet =>
  response(query, {
    answers: [{ type: 'A', name: query.questions?.[0]?.name ?? '', ttl: 60, data: address }],
  });

describe('createValidatingDns() on the wire', () => {
  const servers: ScriptedUdp[] = [];
  const scripted = async (reply: (query: DecodedPacket) => Packet[]) => {
    const server = await startScriptedUdp(reply);
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  test('asks with EDNS0, DO set, a 1232-byte payload and RD; CD only when asked', async () => {
    const server = await scripted((query) => [answerA(query, '192.0.2.1')]);
    const vdns = createValidatingDns({ server: server.server, timeoutMs: 1_000 });
    await vdns.query('Example.TEST.', 'A');
    await vdns.query('example.test', 'A', { checkingDisabled: true });
    const [plain, unchecked] = server.queries;
    expect(plain?.questions).toEqual([{ name: 'example.test', type: 'A', class: 'IN' }]);
    const opt = plain?.additionals?.find((record) => record.type === 'OPT');
    expect(opt).toMatchObject({ udpPayloadSize: 1232, flag_do: true });
    expect(plain).toMatchObject({ flag_rd: true, flag_cd: false });
    expect(unchecked).toMatchObject({ flag_rd: true, flag_cd: true });
  });

  test('ignores replies with another id or to another question, and takes the real one', async () => {
    const server = await scripted((query) => [
      answerA({ ...query, id: ((query.id ?? 0) + 1) % 65_536 }, '192.0.2.66'),
      answerA({ ...query, questions: [{ name: 'other.test', type: 'A', class: 'IN' }] }, '192.0.2.67'),
      answerA(query, '192.0.2.1'),
    ]);
    const answer = await createValidatingDns({ server: server.server, timeoutMs: 1_000 }).query(
      'mx.test',
      'A',
    );
    expect(answer).toMatchObject({
      kind: 'reply',
      answers: [expect.objectContaining({ data: '192.0.2.1' })],
    });
  });

  test('reports a silent server as a timeout, after asking twice', async () => {
    const server = await scripted(() => []);
    const answer = await createValidatingDns({ server: server.server, timeoutMs: 200 }).query('mx.test', 'A');
    expect(answer).toEqual({
      kind: 'timeout',
      message: `${server.server} did not answer mx.test A (timeout, 200 ms a try)`,
    });
    expect(server.queries).toHaveLength(2);
  });

  test('reports a closed port as a network failure', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const closed = `127.0.0.1:${probe.address().port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const answer = await createValidatingDns({ server: closed, timeoutMs: 1_000 }).query('mx.test', 'A');
    expect(answer).toEqual({
      kind: 'network',
      message: `${closed} could not be reached for mx.test A (ECONNREFUSED)`,
    });
  });

  test.each([
    [18, 'blocked by local policy', { code: 18, name: 'Prohibited', text: 'blocked by local policy' }],
    [22, '', { code: 22, name: 'No Reachable Authority' }],
    [9, 'no DNSKEY', { code: 9, name: 'DNSKEY Missing', text: 'no DNSKEY' }],
    [99, 'new', { code: 99, name: 'Extended DNS Error 99', text: 'new' }],
  ])('reads Extended DNS Error %i from the OPT record and names it', async (code, text, expected) => {
    const server = await scripted((query) => [
      response(query, { flags: dnsPacket.RECURSION_AVAILABLE | 2 }, edeData(code, text)),
    ]);
    const answer = await createValidatingDns({ server: server.server, timeoutMs: 1_000 }).query(
      'mx.test',
      'A',
    );
    expect(answer).toMatchObject({ kind: 'reply', rcode: 'SERVFAIL', extendedError: expected });
  });
});

describe('createValidatingDns() server addresses', () => {
  test.each([
    ['127.0.0.1', '127.0.0.1:53'],
    ['127.0.0.1:5353', '127.0.0.1:5353'],
    ['::1', '[::1]:53'],
    ['[::1]:5353', '[::1]:5353'],
  ])('reads %s as %s', (server, resolver) => {
    expect(createValidatingDns({ server })).toMatchObject({ resolver, system: false });
  });

  test("asks the system's first server when none is given", () => {
    // test/setup points node:dns at a closed loopback port, as the system's resolver.
    expect(createValidatingDns()).toMatchObject({ resolver: '127.0.0.1:9', system: true });
  });

  test.each(['localhost:53', '127.0.0.1:0', '127.0.0.1:99999', ''])('refuses %j as a server', (server) => {
    expect(() => createValidatingDns({ server })).toThrow(TypeError);
  });
});
