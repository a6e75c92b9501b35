import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ShownTransportOptions,
  diagnoseWithoutCertificateCheck,
  optionsForVerification,
  verifyTransport,
  withCertificateName,
} from '../../src/proof/verify-transport.js';
import { type TestCa, createSelfSigned, createTestCa } from '../helpers/certs.js';
import { freePort, mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

const limits = { timeoutMs: 3_000 };
let ca: TestCa;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(() => {
  ca = createTestCa();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function server(options: Parameters<typeof startSmtpServer>[0]): Promise<RunningServer> {
  const running = await startSmtpServer(options);
  servers.push(running);
  return running;
}

function starttls(port: number, extra: Partial<ShownTransportOptions> = {}): ShownTransportOptions {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: { servername: 'mail.test', ca: ca.cert },
    ...extra,
  };
}

function implicit(port: number, extra: Partial<ShownTransportOptions> = {}): ShownTransportOptions {
  return { host: '127.0.0.1', port, secure: true, tls: { servername: 'mail.test', ca: ca.cert }, ...extra };
}

describe('verifyTransport()', () => {
  test('accepts a STARTTLS server with a good certificate and names the real nodemailer version', async () => {
    const good = ca.issue({ commonName: 'mail.test' });
    const running = await server({ key: good.key, cert: good.cert });
    const { createRequire } = await import('node:module');
    const installed = createRequire(import.meta.url)('nodemailer/package.json').version as string;
    const result = await verifyTransport(starttls(running.port), { limits });
    expect(result).toEqual({ by: 'nodemailer', version: installed, ok: true });
  });

  test('accepts an implicit-TLS server with a good certificate', async () => {
    const good = ca.issue({ commonName: 'mail.test' });
    const running = await server({ secure: true, key: good.key, cert: good.cert });
    const result = await verifyTransport(implicit(running.port), { limits });
    expect(result.ok).toBe(true);
  });

  test('counts a server that demands AUTH as working: nodemailer stops at its missing-credentials check', async () => {
    const good = ca.issue({ commonName: 'mail.test' });
    let authAttempts = 0;
    const running = await server({
      key: good.key,
      cert: good.cert,
      authOptional: false,
      onAuth(_auth, _session, callback) {
        authAttempts += 1;
        callback(new Error('no'));
      },
    });
    const result = await verifyTransport(
      starttls(running.port, { auth: { user: '<username>', pass: '<password>' } }),
      {
        limits,
      },
    );
    expect(result).toMatchObject({ ok: true, authDemanded: true });
    // The placeholder password is never sent: the server saw no AUTH at all.
    expect(authAttempts).toBe(0);
  });

  test('counts a server offering only XOAUTH2 as working (the transport is fine)', async () => {
    const good = ca.issue({ commonName: 'mail.test' });
    const running = await server({
      key: good.key,
      cert: good.cert,
      authOptional: false,
      authMethods: ['XOAUTH2'],
    });
    const result = await verifyTransport(
      starttls(running.port, { auth: { user: '<username>', pass: '<password>' } }),
      {
        limits,
      },
    );
    expect(result).toMatchObject({ ok: true, authDemanded: true });
  });

  test('counts a 530 authentication demand as working', async () => {
    const good = ca.issue({ commonName: 'mail.test' });
    const demand = ['530 5.7.0 Authentication required'];
    const scripted = await startScriptedServer(mtaScript({ ehlo: demand, helo: demand }), {
      tls: { key: good.key, cert: good.cert },
    });
    servers.push(scripted);
    const result = await verifyTransport(implicit(scripted.port), { limits });
    expect(result).toMatchObject({
      ok: true,
      authDemanded: true,
      reply: '530 5.7.0 Authentication required',
    });
  });

  test('refuses an expired certificate and dates the expiry from what the probe learnt', async () => {
    const expired = ca.issue({ commonName: 'mail.test', notBeforeDays: -30, notAfterDays: -2 });
    const running = await server({ key: expired.key, cert: expired.cert });
    const result = await verifyTransport(starttls(running.port), {
      limits,
      certificate: { validTo: '2026-10-01T12:00:00.000Z' },
    });
    expect(result.ok).toBe(false);
    expect(result.failure?.kind).toBe('certificate-expired');
    expect(result.error).toBe('its certificate expired on 2026-10-01');
  });

  test('refuses a self-signed certificate', async () => {
    const self = createSelfSigned({ commonName: 'mail.test' });
    const running = await server({ secure: true, key: self.key, cert: self.cert });
    const result = await verifyTransport(implicit(running.port), { limits });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'certificate-self-signed' } });
    expect(result.error).toMatch(/self-signed/);
  });

  test('refuses a certificate for another name and lists the names on it', async () => {
    const other = ca.issue({ commonName: 'other.test', dnsNames: ['other.test', 'mx.other.test'] });
    const running = await server({ key: other.key, cert: other.cert });
    const result = await verifyTransport(starttls(running.port), { limits });
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'certificate-wrong-name', certificateNames: ['other.test', 'mx.other.test'] },
    });
    expect(result.error).toBe('its certificate is for other.test, mx.other.test, not mail.test');
  });

  test('verifies the fix "use the name on the certificate" with tls.servername', async () => {
    const other = ca.issue({ commonName: 'other.test', dnsNames: ['other.test'] });
    const running = await server({ key: other.key, cert: other.cert });
    const fixed = withCertificateName(starttls(running.port), 'other.test');
    expect(fixed.tls?.servername).toBe('other.test');
    expect((await verifyTransport(fixed, { limits })).ok).toBe(true);
  });

  test('names the mix-up when implicit TLS is configured against a STARTTLS port', async () => {
    const good = ca.issue({ commonName: 'mail.test' });
    const running = await server({ key: good.key, cert: good.cert });
    const result = await verifyTransport(implicit(running.port), { limits });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'tls-mode-mismatch' } });
    expect(result.error).toMatch(/expects STARTTLS/);
  });

  test('reports a refused connection as a value', async () => {
    const port = await freePort();
    const result = await verifyTransport(starttls(port), { limits });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'connection-refused' } });
  });

  test('reports a server that never greets as timed out, within the budget', async () => {
    const silent = await startScriptedServer(() => {});
    servers.push(silent);
    const result = await verifyTransport(starttls(silent.port), { limits: { timeoutMs: 300 } });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'timed-out' } });
  });

  test('never verifies a configuration that switches certificate checking off', async () => {
    const self = createSelfSigned({ commonName: 'mail.test' });
    const running = await server({ key: self.key, cert: self.cert });
    const shown = starttls(running.port, { tls: { servername: 'mail.test', rejectUnauthorized: false } });
    const result = await verifyTransport(shown, { limits });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'certificate-check-disabled' } });
  });
});

