import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck, parseCheckRequest } from '../../src/check/index.js';
import { DEFAULT_LIMITS, probeHost } from '../../src/probe/index.js';
import { createTestCa } from '../helpers/certs.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

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
    limits: { ...DEFAULT_LIMITS, connectTimeoutMs: 2_000, greetingTimeoutMs: 2_000, replyTimeoutMs: 2_000 },
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
