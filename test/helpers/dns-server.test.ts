import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestDnsServer, startDnsServer } from './dns-server.js';

// node:dns sends no OPT record and hides the authority section, so what only a raw query can see
// is checked here; everything else is exercised through node:dns by the tests that use the server.
let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startDnsServer({
    'mid.example.test': { TXT: ['x'.repeat(600)] },
    'empty.example.test': {},
  });
});

afterAll(async () => {
  await dns?.close();
});

function query(name: string, type: number, udpSize?: number): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, udpSize === undefined ? 0 : 1]);
  const labels = name
    .split('.')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  const opt = Buffer.alloc(udpSize === undefined ? 0 : 11);
  if (udpSize !== undefined) {
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(udpSize, 3);
  }
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail, opt]);
}

async function ask(message: Buffer): Promise<Buffer> {
  const socket = createSocket('udp4');
  const [host = '', port = ''] = dns.server.split(':');
  try {
    return await new Promise<Buffer>((resolve) => {
      socket.once('message', resolve);
      socket.send(message, Number(port), host);
    });
  } finally {
    socket.close();
  }
}

describe('startDnsServer()', () => {
  test.each([
    { advertised: undefined, truncated: true },
    { advertised: 512, truncated: true },
    { advertised: 4096, truncated: false },
  ])(
    'a 600-byte answer over UDP with EDNS size $advertised: truncated $truncated',
    async ({ advertised, truncated }) => {
      const reply = await ask(query('mid.example.test', 16, advertised));
      expect(Boolean(reply[2]! & 0x02)).toBe(truncated);
      expect(reply.readUInt16BE(6)).toBe(truncated ? 0 : 1);
    },
  );

  test('answers NODATA and NXDOMAIN with an SOA in the authority section', async () => {
    const nodata = await ask(query('empty.example.test', 16));
    const nxdomain = await ask(query('nowhere.example.test', 16));
    expect([nodata[3]! & 0x0f, nodata.readUInt16BE(6), nodata.readUInt16BE(8)]).toEqual([0, 0, 1]);
    expect([nxdomain[3]! & 0x0f, nxdomain.readUInt16BE(6), nxdomain.readUInt16BE(8)]).toEqual([3, 0, 1]);
  });
});
