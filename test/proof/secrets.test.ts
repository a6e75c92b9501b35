import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendTestMessage } from '../../src/proof/send-test-message.js';
import { secretForms } from '../../src/proof/secrets.js';
import { type PasswordMechanism, testCredentials } from '../../src/proof/test-credentials.js';
import { createTranscriptCollector } from '../../src/proof/transcript.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { type LineReader, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { startSmtpServer } from '../helpers/smtp-test-server.js';

// The password must not appear anywhere a result can reach, in clear or encoded, whatever happens.

const USER = 'alice@example.com';
const PASSWORD = 'Tr0ub4dor&3-"quoted"\\slash';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** Every form the password travels in: what the tests search for. */
const NEEDLES = [
  PASSWORD,
  b64(PASSWORD),
  b64(`\u0000${USER}\u0000${PASSWORD}`),
  JSON.stringify(PASSWORD).slice(1, -1),
  'Tr0ub4dor',
];

let ca: TestCa;
let leaf: TestCertificate;
const servers: Array<{ close(): Promise<void> }> = [];
const limits = { timeoutMs: 1_000 };

beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue({ commonName: 'mail.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Everything a result exposes, as one string; and no Error objects (no message or stack to leak). */
function exposed(result: unknown): string {
  const walk = (value: unknown): void => {
    expect(value instanceof Error).toBe(false);
    if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner);
  };
  walk(result);
  return `${JSON.stringify(result)}\n${String(result)}`;
}

function expectNoSecret(text: string): void {
  for (const needle of NEEDLES) expect(text).not.toContain(needle);
}

type Behaviour = 'accept' | 'refuse' | 'echo' | 'drop' | 'silent';

/** An implicit-TLS server that runs AUTH by hand, then behaves as told once it has the secret. */
async function authScript(behaviour: Behaviour, offered = 'PLAIN LOGIN'): Promise<ScriptedServer> {
  const write = (socket: Socket, line: string) => socket.write(`${line}\r\n`);
  const afterSecret = (socket: Socket, secret: string) => {
    switch (behaviour) {
      case 'accept':
        return write(socket, '235 2.7.0 Authentication successful');
      case 'refuse':
        return write(socket, '535 5.7.8 Authentication credentials invalid');
      case 'echo':
        // A hostile server that hands the secret back, decoded and encoded.
        return write(
          socket,
          `535 5.7.8 bad login ${secret} ${Buffer.from(secret, 'base64')
            .toString('utf8')
            .replace(/\u0000/g, ' ')}`,
        );
      case 'drop':
        return socket.destroy();
      case 'silent':
        return undefined;
    }
  };
  const server = await startScriptedServer(
    async (socket: Socket, lines: LineReader) => {
      write(socket, '220 mail.test ESMTP');
      for (let line = await lines.next(); line !== null; line = await lines.next()) {
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          write(socket, '250-mail.test');
          write(socket, `250 AUTH ${offered}`);
        } else if (verb === 'AUTH' && /^AUTH PLAIN \S+/i.test(line)) {
          afterSecret(socket, line.split(' ')[2]!);
        } else if (verb === 'AUTH' && /^AUTH LOGIN$/i.test(line)) {
          write(socket, '334 VXNlcm5hbWU6');
          if ((await lines.next()) === null) return;
          write(socket, '334 UGFzc3dvcmQ6');
          const secret = await lines.next();
          if (secret === null) return;
          afterSecret(socket, secret);
        } else if (verb === 'QUIT') {
          write(socket, '221 bye');
          socket.end();
          return;
        } else write(socket, '250 ok');
      }
    },
    { tls: { key: leaf.key, cert: leaf.cert } },
  );
  servers.push(server);
  return server;
}

const CASES: Array<[PasswordMechanism, Behaviour]> = (['PLAIN', 'LOGIN'] as const).flatMap((mechanism) =>
  (['accept', 'refuse', 'echo', 'drop', 'silent'] as const).map(
    (behaviour): [PasswordMechanism, Behaviour] => [mechanism, behaviour],
  ),
);

