import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck } from '../../src/check/index.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { createSelfSigned, createTestCa, type TestCa } from '../helpers/certs.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { freePort, mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { startSmtpServer } from '../helpers/smtp-test-server.js';
import { QUICK_LIMITS, testLimits } from '../helpers/probe-limits.js';

// The whole path a user's check takes — resolve, probe a real server, diagnose — for the findings
// that read server behaviour (certificate, AUTH, banner, timing), so that no finding exists only
// in builder-made facts.

const HOST = 'mail.example.test';
let ca: TestCa;
let dns: TestDnsServer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ca = createTestCa();
  dns = await startDnsServer({ [HOST]: { A: ['127.0.0.1'] } });
  closers.push(() => dns.close());
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function check(port: number): Promise<HostDiagnosis> {
  const runCheck = createRunCheck({
    probeHost,
    limits: QUICK_LIMITS,
    now: () => new Date(),
    resolver: createResolver([dns.server]),
    extraCa: [ca.cert],
  });
  return runCheck({ target: HOST, ports: [port], mx: 'auto' });
}

async function smtpServerWith(options: Parameters<typeof startSmtpServer>[0]): Promise<number> {
  const server = await startSmtpServer({ name: HOST, ...options });
  closers.push(() => server.close());
  return server.port;
}

function findingsOf(diagnosis: HostDiagnosis) {
  return [...diagnosis.findings, ...diagnosis.ports.flatMap((port) => port.findings)].map((f) => ({
    id: f.id,
    severity: f.severity,
  }));
}

describe('findings from real servers, through the check use case', () => {
  test.each([
    ['cert-expired', () => ca.issue({ commonName: HOST, notBeforeDays: -30, notAfterDays: -2 }), 'critical'],
    ['cert-expiring', () => ca.issue({ commonName: HOST, notAfterDays: 5 }), 'critical'],
    ['cert-expiring', () => ca.issue({ commonName: HOST, notAfterDays: 15 }), 'warning'],
    ['cert-self-signed', () => createSelfSigned({ commonName: HOST }), 'critical'],
    ['cert-untrusted', () => createTestCa('an unknown CA').issue({ commonName: HOST }), 'critical'],
    ['cert-hostname-mismatch', () => ca.issue({ commonName: 'other.example.test' }), 'critical'],
  ])('%s (%s) on a submission port', async (id, makeCert, severity) => {
    const { key, cert } = makeCert();
    const port = await smtpServerWith({ key, cert, authMethods: ['PLAIN'], disabledCommands: [] });
    const diagnosis = await check(port);
    expect(diagnosis.ports[0]?.class).toBe('open-starttls');
    expect(findingsOf(diagnosis)).toContainEqual({ id, severity });
  });

  test('a trusted, valid certificate yields no certificate finding', async () => {
    const { key, cert } = ca.issue({ commonName: HOST, notAfterDays: 90 });
    const diagnosis = await check(await smtpServerWith({ key, cert }));
    expect(
      findingsOf(diagnosis)
        .map((f) => f.id)
        .filter((id) => id.startsWith('cert-')),
    ).toEqual([]);
  });

  test('auth-before-tls when AUTH is offered in plain text', async () => {
    const { key, cert } = ca.issue({ commonName: HOST });
    const diagnosis = await check(await smtpServerWith({ key, cert, authMethods: ['PLAIN', 'LOGIN'] }));
    expect(diagnosis.ports[0]?.auth.beforeTls).toEqual(['PLAIN', 'LOGIN']);
    expect(findingsOf(diagnosis).map((f) => f.id)).toContain('auth-before-tls');
  });

  test('starttls-stripped when a middlebox masks the banner and STARTTLS', async () => {
    const server = await startScriptedServer(
      mtaScript({
        greeting: ['220 ****************************************'],
        ehlo: ['250-mail', '250 XXXXXXXA'],
      }),
    );
    closers.push(() => server.close());
    const diagnosis = await check(server.port);
    expect(diagnosis.ports[0]?.class).toBe('starttls-stripped');
    expect(findingsOf(diagnosis)).toContainEqual({ id: 'starttls-stripped', severity: 'critical' });
  });

  test('banner-masked when the banner is masked but STARTTLS still comes up', async () => {
    const leaf = ca.issue({ commonName: HOST });
    const server = await startScriptedServer(
      mtaScript({
        greeting: ['220 ****************************************'],
        ehlo: ['250-mail', '250 STARTTLS'],
        starttls: { ...leaf, ehlo: ['250 mail'] },
      }),
    );
    closers.push(() => server.close());
    const diagnosis = await check(server.port);
    expect(diagnosis.ports[0]?.class).toBe('open-starttls');
    expect(findingsOf(diagnosis)).toContainEqual({ id: 'banner-masked', severity: 'warning' });
  });

  test('banner-name-mismatch when the greeting names an unrelated host', async () => {
    const { key, cert } = ca.issue({ commonName: HOST });
    const diagnosis = await check(
      await smtpServerWith({ key, cert, name: 'relay.unrelated-company.example' }),
    );
    expect(findingsOf(diagnosis).map((f) => f.id)).toContain('banner-name-mismatch');
  });

  test('slow-response when EHLO takes seconds', async () => {
    const server = await startScriptedServer(async (socket, lines) => {
      socket.write(`220 ${HOST} ESMTP\r\n`);
      await lines.next();
      // The server's own slowness under test, not a test wait.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      socket.write(`250 ${HOST}\r\n`);
      await lines.next();
      socket.end('221 bye\r\n');
    });
    closers.push(() => server.close());
    const runCheck = createRunCheck({
      probeHost,
      limits: testLimits({ replyTimeoutMs: 5_000 }),
      now: () => new Date(),
      resolver: createResolver([dns.server]),
    });
    const diagnosis = await runCheck({ target: HOST, ports: [server.port], mx: 'auto' });
    expect(findingsOf(diagnosis).map((f) => f.id)).toContain('slow-response');
  });

  test('no-usable-port when nothing answers', async () => {
    const diagnosis = await check(await freePort());
    expect(diagnosis.recommendation).toBeNull();
    expect(findingsOf(diagnosis)).toContainEqual({ id: 'no-usable-port', severity: 'critical' });
  });
});
