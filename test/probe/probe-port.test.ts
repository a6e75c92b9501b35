import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type PortProbeRequest, type ProbeLimits, probePort } from '../../src/probe/index.js';
import { type TestCa, type TestCertificate, createSelfSigned, createTestCa } from '../helpers/certs.js';
import { type ScriptedServer, freePort, mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import { testLimits } from '../helpers/probe-limits.js';

const HOST = 'mail.example.test';
// Short injected budgets: silent servers cost these, never the production defaults.
const LIMITS: ProbeLimits = testLimits({ stageTimeoutMs: 2_000, portDeadlineMs: 10_000 });
const SILENT: ProbeLimits = { ...LIMITS, greetingTimeoutMs: 300, replyTimeoutMs: 300 };

let ca: TestCa;
let leaf: TestCertificate;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue({ commonName: HOST });
});

afterAll(async () => {
  await Promise.all(cleanup.map((close) => close()));
});

function track<T extends RunningServer | ScriptedServer>(server: T): T {
  cleanup.push(() => server.close());
  return server;
}

function request(port: number, overrides: Partial<PortProbeRequest> = {}): PortProbeRequest {
  return {
    address: '127.0.0.1',
    host: HOST,
    port,
    mode: 'starttls',
    clientName: 'probe.test',
    extraCa: [ca.cert],
    ...overrides,
  };
}

describe('probePort() against a real SMTP server', () => {
  test('reports open-starttls with the session before and after TLS, and a trusted certificate', async () => {
    const server = track(
      await startSmtpServer({ key: leaf.key, cert: leaf.cert, name: HOST, size: 10_485_760 }),
    );
    const now = new Date(Date.now() + 10 * 86_400_000);
    const probe = await probePort(request(server.port, { now: () => now }), LIMITS);
    expect(probe.class).toBe('open-starttls');
    expect(probe.observedMode).toBe('starttls');
    expect(probe.failure).toBeNull();
    expect(probe.greeting).toBe(`220 ${HOST} ESMTP`);
    expect(probe.greetingCode).toBe(220);
    expect(probe.ehloBeforeTls).toContain('STARTTLS');
    expect(probe.ehlo).not.toContain('STARTTLS');
    expect(probe.sizeLimit).toBe(10_485_760);
    // smtp-server advertises AUTH in plain text (it answers 538 when used): auth-before-tls evidence.
    expect(probe.auth.beforeTls).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    expect(probe.auth.afterTls).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    expect(probe.tls).toMatchObject({ protocol: expect.stringMatching(/^TLSv1\.[23]$/), servername: HOST });
    expect(probe.certificate).toMatchObject({
      subject: `CN=${HOST}`,
      subjectAltNames: [HOST],
      trusted: true,
      verifyError: null,
      hostnameMatches: true,
      selfSigned: false,
      chainLength: 2,
    });
    // 90 days of validity, measured from the injected clock 10 days ahead.
    expect(probe.certificate?.daysLeft).toBe(79);
    for (const stage of [
      'connect',
      'greeting',
      'ehlo',
      'starttls',
      'tls-handshake',
      'tls-ehlo',
      'quit',
    ] as const) {
      expect(probe.timings[stage]).toBeGreaterThanOrEqual(0);
    }
  });

  test('reports open-implicit-tls with AUTH offered only inside TLS', async () => {
    const server = track(await startSmtpServer({ key: leaf.key, cert: leaf.cert, name: HOST, secure: true }));
    const probe = await probePort(request(server.port, { mode: 'implicit-tls' }), LIMITS);
    expect(probe.class).toBe('open-implicit-tls');
    expect(probe.observedMode).toBe('implicit-tls');
    expect(probe.auth).toEqual({ beforeTls: [], afterTls: expect.arrayContaining(['PLAIN']) });
    expect(probe.ehloBeforeTls).toEqual([]);
    expect(probe.certificate?.trusted).toBe(true);
  });

  test('reports no-starttls when STARTTLS is not offered', async () => {
    const server = track(await startSmtpServer({ name: HOST, disabledCommands: ['STARTTLS'] }));
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('no-starttls');
    expect(probe.tls).toBeNull();
    expect(probe.ehlo).not.toContain('STARTTLS');
    expect(probe.auth.beforeTls).toContain('PLAIN');
  });

  test('dials IPv6 loopback', async () => {
    const server = track(
      await startSmtpServer({ key: leaf.key, cert: leaf.cert, name: HOST, listenHost: '::1' }),
    );
    const probe = await probePort(request(server.port, { address: '::1' }), LIMITS);
    expect(probe.class).toBe('open-starttls');
    expect(probe.address).toBe('::1');
  });
});