describe('the password never leaves testCredentials()', () => {
  test.each(CASES)('%s, server does %s', async (mechanism, behaviour) => {
    const server = await authScript(behaviour);
    const result = await testCredentials({
      host: 'mail.test',
      address: '127.0.0.1',
      port: server.port,
      secure: true,
      user: USER,
      password: PASSWORD,
      mechanism,
      tls: { ca: ca.cert },
      limits,
    });
    expect(result.ok).toBe(behaviour === 'accept');
    expect(result.mechanism).toBe(mechanism);
    // The needle is real: the server did receive the password in its encoded form.
    const wire = server.received.join('\n');
    expect(wire).toContain(mechanism === 'PLAIN' ? NEEDLES[2] : NEEDLES[1]);
    expectNoSecret(exposed(result));
    for (const line of result.transcript) expectNoSecret(line.text);
    // The AUTH exchange is kept as a shape, not as content.
    expect(
      result.transcript.some(
        (line) => line.direction === 'client' && line.text.startsWith(`AUTH ${mechanism}`),
      ),
    ).toBe(true);
  });
});

describe('the password never leaves sendTestMessage()', () => {
  test.each(CASES)('%s, server does %s', async (mechanism, behaviour) => {
    // Offered alone, the mechanism is the one nodemailer's transport picks.
    const server = await authScript(behaviour, mechanism);
    const result = await sendTestMessage({
      host: 'mail.test',
      address: '127.0.0.1',
      port: server.port,
      secure: true,
      user: USER,
      password: PASSWORD,
      from: USER,
      to: 'bob@example.net',
      tls: { ca: ca.cert },
      limits,
    });
    expect(result.ok).toBe(behaviour === 'accept');
    expect(server.received.join('\n')).toContain(mechanism === 'PLAIN' ? NEEDLES[2] : NEEDLES[1]);
    expectNoSecret(exposed(result));
    for (const line of result.transcript) expectNoSecret(line.text);
  });

  test('a real server that accepts the login and the message', async () => {
    const running = await startSmtpServer({
      key: leaf.key,
      cert: leaf.cert,
      secure: true,
      authMethods: ['LOGIN'],
      onAuth(auth, _session, callback) {
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(null, 'Ok: queued as ABC123'));
      },
    });
    servers.push(running);
    const result = await sendTestMessage({
      host: 'mail.test',
      address: '127.0.0.1',
      port: running.port,
      secure: true,
      user: USER,
      password: PASSWORD,
      from: USER,
      to: 'bob@example.net',
      tls: { ca: ca.cert },
      limits,
    });
    expect(result).toMatchObject({ ok: true, outcome: 'queued' });
    expectNoSecret(exposed(result));
  });
});

describe('createTranscriptCollector()', () => {
  // Raw, unmasked lines as a careless client would log them: the collector must redact by AUTH state.
  test.each([
    ['PLAIN with an initial response', [`AUTH PLAIN ${b64(`\u0000${USER}\u0000${PASSWORD}`)}`], ['235 ok']],
    ['LOGIN', ['AUTH LOGIN', b64(USER), b64(PASSWORD)], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '535 no']],
    [
      'CRAM-MD5',
      ['AUTH CRAM-MD5', b64(`${USER} 0123456789abcdef0123456789abcdef`)],
      ['334 PDEyMzQ+', '235 ok'],
    ],
  ])('%s', (_name, clientLines, serverLines) => {
    // No second net here: the state machine alone must hide every AUTH client line.
    const collector = createTranscriptCollector([]);
    const { logger } = collector;
    const replies = [...serverLines];
    for (const line of clientLines) {
      logger.debug({ tnx: 'client' }, line);
      const reply = replies.shift();
      if (reply) logger.debug({ tnx: 'server' }, reply);
    }
    logger.debug({ tnx: 'client' }, 'MAIL FROM:<alice@example.com>');
    const lines = collector.lines();
    const clientTexts = lines.filter((line) => line.direction === 'client').map((line) => line.text);
    expect(clientTexts[0]).toMatch(/^AUTH (PLAIN|LOGIN|CRAM-MD5)( \[redacted\])?$/);
    expect(clientTexts.slice(1, -1).every((text) => text === '[redacted]')).toBe(true);
    // After the exchange ends, commands are kept again.
    expect(clientTexts.at(-1)).toBe('MAIL FROM:<alice@example.com>');
    expectNoSecret(JSON.stringify(lines));
    expect(JSON.stringify(lines)).not.toContain(b64(USER));
  });

  test('the second net scrubs the password wherever it appears, encoded or not', () => {
    const collector = createTranscriptCollector(secretForms({ user: USER, password: PASSWORD }));
    collector.logger.debug({ tnx: 'server' }, `535 your password ${PASSWORD} is wrong (${b64(PASSWORD)})`);
    collector.logger.info({ tnx: 'smtp' }, 'note with %s', PASSWORD);
    expectNoSecret(JSON.stringify(collector.lines()));
  });
});
