import type { SMTPServerAuthentication } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CredentialTestOptions, testCredentials } from '../../src/proof/test-credentials.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// Provider host names resolve to nothing here: the session goes to the loopback `address`, while the
// certificate (issued by this run's CA for the provider's name) and the provider knowledge use the name.

const limits = { timeoutMs: 3_000 };
const USER = 'alice@example.com';
const PASSWORD = 'correct horse battery staple';
let ca: TestCa;
let leaf: TestCertificate;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue({
    commonName: 'mail.test',
    dnsNames: [
      'mail.test',
      'smtp.gmail.com',
      'smtp.office365.com',
      'email-smtp.eu-west-1.amazonaws.com',
      'smtp.sendgrid.net',
      'smtp.mailgun.org',
      'smtp.postmarkapp.com',
    ],
  });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

interface AuthServerOptions {
  authMethods?: string[];
  /** Refuse every login with this reply (code, then the text after it; lines split on \n). */
  refuse?: { code: number; text: string };
  secure?: boolean;
  hideStarttlsAuth?: boolean;
}

async function authServer(options: AuthServerOptions = {}): Promise<RunningServer & { methods: string[] }> {
  const methods: string[] = [];
  const running = await startSmtpServer({
    key: leaf.key,
    cert: leaf.cert,
    secure: options.secure ?? false,
    authOptional: false,
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    onAuth(auth: SMTPServerAuthentication, _session, callback) {
      methods.push(auth.method);
      if (options.refuse) {
        callback(Object.assign(new Error(options.refuse.text), { responseCode: options.refuse.code }));
        return;
      }
      const passwordOk =
        auth.method === 'CRAM-MD5' ? auth.validatePassword(PASSWORD) : auth.password === PASSWORD;
      if (auth.username === USER && passwordOk) callback(null, { user: auth.username });
      else
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
  });
  servers.push(running);
  return Object.assign(running, { methods });
}

function login(port: number, extra: Partial<CredentialTestOptions> = {}): CredentialTestOptions {
  return {
    host: 'mail.test',
    address: '127.0.0.1',
    port,
    secure: false,
    user: USER,
    password: PASSWORD,
    tls: { ca: ca.cert },
    limits,
    ...extra,
  };
}

describe('testCredentials()', () => {
  test('reports the port, the TLS mode and the mechanism that logged in', async () => {
    const server = await authServer();
    const result = await testCredentials(login(server.port));
    expect(result).toMatchObject({
      ok: true,
      outcome: 'accepted',
      port: server.port,
      security: 'starttls',
      mechanism: 'PLAIN',
      offeredMechanisms: ['PLAIN', 'LOGIN'],
    });
    expect(server.methods).toEqual(['PLAIN']);
  });

  test.each(['LOGIN', 'CRAM-MD5'] as const)('logs in with %s when asked, and says so', async (mechanism) => {
    const server = await authServer({ authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'] });
    const result = await testCredentials(login(server.port, { mechanism }));
    expect(result).toMatchObject({ ok: true, mechanism });
    expect(server.methods).toEqual([mechanism]);
  });

  test('logs in inside implicit TLS', async () => {
    const server = await authServer({ secure: true });
    const result = await testCredentials(login(server.port, { secure: true }));
    expect(result).toMatchObject({ ok: true, security: 'implicit-tls', mechanism: 'PLAIN' });
  });

  test('notes that AUTH appears only after STARTTLS', async () => {
    const scripted = await startScriptedServer(
      mtaScript({
        ehlo: ['250-mail.test', '250 STARTTLS'],
        starttls: { key: leaf.key, cert: leaf.cert, ehlo: ['250-mail.test', '250 AUTH PLAIN LOGIN'] },
      }),
    );
    servers.push(scripted);
    const result = await testCredentials(login(scripted.port));
    expect(result.offeredMechanisms).toEqual(['PLAIN', 'LOGIN']);
    expect(result.notes.join(' ')).toMatch(/only after STARTTLS/);
  });

  test('a wrong password is rejected with the reply decoded', async () => {
    const server = await authServer();
    const result = await testCredentials(login(server.port, { password: 'wrong' }));
    expect(result).toMatchObject({
      ok: false,
      outcome: 'rejected',
      mechanism: 'PLAIN',
      reply: { code: 535, enhancedCode: '5.7.8' },
      advice: { id: 'bad-credentials' },
    });
  });

  test('a refused login gives the reply code once: 535 5.7.8 Authentication failed', async () => {
    const server = await authServer({ refuse: { code: 535, text: '5.7.8 Authentication failed' } });
    const result = await testCredentials(login(server.port));
    expect(result.reply).toEqual({
      code: 535,
      enhancedCode: '5.7.8',
      text: '535 5.7.8 Authentication failed',
    });
    // Every field that quotes the server has the code once (the text is the whole reply, code included).
    expect(JSON.stringify(result)).not.toMatch(/535 535/);
  });

  test('sends no password to a server offering only XOAUTH2', async () => {
    const server = await authServer({ authMethods: ['XOAUTH2'] });
    const result = await testCredentials(login(server.port));
    expect(result).toMatchObject({ ok: false, outcome: 'oauth-only', advice: { id: 'oauth-only' } });
    expect(server.methods).toEqual([]);
  });

  test('a port that offers no AUTH is reported as such', async () => {
    const running = await startSmtpServer({ key: leaf.key, cert: leaf.cert, disabledCommands: ['AUTH'] });
    servers.push(running);
    const result = await testCredentials(login(running.port));
    expect(result).toMatchObject({
      ok: false,
      outcome: 'auth-not-offered',
      advice: { id: 'auth-not-offered' },
    });
  });

  test('refuses to log in when STARTTLS is not offered (the password is not sent)', async () => {
    const methods: string[] = [];
    const running = await startSmtpServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      onAuth(auth, _session, callback) {
        methods.push(auth.method);
        callback(null, { user: auth.username });
      },
    });
    servers.push(running);
    const result = await testCredentials(login(running.port));
    expect(result).toMatchObject({
      ok: false,
      outcome: 'connection-failed',
      failure: { kind: 'starttls-unavailable' },
    });
    expect(methods).toEqual([]);
  });

  test('refuses to log in when the certificate is for another name', async () => {
    const server = await authServer();
    const result = await testCredentials(login(server.port, { host: 'other.test' }));
    expect(result).toMatchObject({
      ok: false,
      outcome: 'connection-failed',
      failure: { kind: 'certificate-wrong-name' },
    });
    expect(server.methods).toEqual([]);
  });
});

// Reply texts as the providers send them (see src/diagnose/knowledge/auth-replies.ts for sources).
const PROVIDER_REPLIES = [
  {
    host: 'smtp.gmail.com',
    refuse: {
      code: 534,
      text: '5.7.9 Application-specific password required. Learn more at\n5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor z8-20020a170902ccc800b0016363b15acasm10419980ple.112 - gsmtp',
    },
    advice: 'gmail-app-password-required',
  },
  {
    host: 'smtp.gmail.com',
    refuse: {
      code: 535,
      text: '5.7.8 Username and Password not accepted. Learn more at\n5.7.8 https://support.google.com/mail/?p=BadCredentials t66sm6271302pjb.45 - gsmtp',
    },
    advice: 'gmail-bad-credentials',
  },
  {
    host: 'smtp.office365.com',
    refuse: {
      code: 535,
      text: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR02CA0001.eurprd02.prod.outlook.com 2026-12-02T02:00:00.000Z 08DC5BA2C153C1D0]',
    },
    advice: 'm365-smtp-auth-disabled',
    fix: /organisation/,
  },
  {
    host: 'smtp.office365.com',
    refuse: {
      code: 535,
      text: "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.",
    },
    advice: 'm365-smtp-auth-disabled',
    fix: /security defaults/,
  },
  {
    host: 'smtp.office365.com',
    refuse: {
      code: 535,
      text: '5.7.3 Authentication unsuccessful [BN6PR03CA0021.namprd03.prod.outlook.com]',
    },
    advice: 'm365-bad-credentials',
  },
  {
    host: 'email-smtp.eu-west-1.amazonaws.com',
    refuse: { code: 535, text: 'Authentication Credentials Invalid' },
    advice: 'ses-smtp-credentials',
    fix: /not IAM access keys/,
  },
  {
    host: 'smtp.sendgrid.net',
    refuse: { code: 535, text: 'Authentication failed: Bad username / password' },
    advice: 'sendgrid-user-must-be-apikey',
    fix: /the word apikey/,
  },
  {
    host: 'smtp.mailgun.org',
    refuse: { code: 535, text: 'Authentication failed' },
    advice: 'mailgun-domain-credentials',
    fix: /postmaster@/,
  },
  {
    host: 'smtp.postmarkapp.com',
    refuse: { code: 535, text: '5.7.8 Authentication credentials invalid' },
    advice: 'postmark-server-token',
    fix: /Server API token/,
  },
] as const;

describe('testCredentials() decodes provider replies', () => {
  test.each(PROVIDER_REPLIES)('$host $refuse.code → $advice', async (row) => {
    const server = await authServer({ refuse: row.refuse });
    const result = await testCredentials(login(server.port, { host: row.host }));
    expect(result.outcome).toBe('rejected');
    expect(result.reply?.code).toBe(row.refuse.code);
    expect(result.advice?.id).toBe(row.advice);
    expect(result.advice?.sourceUrl).toMatch(/^https:\/\//);
    if ('fix' in row) expect(result.advice?.fix).toMatch(row.fix);
  });
});