describe('probePort() certificate facts', () => {
  const day = 86_400_000;
  test.each([
    {
      name: 'expired',
      make: () => ca.issue({ commonName: HOST, notBeforeDays: -30, notAfterDays: -2 }),
      expected: { trusted: false, verifyError: 'CERT_HAS_EXPIRED', selfSigned: false, hostnameMatches: true },
      daysLeft: [-3, -2],
    },
    {
      name: 'expiring',
      make: () => ca.issue({ commonName: HOST, notAfterDays: 5 }),
      expected: { trusted: true, verifyError: null, selfSigned: false, hostnameMatches: true },
      daysLeft: [4, 5],
    },
    {
      name: 'self-signed',
      make: () => createSelfSigned({ commonName: HOST }),
      expected: {
        trusted: false,
        verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        selfSigned: true,
        hostnameMatches: true,
      },
      daysLeft: [89, 90],
    },
    {
      name: 'untrusted (unknown CA)',
      make: () => createTestCa('some other CA').issue({ commonName: HOST }),
      expected: {
        trusted: false,
        verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        selfSigned: false,
        hostnameMatches: true,
      },
      daysLeft: [89, 90],
    },
    {
      name: 'wrong name',
      make: () => ca.issue({ commonName: 'other.example.net' }),
      expected: { trusted: true, verifyError: null, selfSigned: false, hostnameMatches: false },
      daysLeft: [89, 90],
    },
  ])('reports a certificate that is $name', async ({ make, expected, daysLeft }) => {
    const certificate = make();
    const server = track(
      await startSmtpServer({ key: certificate.key, cert: certificate.cert, name: HOST, secure: true }),
    );
    const probe = await probePort(
      request(server.port, { mode: 'implicit-tls', now: () => new Date() }),
      LIMITS,
    );
    // A bad certificate is a fact about a working port, not a failed connection.
    expect(probe.class).toBe('open-implicit-tls');
    expect(probe.certificate).toMatchObject(expected);
    expect(probe.certificate?.daysLeft).toBeGreaterThanOrEqual(daysLeft[0]!);
    expect(probe.certificate?.daysLeft).toBeLessThanOrEqual(daysLeft[1]!);
    expect(new Date(probe.certificate!.validTo).getTime()).toBeGreaterThan(Date.now() - 31 * day);
  });
});

