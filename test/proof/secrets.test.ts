import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendTestMessage } from '../../src/proof/send-test-message.js';
import { REDACTED, secretForms } from '../../src/proof/secrets.js';
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

/** What the server says before AUTH: its greeting and the first line of its EHLO reply. */
interface Banner {
  greeting: string;
  ehlo: string;
}

/** An implicit-TLS server that runs AUTH by hand, then behaves as told once it has the secret. */
async function authScript(
  behaviour: Behaviour,
  offered = 'PLAIN LOGIN',
  banner: Banner = { greeting: '220 mail.test ESMTP', ehlo: '250-mail.test' },
): Promise<ScriptedServer> {
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
      write(socket, banner.greeting);
      for (let line = await lines.next(); line !== null; line = await lines.next()) {
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          write(socket, banner.ehlo);
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

// A short password is hidden by protocol state where it is sent, and by its exact encodings; it is
// never starred out of text that only happens to contain it, which would reveal it instead.
describe('a short password', () => {
  const SHORT = '2525';
  const BANNER = {
    greeting: '220 mail.example.com ESMTP 2525 ready',
    ehlo: '250-mail.example.com greets you on port 2525',
  };
  /** The forms of SHORT that travel on the wire (the raw one also happens to be in the banner). */
  const encoded = [b64(SHORT), b64(`\u0000${USER}\u0000${SHORT}`)];

  const run = (which: 'testCredentials' | 'sendTestMessage', port: number, mechanism: PasswordMechanism) => {
    const common = {
      host: 'mail.test',
      address: '127.0.0.1',
      port,
      secure: true,
      user: USER,
      password: SHORT,
      tls: { ca: ca.cert },
      limits,
    };
    return which === 'testCredentials'
      ? testCredentials({ ...common, mechanism })
      : sendTestMessage({ ...common, from: USER, to: 'bob@example.net' });
  };

  test.each(
    (['testCredentials', 'sendTestMessage'] as const).flatMap((which) =>
      (['PLAIN', 'LOGIN'] as const).map((mechanism): [typeof which, PasswordMechanism] => [which, mechanism]),
    ),
  )(
    '%s, %s: the greeting and EHLO keep their "2525"; the echoed secret does not',
    async (which, mechanism) => {
      // Offered alone, the mechanism is the one the send test picks too.
      const server = await authScript('echo', mechanism, BANNER);
      const result = await run(which, server.port, mechanism);
      expect(result.ok).toBe(false);
      // The password really went out, encoded, and came back in the server's reply.
      expect(server.received.join('\n')).toContain(mechanism === 'PLAIN' ? encoded[1] : encoded[0]);

      const texts = result.transcript.map((line) => line.text);
      expect(texts).toContain(BANNER.greeting);
      expect(texts.some((text) => text.startsWith(`${BANNER.ehlo}\n`))).toBe(true);
      const authAt = result.transcript.findIndex(
        (line) => line.direction === 'client' && line.text.startsWith('AUTH'),
      );
      expect(authAt).toBeGreaterThan(0);
      for (const line of result.transcript.slice(0, authAt)) expect(line.text).not.toContain(REDACTED);

      // From the AUTH command on, the secret is nowhere: not raw, not encoded.
      const fromAuth = result.transcript.slice(authAt);
      expect(fromAuth[0]!.text).toMatch(/^AUTH (PLAIN|LOGIN)( \[redacted\])?$/);
      const echoed = fromAuth.find((line) => line.direction === 'server' && line.text.startsWith('535'));
      expect(echoed?.text).toMatch(/^535 5\.7\.8 bad login \[redacted\]/);
      for (const line of fromAuth) expect(line.text).not.toMatch(/(?<!\d)2525(?!\d)/);
      expect(result.reply?.text).toBe(echoed?.text);
      const json = exposed(result);
      for (const form of encoded) expect(json).not.toContain(form);
    },
  );

  test.each(['testCredentials', 'sendTestMessage'] as const)(
    '%s: a password that is the port number leaves "…established to 127.0.0.1:<port>" alone',
    async (which) => {
      const received: string[] = [];
      let password = '';
      const running = await startSmtpServer({
        key: leaf.key,
        cert: leaf.cert,
        secure: true,
        authMethods: ['PLAIN'],
        onAuth(auth, _session, callback) {
          received.push(auth.password ?? '');
          if (auth.password === password) callback(null, { user: auth.username });
          else callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
        },
        onData(stream, _session, callback) {
          stream.resume();
          stream.on('end', () => callback(null, 'Ok: queued as ABC123'));
        },
      });
      servers.push(running);
      password = String(running.port);
      expect(password.length).toBeLessThan(6);
      const common = {
        host: 'mail.test',
        address: '127.0.0.1',
        port: running.port,
        secure: true,
        user: USER,
        password,
        tls: { ca: ca.cert },
        limits,
      };
      const result =
        which === 'testCredentials'
          ? await testCredentials(common)
          : await sendTestMessage({ ...common, from: USER, to: 'bob@example.net' });
      expect(result.ok).toBe(true);
      expect(received).toEqual([password]);
      const texts = result.transcript.map((line) => line.text);
      expect(texts).toContain(`Secure connection established to 127.0.0.1:${password}`);
      expect(texts).toContain('AUTH PLAIN [redacted]');
      expect(texts.filter((text) => text.includes(REDACTED))).toEqual(['AUTH PLAIN [redacted]']);
      const json = exposed(result);
      expect(json).not.toContain(b64(password));
      expect(json).not.toContain(b64(`\u0000${USER}\u0000${password}`));
    },
  );

  // Shorter than 6, with a quote and a backslash: every form it travels in is hidden, whatever the server does.
  const ODD = 'q"\\7';
  const ODD_NEEDLES = [
    ODD,
    JSON.stringify(ODD).slice(1, -1),
    encodeURIComponent(ODD),
    b64(ODD),
    b64(`\u0000${USER}\u0000${ODD}`),
  ];
  test.each(
    (['testCredentials', 'sendTestMessage'] as const).flatMap((which) =>
      CASES.filter(([, behaviour]) => behaviour !== 'silent').map(
        ([mechanism, behaviour]): [typeof which, PasswordMechanism, Behaviour] => [
          which,
          mechanism,
          behaviour,
        ],
      ),
    ),
  )(
    '%s, %s, server does %s: a 4-character password with " and \\ is hidden in every form',
    async (which, mechanism, behaviour) => {
      const server = await authScript(behaviour, mechanism);
      const common = {
        host: 'mail.test',
        address: '127.0.0.1',
        port: server.port,
        secure: true,
        user: USER,
        password: ODD,
        tls: { ca: ca.cert },
        limits,
      };
      const result =
        which === 'testCredentials'
          ? await testCredentials({ ...common, mechanism })
          : await sendTestMessage({ ...common, from: USER, to: 'bob@example.net' });
      expect(server.received.join('\n')).toContain(mechanism === 'PLAIN' ? ODD_NEEDLES[4] : ODD_NEEDLES[3]);
      const json = exposed(result);
      for (const needle of ODD_NEEDLES) expect(json).not.toContain(needle);
      for (const line of result.transcript)
        for (const needle of ODD_NEEDLES) expect(line.text).not.toContain(needle);
    },
  );

  test('the collector: the answer to AUTH and its repetitions are scrubbed, the greeting and notes are not', () => {
    const collector = createTranscriptCollector(secretForms({ user: USER, password: SHORT }));
    const { logger } = collector;
    logger.info({ tnx: 'network' }, 'Connection established to %s:%s', '127.0.0.1', '2525');
    logger.debug({ tnx: 'server' }, BANNER.greeting);
    logger.debug({ tnx: 'client' }, 'EHLO client.test');
    logger.debug({ tnx: 'server' }, `${BANNER.ehlo}\n250 AUTH LOGIN`);
    logger.debug({ tnx: 'client' }, 'AUTH LOGIN');
    logger.debug({ tnx: 'server' }, '334 VXNlcm5hbWU6');
    logger.debug({ tnx: 'client' }, b64(USER));
    logger.debug({ tnx: 'server' }, '334 UGFzc3dvcmQ6');
    logger.debug({ tnx: 'client' }, b64(SHORT));
    const reply = `535 5.7.8 bad login ${b64(SHORT)} (2525)`;
    logger.debug({ tnx: 'server' }, reply);
    logger.error({ tnx: 'transport' }, 'Send Error: %s', `Invalid login: ${reply}`);
    logger.info({ tnx: 'network' }, 'Connection to 127.0.0.1:2525 closed');

    expect(collector.lines().map((line) => line.text)).toEqual([
      'Connection established to 127.0.0.1:2525',
      BANNER.greeting,
      'EHLO client.test',
      `${BANNER.ehlo}\n250 AUTH LOGIN`,
      'AUTH LOGIN',
      '334 VXNlcm5hbWU6',
      REDACTED,
      '334 UGFzc3dvcmQ6',
      REDACTED,
      '535 5.7.8 bad login [redacted] ([redacted])',
      'Send Error: Invalid login: 535 5.7.8 bad login [redacted] ([redacted])',
      'Connection to 127.0.0.1:2525 closed',
    ]);
    // An error's message or response, from the same session, is redacted the same way.
    expect(collector.redact(`Invalid login: ${reply}`)).toBe(
      'Invalid login: 535 5.7.8 bad login [redacted] ([redacted])',
    );
    expect(collector.redact('connect ECONNREFUSED 127.0.0.1:2525')).toBe(
      'connect ECONNREFUSED 127.0.0.1:2525',
    );
  });
});
