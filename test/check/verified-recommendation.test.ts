import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck, type RunCheckDeps } from '../../src/check/index.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { createResolver, DEFAULT_LIMITS, probeHost } from '../../src/probe/index.js';
import { createRecommendationVerifier } from '../../src/proof/index.js';
import { renderJson } from '../../src/render/json.js';
import { createSelfSigned, createTestCa, type TestCa, type TestCertificate } from '../helpers/certs.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// The recommendation is proven: the check hands nodemailer the configuration exactly as it will be
// shown, and recommends it only when nodemailer accepted it. The case that motivated it is relay on
// 25, where the probe tolerates any certificate (MTAs do not verify) but the recommended nodemailer
// configuration — requireTLS with certificate checking on — is refused. Role follows the port
// number, so these servers listen on port 25 itself, each on an address of its own in 127.0.0.0/8
// (binding 25 needs root, which the packet-drop tests need too).

const HOST = 'mail.example.test';
let ca: TestCa;
let dns: TestDnsServer;
const servers: RunningServer[] = [];
let nextAddress = 10 + (process.pid % 200);

const rootSkip = process.getuid?.() === 0 ? null : 'binding port 25 needs root';
if (rootSkip && process.env['CI']) throw new Error(`verified-recommendation tests: ${rootSkip}`);

beforeAll(async () => {
  ca = createTestCa();
  dns = await startDnsServer({});
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await dns?.close();
});

/** A host name resolving to a fresh loopback address with a real smtp-server on 25 (and others). */
async function hostWith(
  name: string,
  listeners: Array<{ port: number; certificate: TestCertificate; secure?: boolean; auth?: boolean }>,
): Promise<string> {
  nextAddress += 1;
  const address = `127.0.${Math.floor(nextAddress / 250) + 90}.${(nextAddress % 250) + 2}`;
  for (const listener of listeners) {
    servers.push(
      await startSmtpServer({
        name,
        listenHost: address,
        listenPort: listener.port,
        key: listener.certificate.key,
        cert: listener.certificate.cert,
        secure: listener.secure === true,
        authOptional: listener.auth !== true,
      }),
    );
  }
  dns.set(name, { A: [address] });
  return name;
}

function check(target: string, ports: number[], deps: Partial<RunCheckDeps> = {}): Promise<HostDiagnosis> {
  return createRunCheck({
    probeHost,
    limits: { ...DEFAULT_LIMITS, connectTimeoutMs: 2_000, greetingTimeoutMs: 3_000, replyTimeoutMs: 3_000 },
    now: () => new Date(),
    resolver: createResolver([dns.server]),
    extraCa: [ca.cert],
    verifyRecommendation: createRecommendationVerifier({ timeoutMs: 3_000, extraCa: [ca.cert] }),
    ...deps,
  })({ target, ports, mx: 'auto' });
}

describe.skipIf(rootSkip !== null)('a recommendation is made only when nodemailer accepts it', () => {
  test('a healthy host: the recommended configuration carries nodemailer’s proof', async () => {
    const good = ca.issue({ commonName: HOST, dnsNames: [HOST] });
    const target = await hostWith(HOST, [
      { port: 25, certificate: good },
      { port: 587, certificate: good, auth: true },
    ]);
    const diagnosis = await check(target, [25, 587]);
    expect(diagnosis.recommendation).toMatchObject({
      port: 587,
      security: 'starttls',
      verified: { by: 'nodemailer', ok: true },
    });
    expect(diagnosis.recommendation?.verified?.version).toMatch(/^\d+\.\d+\.\d+/);
    const json = JSON.parse(renderJson(diagnosis));
    expect(json.recommendation.verified).toMatchObject({ by: 'nodemailer', ok: true });
  });

  test.each([
    [
      'expired',
      (name: string) => ca.issue({ commonName: name, notBeforeDays: -60, notAfterDays: -3 }),
      /its certificate expired on \d{4}-\d{2}-\d{2}/,
      /renew the certificate on port 25/,
    ],
    [
      'self-signed',
      (name: string) => createSelfSigned({ commonName: name }),
      /self-signed/,
      /self-signed certificate/,
    ],
    [
      'from an unknown CA',
      (name: string) => createTestCa('a CA nobody trusts').issue({ commonName: name }),
      /./,
      /full chain/,
    ],
  ])(
    'a certificate %s on 25: nothing recommended, and it says why',
    async (_kind, certificate, summary, fix) => {
      const name = `${_kind.replace(/\W+/g, '-').toLowerCase()}.example.test`;
      // The certificate names the host, so each case is only what it says (not also another name).
      const cert = certificate(name);
      const target = await hostWith(name, [{ port: 25, certificate: cert }]);
      const unverified = await check(target, [25], { verifyRecommendation: undefined });
      // Without the proof the probe's reasoning recommends relay on 25 — what users used to paste.
      expect(unverified.recommendation?.port).toBe(25);

      const diagnosis = await check(target, [25]);
      expect(diagnosis.recommendation).toBeNull();
      const found = diagnosis.findings.find((finding) => finding.id === 'no-verified-config');
      expect(found?.severity).toBe('critical');
      expect(found?.summary).toContain(`no client that checks certificates can send through ${name}`);
      expect(found?.summary).toMatch(summary);
      expect(found?.advice.join('\n')).toMatch(fix);
      // The certificate is the only problem, shown as a diagnostic and never as a configuration.
      expect(found?.advice.join('\n')).toContain('Diagnostic only, not a configuration');
      expect(JSON.stringify(diagnosis)).not.toContain('rejectUnauthorized": false');
      expect(diagnosis.verdict.summary).toContain('no configuration a verifying client accepts');
    },
  );

  test('a certificate for another name: the fix names it, verified with tls.servername', async () => {
    const other = 'mx.provider.example.test';
    const target = await hostWith('alias.example.test', [
      { port: 25, certificate: ca.issue({ commonName: other, dnsNames: [other] }) },
    ]);
    const diagnosis = await check(target, [25]);
    expect(diagnosis.recommendation).toBeNull();
    const found = diagnosis.findings.find((finding) => finding.id === 'no-verified-config');
    expect(found?.advice[0]).toContain(`Connect to \`${other}\`, the name on the certificate`);
  });

  test('scheduled re-checks skip the proof', async () => {
    const target = await hostWith('scheduled.example.test', [
      { port: 25, certificate: createSelfSigned({ commonName: 'scheduled.example.test' }) },
    ]);
    const diagnosis = await createRunCheck({
      probeHost,
      limits: { ...DEFAULT_LIMITS, connectTimeoutMs: 2_000, greetingTimeoutMs: 3_000, replyTimeoutMs: 3_000 },
      now: () => new Date(),
      resolver: createResolver([dns.server]),
      verifyRecommendation: () => {
        throw new Error('a scheduled re-check must not verify');
      },
    })({ target, ports: [25], mx: 'auto' }, { priority: 'scheduled' });
    expect(diagnosis.recommendation?.verified).toBeUndefined();
  });
});
