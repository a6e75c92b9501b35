import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { DEFAULT_LIMITS, type HostProbe, type ProbeLimits, probeHost } from '../../src/probe/index.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { startPostscreenServer } from '../helpers/postscreen-server.js';
import { aContext } from '../helpers/probe-builders.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

// The production waits, not short test budgets: how long the probe keeps quiet (6 s) and how soon
// after it a verdict comes are the behaviour under test. Every test here runs concurrently, so the
// file costs one greet wait, not four.
const LIMITS: ProbeLimits = DEFAULT_LIMITS;
// The promise: a port that never greets is named within 8 s — 6 s of silence, then the
// answer to one TLS hello. The margin (~2 s) is what a busy machine may add; a probe that waited
// for the 15 s greeting timeout, as it used to, cannot pass.
const VERDICT_WITHIN_MS = 8_000;

let ca: TestCa;
let leaf: TestCertificate;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue({ commonName: 'www.example.test' });
});

afterAll(async () => {
  await Promise.all(cleanup.map((close) => close()));
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function probe(port: number): Promise<HostProbe> {
  return probeHost('127.0.0.1', {
    ports: [port],
    implicitTlsPorts: [],
    limits: LIMITS,
    extraCa: [ca.cert],
    clientName: 'probe.test',
  });
}

describe.concurrent('probing a port that may still greet', () => {
  test('never talks before the final line of a postscreen greeting, and opens no second connection', async () => {
    // postscreen's default greet wait: `220-` at once, the final line 6 s later. The old prober
    // opened a TLS connection alongside after 2.5 s and was logged for PREGREET.
    const postscreen = await startPostscreenServer({ greetWaitMs: 6_500 });
    cleanup.push(() => postscreen.close());
    const host = await probe(postscreen.port);
    const [port] = host.ports;
    expect(postscreen.log).toEqual([]);
    expect(postscreen.pregreet.map((bytes) => bytes.length)).toEqual([0]);
    expect(postscreen.connections).toBe(1);
    // The whole multi-line greeting is kept, and the session went on after it.
    expect(port?.greeting).toBe('220-mail.example.test ESMTP postscreen\n220 mail.example.test ESMTP');
    expect(port?.class).toBe('slow-banner');
    expect(port?.firstAttempt).toBeNull();
  });

  test('names an HTTP server from its answer to a TLS hello, soon after 6 s of silence', async () => {
    const http = createHttpServer((_request, response) => response.end('hello'));
    const port = await listen(http);
    const host = await probe(port);
    const [result] = host.ports;
    expect(result?.class).toBe('not-smtp');
    expect(result?.failure?.firstBytes).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(result?.failure?.message).toContain('HTTP/1.1 400 Bad Request');
    expect(result?.failure?.message).not.toMatch(/SSL|wrong version|packet length|OpenSSL/i);
    // It kept quiet for the 6 s first, then decided on the answer without waiting for the 15 s timeout.
    expect(result?.durationMs).toBeGreaterThanOrEqual(LIMITS.otherModeAfterMs);
    expect(result?.durationMs).toBeLessThan(VERDICT_WITHIN_MS);
    const [finding] = diagnoseHost(host, aContext()).ports[0]!.findings;
    expect(finding?.summary).toMatch(
      new RegExp(`^an HTTP server answers on ${port}: "HTTP/1.1 400 Bad Request"`),
    );
    expect(finding?.summary).not.toMatch(/SSL|wrong version/i);
  });

  test('judges a server that trickles bytes without ending a line on what it sent, without a TLS hello', async () => {
    const banner = '220 mail.example.test ESMTP slowly';
    const trickle = await startScriptedServer((socket) => {
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < banner.length) socket.write(banner[sent++]!);
      }, 200);
      socket.once('close', () => clearInterval(timer));
    });
    cleanup.push(() => trickle.close());
    const host = await probe(trickle.port);
    const [port] = host.ports;
    expect(port?.class).toBe('no-banner');
    expect(port?.failure).toMatchObject({ stage: 'greeting', kind: 'timeout' });
    expect(port?.failure?.message).toMatch(/without ending a line: "220 mail/);
    expect(banner.startsWith(port!.failure!.firstBytes!)).toBe(true);
    // It spoke, so it was sent nothing and got no second connection.
    expect(trickle.received).toEqual([]);
    expect(trickle.connections).toBe(1);
    expect(port?.durationMs).toBeLessThan(VERDICT_WITHIN_MS);
    const [finding] = diagnoseHost(host, aContext()).ports[0]!.findings;
    expect(finding?.summary).toContain('began a line and never finished it: all it sent was "220 mail');
  });

  test('names a TLS-only service on a plain port (HTTPS) from its handshake, within 8 s', async () => {
    const https = createHttpsServer({ key: leaf.key, cert: leaf.cert }, (_request, response) =>
      response.end('hello'),
    );
    const port = await listen(https);
    const host = await probe(port);
    const [result] = host.ports;
    expect(result?.class).toBe('no-banner');
    expect(result?.tls?.protocol).toMatch(/^TLSv1/);
    expect(result?.certificate?.subject).toBe('CN=www.example.test');
    expect(result?.durationMs).toBeLessThan(VERDICT_WITHIN_MS);
    const [finding] = diagnoseHost(host, aContext()).ports[0]!.findings;
    expect(finding?.summary).toContain('completed a TLS handshake (certificate "CN=www.example.test")');
    expect(finding?.summary).toContain('not an SMTP server');
  });

  test('names a TLS-only service that speaks inside TLS (IMAPS) from what it said', async () => {
    const imaps = await startScriptedServer((socket) => void socket.write('* OK IMAP4rev1 ready\r\n'), {
      tls: leaf,
    });
    cleanup.push(() => imaps.close());
    const host = await probe(imaps.port);
    const [result] = host.ports;
    expect(result?.class).toBe('not-smtp');
    expect(result?.failure?.firstBytes).toBe('* OK IMAP4rev1 ready\r\n');
    expect(result?.durationMs).toBeLessThan(VERDICT_WITHIN_MS);
    const [finding] = diagnoseHost(host, aContext()).ports[0]!.findings;
    expect(finding?.summary).toMatch(
      new RegExp(`^an IMAP server answers on ${imaps.port}: "\\* OK IMAP4rev1 ready"`),
    );
  });
});