describe('diagnoseWithoutCertificateCheck()', () => {
  test('shows that an expired certificate is the only problem, labelled as a diagnostic', async () => {
    const expired = ca.issue({ commonName: 'mail.test', notBeforeDays: -30, notAfterDays: -2 });
    const running = await server({ key: expired.key, cert: expired.cert });
    const diagnostic = await diagnoseWithoutCertificateCheck(starttls(running.port), { limits });
    expect(diagnostic.kind).toBe('diagnostic');
    expect(diagnostic.label).toMatch(/not a configuration/);
    expect(diagnostic.certificateIsOnlyProblem).toBe(true);
  });

  test('says so when more than the certificate is wrong', async () => {
    const expired = ca.issue({ commonName: 'mail.test', notBeforeDays: -30, notAfterDays: -2 });
    const running = await server({ key: expired.key, cert: expired.cert });
    const diagnostic = await diagnoseWithoutCertificateCheck(implicit(running.port), { limits });
    expect(diagnostic.certificateIsOnlyProblem).toBe(false);
    expect(diagnostic.verification.failure?.kind).toBe('tls-mode-mismatch');
  });
});

describe('optionsForVerification()', () => {
  test('adds only timeouts, withholds the password, and lets the shown timeouts win', () => {
    const shown: ShownTransportOptions = {
      host: 'mail.example.com',
      port: 587,
      secure: false,
      requireTLS: true,
      tls: { servername: 'mail.example.com' },
      auth: { user: '<username>', pass: '<password>' },
      greetingTimeout: 60_000,
    };
    const handed = optionsForVerification(shown, { timeoutMs: 5_000 });
    expect(handed).toEqual({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      requireTLS: true,
      tls: { servername: 'mail.example.com' },
      auth: { user: '<username>' },
      greetingTimeout: 60_000,
      connectionTimeout: 5_000,
      socketTimeout: 5_000,
      dnsTimeout: 5_000,
      socketCloseTimeout: 1_000,
      logger: false,
    });
  });
});
