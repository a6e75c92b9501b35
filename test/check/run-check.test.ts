import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck, parseCheckRequest } from '../../src/check/index.js';
import type { CheckRequest } from '../../src/check/types.js';
import { DEFAULT_LIMITS, type ProbeHost, probeHost } from '../../src/probe/index.js';
import { createTestCa } from '../helpers/certs.js';
import { aHost } from '../helpers/probe-builders.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';

// A URL names the TLS mode as well as the port: `smtps://host:PORT` on a port no convention
// marks as implicit TLS must still be dialled with TLS from the first byte.

let ca: ReturnType<typeof createTestCa>;
let implicit: RunningServer;
let starttls: RunningServer;

beforeAll(async () => {
  ca = createTestCa();
  const leaf = ca.issue({ commonName: 'localhost', ips: ['127.0.0.1'] });
  implicit = await startSmtpServer({ key: leaf.key, cert: leaf.cert, secure: true });
  starttls = await startSmtpServer({ key: leaf.key, cert: leaf.cert });
});

afterAll(async () => {
  await implicit?.close();
  await starttls?.close();
});

const runCheck = () =>
  createRunCheck({
    probeHost,
    limits: QUICK_LIMITS,
    now: () => new Date(),
    extraCa: [ca.cert],
  });

describe('createRunCheck() with a URL target', () => {
  test('smtps://host:PORT is probed with implicit TLS on that port', async () => {
    const parsed = parseCheckRequest(`smtps://127.0.0.1:${implicit.port}`);
    if (!parsed.ok) throw new Error(parsed.error);
    const diagnosis = await runCheck()(parsed.request);
    expect(diagnosis.ports.map((port) => [port.port, port.mode, port.class])).toEqual([
      [implicit.port, 'implicit-tls', 'open-implicit-tls'],
    ]);
  });

  test('smtp://host:PORT is probed with STARTTLS on that port', async () => {
    const parsed = parseCheckRequest(`smtp://127.0.0.1:${starttls.port}`);
    if (!parsed.ok) throw new Error(parsed.error);
    const diagnosis = await runCheck()(parsed.request);
    expect(diagnosis.ports.map((port) => [port.port, port.mode, port.class])).toEqual([
      [starttls.port, 'starttls', 'open-starttls'],
    ]);
  });
});

describe('createRunCheck() TLS modes handed to the probe', () => {
  async function implicitPortsFor(target: string, request: Partial<CheckRequest> = {}): Promise<number[]> {
    let seen: number[] | undefined;
    const probeHost: ProbeHost = async (name, options) => {
      seen = options.implicitTlsPorts;
      return aHost({ target: name, host: name, ports: [] });
    };
    await createRunCheck({ probeHost, limits: DEFAULT_LIMITS, now: () => new Date() })({
      target,
      ports: [],
      mx: 'auto',
      ...request,
    });
    return seen ?? [];
  }

  test('without a named mode, the conventional implicit-TLS ports', async () => {
    expect(await implicitPortsFor('smtp.example.com')).toEqual([465, 2465]);
  });

  test('a mode the user named wins over the convention', async () => {
    expect(
      await implicitPortsFor('smtp.example.com', {
        ports: [465, 3465],
        portModes: [
          { port: 465, mode: 'starttls' },
          { port: 3465, mode: 'implicit-tls' },
        ],
      }),
    ).toEqual([2465, 3465]);
  });
});
