import type { SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type SendTestOptions, sendTestMessage } from '../../src/proof/send-test-message.js';
import { testCredentials } from '../../src/proof/test-credentials.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { startSmtpServer } from '../helpers/smtp-test-server.js';

const limits = { timeoutMs: 3_000 };
const USER = 'alice@example.com';
const PASSWORD = 'send-secret-42';
let ca: TestCa;
let leaf: TestCertificate;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue({ commonName: 'mail.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

interface Received {
  messages: string[];
  recipients: string[];
}

function refuse(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

async function mailServer(options: SMTPServerOptions = {}): Promise<{ port: number } & Received> {
  const received: Received = { messages: [], recipients: [] };
  const running = await startSmtpServer({
    key: leaf.key,
    cert: leaf.cert,
    onRcptTo(address, _session, callback) {
      received.recipients.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.messages.push(Buffer.concat(chunks).toString('utf8'));
        callback(null, 'Ok: queued as 4F8Jb52Yhqz9sWx');
      });
    },
    ...options,
  });
  servers.push(running);
  return Object.assign(received, { port: running.port });
}

function send(port: number, extra: Partial<SendTestOptions> = {}): SendTestOptions {
  return {
    host: 'mail.test',
    address: '127.0.0.1',
    port,
    secure: false,
    from: 'alice@example.com',
    to: 'bob@example.net',
    tls: { ca: ca.cert },
    limits,
    ...extra,
  };
}

describe('sendTestMessage()', () => {
  test('sends one labelled message, reports the queue id and the whole transaction', async () => {
    const server = await mailServer();
    const now = () => new Date('2026-12-02T03:00:00.000Z');
    const result = await sendTestMessage(send(server.port), { now });
    expect(result).toMatchObject({ ok: true, outcome: 'queued', queueId: '4F8Jb52Yhqz9sWx', stage: 'data' });
    expect(result.messageId).toMatch(/^<smtp-check\.[0-9a-f-]{36}@example\.com>$/);
    expect(server.recipients).toEqual(['bob@example.net']);
    expect(server.messages).toHaveLength(1);
    const message = server.messages[0]!;
    expect(message).toMatch(/^Subject: smtp-check test message$/m);
    expect(message).toContain(`Message-ID: ${result.messageId}`);
    expect(message).toMatch(/test message sent by smtp-check/);
    expect(message).toContain('2026-12-02T03:00:00.000Z');
    const commands = result.transcript
      .filter((line) => line.direction === 'client')
      .map((line) => line.text.split(' ')[0]);
    expect(commands.slice(0, 6)).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'MAIL', 'RCPT', 'DATA']);
    expect(
      result.transcript.some(
        (line) => line.direction === 'server' && line.text.includes('queued as 4F8Jb52Yhqz9sWx'),
      ),
    ).toBe(true);
  });

  test('gives every test message its own Message-ID', async () => {
    const server = await mailServer();
    const first = await sendTestMessage(send(server.port));
    const second = await sendTestMessage(send(server.port));
    expect(first.messageId).not.toBe(second.messageId);
  });

  test.each([
    'bob@example.net, carol@example.net',
    'bob@example.net;carol@example.net',
    'Bob <bob@example.net>',
    'nobody',
  ])('refuses %j without connecting: one plain recipient only', async (to) => {
    const server = await mailServer();
    const result = await sendTestMessage(send(server.port, { to }));
    expect(result).toMatchObject({ ok: false, outcome: 'several-recipients', transcript: [] });
    expect(server.recipients).toEqual([]);
  });

  test('logs in first when a user is given, and relays only after AUTH', async () => {
    const server = await mailServer({
      authOptional: true,
      onAuth(auth, _session, callback) {
        if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: auth.username });
        else callback(refuse(535, '5.7.8 Authentication credentials invalid'));
      },
      onRcptTo(address, session, callback) {
        if (!session.user) callback(refuse(554, `5.7.1 <${address.address}>: Relay access denied`));
        else callback();
      },
    });
    const anonymous = await sendTestMessage(send(server.port));
    expect(anonymous).toMatchObject({
      ok: false,
      outcome: 'relay-denied',
      stage: 'rcpt',
      reply: { code: 554, enhancedCode: '5.7.1' },
    });
    expect(anonymous.explanation).toMatch(/authenticate|Log in/i);
    const authenticated = await sendTestMessage(send(server.port, { user: USER, password: PASSWORD }));
    expect(authenticated).toMatchObject({ ok: true, outcome: 'queued' });
    expect(authenticated.transcript.some((line) => line.text === 'AUTH PLAIN [redacted]')).toBe(true);
  });

  test('a failed login is explained with the login advice', async () => {
    const server = await mailServer({
      onAuth(_auth, _session, callback) {
        callback(refuse(535, '5.7.8 Authentication credentials invalid'));
      },
    });
    const result = await sendTestMessage(send(server.port, { user: USER, password: 'wrong' }));
    expect(result).toMatchObject({
      ok: false,
      outcome: 'auth-failed',
      stage: 'auth',
      advice: { id: 'bad-credentials' },
    });
  });

  test('sends no password to a server offering only XOAUTH2, and says so as the login test does', async () => {
    const methods: string[] = [];
    const server = await mailServer({
      authMethods: ['XOAUTH2'],
      onAuth(auth, _session, callback) {
        methods.push(auth.method);
        callback(null, { user: auth.username });
      },
    });
    const credentials = { user: USER, password: PASSWORD };
    const result = await sendTestMessage(send(server.port, credentials));
    const login = await testCredentials({ ...send(server.port), ...credentials });
    expect(login).toMatchObject({ outcome: 'oauth-only', advice: { id: 'oauth-only' } });
    expect(result).toMatchObject({ ok: false, outcome: 'oauth-only', stage: 'auth' });
    expect(result.advice).toEqual(login.advice);
    expect(result.explanation).toContain(login.advice!.summary);
    // Nothing went out: no AUTH (nodemailer alone would have sent the password with PLAIN), no message.
    expect(methods).toEqual([]);
    expect(server.recipients).toEqual([]);
    expect(server.messages).toEqual([]);
    expect(result.transcript.some((line) => line.direction === 'client' && /^AUTH/i.test(line.text))).toBe(
      false,
    );
  });

  test('sends no password to a server offering only XOAUTH2 and OAUTHBEARER', async () => {
    const scripted = await startScriptedServer(
      mtaScript({
        ehlo: ['250-mail.test', '250 STARTTLS'],
        starttls: { key: leaf.key, cert: leaf.cert, ehlo: ['250-mail.test', '250 AUTH XOAUTH2 OAUTHBEARER'] },
      }),
    );
    servers.push(scripted);
    const result = await sendTestMessage(send(scripted.port, { user: USER, password: PASSWORD }));
    expect(result).toMatchObject({
      ok: false,
      outcome: 'oauth-only',
      stage: 'auth',
      advice: { id: 'oauth-only' },
    });
    expect(scripted.received.filter((line) => /^(AUTH|MAIL|RCPT|DATA)/i.test(line))).toEqual([]);
  });

  test('a refused login gives the reply code once', async () => {
    const server = await mailServer({
      onAuth(_auth, _session, callback) {
        callback(refuse(535, '5.7.8 Authentication failed'));
      },
    });
    const result = await sendTestMessage(send(server.port, { user: USER, password: PASSWORD }));
    expect(result.reply).toEqual({
      code: 535,
      enhancedCode: '5.7.8',
      text: '535 5.7.8 Authentication failed',
    });
    expect(JSON.stringify(result)).not.toMatch(/535 535/);
  });

  const MAIL_FROM_REFUSALS = [
    [
      553,
      '5.7.1 <alice@example.com>: Sender address rejected: not owned by user alice',
      'sender-not-allowed',
    ],
    [550, '5.7.60 SMTP; Client does not have permissions to send as this sender', 'sender-not-allowed'],
    [421, '4.7.0 Too many connections, slow down', 'rate-limited'],
    [552, '5.3.4 Message size exceeds fixed limit', 'message-too-large'],
  ] as const;
  test.each(MAIL_FROM_REFUSALS)('MAIL FROM refused with %i %s → %s', async (code, text, outcome) => {
    const server = await mailServer({
      onMailFrom(_address, _session, callback) {
        callback(refuse(code, text));
      },
    });
    const result = await sendTestMessage(send(server.port));
    expect(result).toMatchObject({ ok: false, outcome, stage: 'mail', reply: { code } });
    expect(server.messages).toEqual([]);
  });

  const RCPT_REFUSALS = [
    [554, '5.7.1 <bob@example.net>: Relay access denied', 'relay-denied'],
    [550, '5.7.1 Unable to relay', 'relay-denied'],
    [
      450,
      '4.7.1 <bob@example.net>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.net.html',
      'greylisted',
    ],
    [451, '4.7.1 Please try again later', 'greylisted'],
    [450, '4.7.1 Rate limit exceeded, try again later', 'rate-limited'],
    [452, '4.5.3 Too many recipients', 'too-many-recipients'],
    [
      550,
      '5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table',
      'recipient-unknown',
    ],
    [530, '5.7.57 Client not authenticated to send mail', 'auth-required'],
  ] as const;
  test.each(RCPT_REFUSALS)('RCPT TO refused with %i %s → %s', async (code, text, outcome) => {
    const server = await mailServer({
      onRcptTo(_address, _session, callback) {
        callback(refuse(code, text));
      },
    });
    const result = await sendTestMessage(send(server.port));
    expect(result).toMatchObject({ ok: false, outcome, stage: 'rcpt', reply: { code } });
  });

  const DATA_REFUSALS = [
    [
      550,
      "5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
      'policy',
    ],
    [550, '5.7.509 Access denied, sending domain example.com does not pass DMARC verification', 'policy'],
    [552, '5.3.4 Message size exceeds fixed maximum message size', 'message-too-large'],
  ] as const;
  test.each(DATA_REFUSALS)('DATA refused with %i %s → %s', async (code, text, outcome) => {
    const server = await mailServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(refuse(code, text)));
      },
    });
    const result = await sendTestMessage(send(server.port));
    expect(result).toMatchObject({ ok: false, outcome, stage: 'data', reply: { code } });
  });

  test('refuses to send with a password when the certificate is for another name', async () => {
    const server = await mailServer({
      onAuth(auth, _session, callback) {
        callback(null, { user: auth.username });
      },
    });
    const result = await sendTestMessage(
      send(server.port, { host: 'other.test', user: USER, password: PASSWORD }),
    );
    expect(result).toMatchObject({
      ok: false,
      outcome: 'connection-failed',
      failure: { kind: 'certificate-wrong-name' },
    });
    expect(server.messages).toEqual([]);
  });
});
