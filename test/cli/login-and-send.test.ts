import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestCa } from '../helpers/certs.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// `smtp-check host --user NAME [--from A --to B]` as a user runs it: a child process, the password
// from SMTP_PASSWORD, a real smtp-server that checks the login and takes (or refuses) the message.
// The password must not appear anywhere the command writes, in clear or in the encodings AUTH uses.

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HOST = '127.0.0.1';
const PASSWORD = 'correct horse battery staple';
const USER = 'alice@example.test';

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

let server: RunningServer;
let caFile: string;
const received: Array<{ from: string; to: string[]; body: string; method: string }> = [];

function smtpCheck(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      {
        cwd: REPO,
        env: { ...process.env, NO_COLOR: '1', NODE_EXTRA_CA_CERTS: caFile, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr });
      },
    );
  });
}

/** The password and every form AUTH PLAIN and AUTH LOGIN would carry it in. */
function secretForms(): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [PASSWORD, b64(PASSWORD), b64(`\0${USER}\0${PASSWORD}`), b64(`${USER}\0${USER}\0${PASSWORD}`)];
}

beforeAll(async () => {
  const ca = createTestCa();
  caFile = join(tmpdir(), `smtp-check-login-ca-${process.pid}.pem`);
  writeFileSync(caFile, ca.cert);
  const leaf = ca.issue({ commonName: 'mail.example.test', ips: [HOST] });
  server = await startSmtpServer({
    name: 'mail.example.test',
    ...leaf,
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) {
        callback(null, { user: auth.username });
        return;
      }
      const error = Object.assign(new Error('5.7.8 Username and Password not accepted'), {
        responseCode: 535,
      });
      callback(error);
    },
    onMailFrom(address, _session, callback) {
      if (address.address.endsWith('@forbidden.test')) {
        callback(
          Object.assign(new Error('5.7.1 Sender address rejected: not owned by user'), { responseCode: 553 }),
        );
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          body,
          method: String((session.user as unknown) ?? ''),
        });
        callback(null, 'Ok: queued as 4XyZ123');
      });
    },
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(caFile, { force: true });
});

function expectNoSecret(run: Run): void {
  const all = `${run.stdout}\n${run.stderr}`;
  for (const form of secretForms()) expect(all).not.toContain(form);
}

describe('smtp-check --user and --from/--to', () => {
  test('logs in on the port given and says with which mechanism; the password appears nowhere', async () => {
    const run = await smtpCheck([`${HOST}:${server.port}`, '--user', USER], { SMTP_PASSWORD: PASSWORD });
    expect(run.stdout).toMatch(new RegExp(`${server.port} STARTTLS: logged in with (PLAIN|LOGIN)`));
    expectNoSecret(run);
  });

  test('a wrong password: the server’s reply, decoded, and exit code 1', async () => {
    const run = await smtpCheck([`${HOST}:${server.port}`, '--user', USER], { SMTP_PASSWORD: 'wrong one' });
    expect(run.exitCode).toBe(1);
    // The reply code once: "535 5.7.8 …", never "535 535 5.7.8 …".
    expect(run.stdout).toMatch(/ — 535 5\.7\.8 Username and Password not accepted/);
    expect(run.stdout).not.toMatch(/535 535/);
    expect(run.stdout).toContain('Fix:');
    expect(`${run.stdout}${run.stderr}`).not.toContain('wrong one');
  });

  test('a send test: one labelled message, the transcript with AUTH redacted, the queue id', async () => {
    const before = received.length;
    const run = await smtpCheck(
      [`${HOST}:${server.port}`, '--user', USER, '--from', 'ops@example.test', '--to', 'inbox@example.net'],
      { SMTP_PASSWORD: PASSWORD },
    );
    expect(received).toHaveLength(before + 1);
    const message = received.at(-1)!;
    expect(message.to).toEqual(['inbox@example.net']);
    expect(message.body).toMatch(/smtp-check test/i);
    expect(run.stdout).toContain('→ MAIL FROM:<ops@example.test>');
    expect(run.stdout).toContain('Queued:');
    expect(run.stdout).toContain('4XyZ123');
    expect(run.stdout).toMatch(/→ AUTH (PLAIN|LOGIN)/);
    expectNoSecret(run);
  });

  test('--json carries the transcript as data, without the password', async () => {
    const run = await smtpCheck(
      [
        `${HOST}:${server.port}`,
        '--json',
        '--user',
        USER,
        '--from',
        'x@forbidden.test',
        '--to',
        'inbox@example.net',
      ],
      { SMTP_PASSWORD: PASSWORD },
    );
    const json = JSON.parse(run.stdout);
    expect(json.credentials[0]).toMatchObject({ ok: true, port: server.port });
    expect(json.send).toMatchObject({ ok: false, stage: 'mail' });
    expect(Array.isArray(json.send.transcript)).toBe(true);
    expect(run.exitCode).toBe(1);
    expectNoSecret(run);
  });

  test.each([[['--password', PASSWORD]], [[`--password=${PASSWORD}`]], [['--pass', PASSWORD]]])(
    'a password as an argument (%j) is refused before anything is sent',
    async (extra) => {
      const run = await smtpCheck([`${HOST}:${server.port}`, '--user', USER, ...extra]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('passwords are never taken from the command line');
    },
  );

  test('no password and no terminal: says how to give one, sends nothing', async () => {
    const run = await smtpCheck([`${HOST}:${server.port}`, '--user', USER], { SMTP_PASSWORD: '' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('set SMTP_PASSWORD');
  });

  test('--from without --to is bad input', async () => {
    const run = await smtpCheck([`${HOST}:${server.port}`, '--from', 'ops@example.test']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('needs both --from and --to');
  });
});