describe('probePort() verdicts from scripted servers', () => {
  test('sends the host name as SNI and never an IP address', async () => {
    const seen: Array<string | false | null> = [];
    const server = track(
      await startScriptedServer(
        (socket, lines, received) => {
          seen.push((socket as TLSSocket).servername);
          return mtaScript({})(socket, lines, received);
        },
        { tls: leaf },
      ),
    );
    const named = await probePort(request(server.port, { mode: 'implicit-tls' }), LIMITS);
    const literal = await probePort(
      request(server.port, { mode: 'implicit-tls', host: '127.0.0.1' }),
      LIMITS,
    );
    expect(seen).toEqual([HOST, false]);
    expect(named.tls?.servername).toBe(HOST);
    expect(literal.tls?.servername).toBeNull();
    expect(literal.certificate?.hostnameMatches).toBe(false);
  });

  test('reports refused when nothing listens', async () => {
    const probe = await probePort(request(await freePort()), LIMITS);
    expect(probe.class).toBe('refused');
    expect(probe.failure).toMatchObject({ stage: 'connect', kind: 'refused', code: 'ECONNREFUSED' });
  });

  test('reports no-banner after trying both TLS modes on a silent port', async () => {
    const server = track(await startScriptedServer(() => {}));
    const probe = await probePort(request(server.port), SILENT);
    expect(probe.class).toBe('no-banner');
    expect(server.connections).toBe(2);
    expect(probe.firstAttempt).toMatchObject({
      mode: 'starttls',
      failure: { stage: 'greeting', kind: 'timeout' },
    });
    expect(probe.failure).toMatchObject({ stage: 'tls-handshake', kind: 'timeout' });
  });

  test('reports slow-banner for a late greeting and still completes the session, TLS included', async () => {
    const server = track(
      await startScriptedServer(
        mtaScript({
          greetDelayMs: 250,
          ehlo: ['250-mail', '250-SIZE 1000', '250 STARTTLS'],
          starttls: { ...leaf, ehlo: ['250-mail', '250 SIZE 2000'] },
        }),
      ),
    );
    const probe = await probePort(request(server.port), { ...LIMITS, slowBannerMs: 100 });
    expect(probe.class).toBe('slow-banner');
    expect(probe.timings.greeting).toBeGreaterThan(100);
    expect(probe.ehlo).toEqual(['SIZE 2000']);
    expect(probe.sizeLimit).toBe(2000);
    expect(probe.certificate).toMatchObject({ trusted: true, hostnameMatches: true });
    expect(server.received).toEqual(['EHLO probe.test', 'STARTTLS', 'EHLO probe.test', 'QUIT']);
  });

  test('ends a tarpit at the port deadline, whatever the stage timeouts allow', async () => {
    const server = track(
      await startScriptedServer(async (socket, lines) => {
        socket.write('220 mail.example.test ESMTP\r\n');
        await lines.next(); // EHLO, never answered
      }),
    );
    const probe = await probePort(request(server.port), {
      ...LIMITS,
      replyTimeoutMs: 30_000,
      portDeadlineMs: 400,
    });
    // A server that greets and then never answers is a tarpit: slow, and the facts say where.
    expect(probe.class).toBe('slow-banner');
    expect(probe.failure).toMatchObject({ stage: 'ehlo', kind: 'timeout' });
    expect(probe.durationMs).toBeLessThan(5_000);
  });

  test.each([
    ['421 4.3.2 mail.example.test busy, try later', 421],
    ['554 5.7.1 your address is listed on zen.spamhaus.org', 554],
  ])('reports greeting-rejected for "%s"', async (greeting, code) => {
    const server = track(await startScriptedServer(mtaScript({ greeting: [greeting] })));
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('greeting-rejected');
    expect(probe.greetingCode).toBe(code);
    expect(probe.failure).toMatchObject({ stage: 'greeting', kind: 'smtp-reply', replyCode: code });
    expect(probe.failure?.message).toContain(greeting.slice(4));
    expect(server.received).toEqual([]);
  });

  test.each([
    {
      name: 'masked banner',
      greeting: ['220 ****************************2*0**0*****'],
      ehlo: ['250-mail', '250 XXXXXXXA'],
    },
    {
      name: 'masked STARTTLS keyword',
      greeting: ['220 mail.example.test ESMTP'],
      ehlo: ['250-mail', '250-XXXXXXXA', '250 SIZE 1'],
    },
  ])('reports starttls-stripped for a $name', async ({ greeting, ehlo }) => {
    const server = track(await startScriptedServer(mtaScript({ greeting, ehlo })));
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('starttls-stripped');
    expect(probe.tls).toBeNull();
  });

  test('falls back to HELO when EHLO is refused', async () => {
    const server = track(
      await startScriptedServer(
        mtaScript({ ehlo: ['502 5.5.2 EHLO not supported'], helo: ['250 mail.example.test'] }),
      ),
    );
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.heloFallback).toBe(true);
    expect(probe.class).toBe('no-starttls');
    expect(server.received.slice(0, 2)).toEqual(['EHLO probe.test', 'HELO probe.test']);
  });

  test('reports tls-handshake-failed with the TLS alert number', async () => {
    // A TLS 1.2 server that demands a client certificate aborts the handshake with alert 40.
    const server = track(
      await startScriptedServer(mtaScript({}), {
        tls: { ...leaf, requestCert: true, maxVersion: 'TLSv1.2' },
      }),
    );
    const probe = await probePort(request(server.port, { mode: 'implicit-tls' }), LIMITS);
    expect(probe.class).toBe('tls-handshake-failed');
    expect(probe.failure).toMatchObject({ stage: 'tls-handshake', kind: 'tls-alert', tlsAlert: 40 });
    expect(probe.firstAttempt).toBeNull();
  });

  test('reports implicit-tls-on-starttls-port when a silent STARTTLS port answers TLS', async () => {
    const server = track(await startScriptedServer(mtaScript({}), { tls: leaf }));
    const probe = await probePort(request(server.port), SILENT);
    expect(probe.class).toBe('implicit-tls-on-starttls-port');
    expect(probe.observedMode).toBe('implicit-tls');
    expect(probe.firstAttempt).toMatchObject({
      mode: 'starttls',
      failure: { stage: 'greeting', kind: 'timeout' },
    });
    expect(probe.tls?.protocol).toMatch(/^TLSv1/);
  });

  test('tries implicit TLS alongside after a short silence instead of waiting the whole greeting timeout', async () => {
    const server = track(await startScriptedServer(mtaScript({}), { tls: leaf }));
    const limits = { ...LIMITS, greetingTimeoutMs: 60_000, otherModeAfterMs: 100, portDeadlineMs: 120_000 };
    const probe = await probePort(request(server.port), limits);
    expect(probe.class).toBe('implicit-tls-on-starttls-port');
    expect(probe.firstAttempt?.failure.message).toMatch(
      /no greeting in plain text after \d+ ms, while implicit TLS greeted/,
    );
    // Decided by the parallel TLS attempt: nowhere near the 60 s greeting timeout.
    expect(probe.durationMs).toBeLessThan(30_000);
  });

  test('keeps a slow plain greeting as slow-banner when the parallel TLS attempt has started', async () => {
    const server = track(
      await startScriptedServer(
        mtaScript({
          greetDelayMs: 400,
          ehlo: ['250-mail', '250 STARTTLS'],
          starttls: { ...leaf, ehlo: ['250 mail'] },
        }),
      ),
    );
    const probe = await probePort(request(server.port), {
      ...LIMITS,
      slowBannerMs: 200,
      otherModeAfterMs: 50,
    });
    expect(probe.class).toBe('slow-banner');
    expect(probe.observedMode).toBe('starttls');
    expect(probe.firstAttempt).toBeNull();
    expect(probe.certificate).toMatchObject({ trusted: true });
  });

  test('reports plaintext-on-implicit-tls-port when the TLS hello is answered in plain text', async () => {
    const server = track(await startScriptedServer(mtaScript({})));
    const probe = await probePort(request(server.port, { mode: 'implicit-tls' }), LIMITS);
    expect(probe.class).toBe('plaintext-on-implicit-tls-port');
    expect(probe.observedMode).toBe('starttls');
    expect(probe.greeting).toBe('220 mail.example.test ESMTP');
    expect(probe.firstAttempt).toMatchObject({
      mode: 'implicit-tls',
      failure: { stage: 'tls-handshake', code: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    });
  });

  test('reports not-smtp for an SSH server, quoting its first bytes', async () => {
    const server = track(await startScriptedServer((socket) => void socket.write('SSH-2.0-OpenSSH_9.6\r\n')));
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('not-smtp');
    expect(probe.failure).toMatchObject({ stage: 'greeting', kind: 'not-smtp' });
    expect(probe.failure?.message).toContain('SSH-2.0-OpenSSH');
  });

  test('reports not-smtp for an HTTP server: silent, then plain text to a TLS hello', async () => {
    const server = track(
      await startScriptedServer((socket) => {
        socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      }),
    );
    const probe = await probePort(request(server.port), SILENT);
    expect(probe.class).toBe('not-smtp');
    expect(probe.firstAttempt?.failure).toMatchObject({ stage: 'greeting', kind: 'timeout' });
  });
});

describe('probePort() against hostile replies', () => {
  test('stops an endless multi-line EHLO reply at the line cap', async () => {
    const server = track(
      await startScriptedServer(async (socket, lines) => {
        socket.write('220 mail.example.test ESMTP\r\n');
        await lines.next();
        const flood = () => {
          while (socket.writable && socket.write('250-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n'));
        };
        socket.on('drain', flood);
        flood();
      }),
    );
    const probe = await probePort(request(server.port), { ...LIMITS, maxReplyLines: 100 });
    expect(probe.class).toBe('oversized-response');
    expect(probe.truncated).toBe(true);
    expect(probe.failure).toMatchObject({ stage: 'ehlo', kind: 'oversized' });
    expect(probe.failure?.message).toContain('100 lines');
  });

  test('stops a 1 MB greeting line at the line cap', async () => {
    const server = track(
      await startScriptedServer((socket) => void socket.write(`220 ${'x'.repeat(1_048_576)}\r\n`)),
    );
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('oversized-response');
    expect(probe.truncated).toBe(true);
    expect(probe.failure).toMatchObject({ stage: 'greeting', kind: 'oversized' });
    expect(probe.greeting).toBeNull();
  });

  test('stops a reply whose lines stay short but whose bytes do not', async () => {
    const line = `220-${'y'.repeat(1_000)}\r\n`;
    const server = track(await startScriptedServer((socket) => void socket.write(line.repeat(80))));
    const probe = await probePort(request(server.port), { ...LIMITS, maxReplyBytes: 16_384 });
    expect(probe.class).toBe('oversized-response');
    expect(probe.failure?.message).toContain('16384 bytes');
  });

  test('discards plaintext injected after "220 Ready to start TLS"', async () => {
    const server = track(
      await startScriptedServer(
        mtaScript({
          ehlo: ['250-mail.example.test', '250 STARTTLS'],
          starttls: {
            ...leaf,
            injected: '250-INJECTED\r\n250 AUTH PLAIN\r\n',
            ehlo: ['250-mail.example.test', '250 SIZE 2048'],
          },
        }),
      ),
    );
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('open-starttls');
    expect(probe.ehlo).toEqual(['SIZE 2048']);
    expect(probe.auth.afterTls).toEqual([]);
    expect(server.received).toEqual(['EHLO probe.test', 'STARTTLS', 'EHLO probe.test', 'QUIT']);
  });

  test('reports tls-handshake-failed when plain text follows "220 Ready to start TLS"', async () => {
    const server = track(
      await startScriptedServer(
        mtaScript({ ehlo: ['250-mail', '250 STARTTLS'], starttls: { ...leaf, garbage: true } }),
      ),
    );
    const probe = await probePort(request(server.port), LIMITS);
    expect(probe.class).toBe('tls-handshake-failed');
    expect(probe.failure).toMatchObject({ stage: 'tls-handshake', kind: 'tls-error' });
    expect(probe.ehloBeforeTls).toContain('STARTTLS');
  });
});
