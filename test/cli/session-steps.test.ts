import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WAITING_NOTICE_MS, runCli } from '../../src/cli/run-cli.js';
import type { SessionTests } from '../../src/cli/session-tests.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { sendTestMessage, testCredentials } from '../../src/proof/index.js';
import { createTestCa } from '../helpers/certs.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// `smtp-check host --user NAME --from A --to B` while the login and send tests run: the step each
// SMTP session is on, read from nodemailer's transaction log, against a real smtp-server on
// loopback (STARTTLS, AUTH, one message). The check before them is a seam (a diagnosis built here);
// the sessions are real. The clock and the notice timer are the test's.

const HOST = '127.0.0.1';
const USER = 'alice@example.test';
const PASSWORD = 'correct horse battery staple';

let server: RunningServer;
let caPem: string;
/** Called by the server as each command arrives: the client has logged it by then. */
let atServer: (command: 'AUTH' | 'MAIL' | 'RCPT' | 'DATA') => void = () => undefined;

beforeAll(async () => {
  const ca = createTestCa();
  caPem = ca.cert;
  server = await startSmtpServer({
    name: 'mail.example.test',
    ...ca.issue({ commonName: 'mail.example.test', ips: [HOST] }),
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    // Without PIPELINING each command waits for the last one's reply: when the server hears a
    // command, the client is on that step (with it, MAIL, RCPT and DATA go out together).
    hidePIPELINING: true,
    onAuth(auth, _session, callback) {
      atServer('AUTH');
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      atServer('MAIL');
      callback();
    },
    onRcptTo(_address, _session, callback) {
      atServer('RCPT');
      callback();
    },
    onData(stream, _session, callback) {
      atServer('DATA');
      stream.resume();
      stream.on('end', () => callback(null, 'Ok: queued as 4XyZ123'));
    },
  });
});

afterAll(async () => {
  await server?.close();
});

/** The check found a STARTTLS port on the local server; the tests log in and send through it. */
const check = async () =>
  diagnoseHost(
    aHost({
      target: HOST,
      host: HOST,
      ports: [aPort({ port: server.port, class: 'open-starttls', address: HOST })],
    }),
    aContext(),
  );

/** nodemailer as the command uses it, trusting the test's CA. */
const sessionTests: SessionTests = {
  testCredentials: (options) => testCredentials({ ...options, tls: { ...options.tls, ca: caPem } }),
  sendTestMessage: (options) => sendTestMessage({ ...options, tls: { ...options.tls, ca: caPem } }),
  password: async () => PASSWORD,
  timeoutMs: 5_000,
};

const args = () => [
  HOST,
  '--ports',
  String(server.port),
  '--user',
  USER,
  '--from',
  'ops@example.test',
  '--to',
  'inbox@example.net',
];

function fakeTerminal(stdoutTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const timers: Array<{ ms: number; fn: () => void; stopped: boolean }> = [];
  let clock = 0;
  return {
    out,
    err,
    io: {
      stdout: { isTTY: stdoutTTY, columns: 100, write: (text: string) => out.push(text) },
      stderr: { isTTY: true, write: (text: string) => err.push(text) },
      noColor: true,
      now: () => clock,
      every: (ms: number, fn: () => void) => {
        const timer = { ms, fn, stopped: false };
        timers.push(timer);
        return () => {
          timer.stopped = true;
        };
      },
    },
    /** Five seconds pass: the notice timer fires. */
    fiveSecondsLater() {
      clock += WAITING_NOTICE_MS;
      for (const timer of timers.filter((each) => each.ms === WAITING_NOTICE_MS && !each.stopped)) timer.fn();
    },
  };
}

describe('smtp-check --user --from --to: the step each session is on', () => {
  test('on a terminal: a live line through every step, in order, gone before the report', async () => {
    const terminal = fakeTerminal(true);
    atServer = () => undefined;
    const code = await runCli(args(), terminal.io, check, sessionTests);
    expect(code).toBe(0);
    const output = terminal.out.join('');
    const port = server.port;
    const steps = [...output.matchAll(/\u001b\[J {2}(login|send) test, port (\d+): ([^…\n]+)…/g)].map(
      (match) => `${match[1]} ${match[3]}`,
    );
    expect(output).toContain(`login test, port ${port}: connecting…`);
    expect(steps).toEqual([
      'login connecting',
      'login greeting',
      'login EHLO',
      'login TLS (STARTTLS)',
      'login EHLO',
      'login AUTH',
      'send connecting',
      'send greeting',
      'send EHLO',
      'send TLS (STARTTLS)',
      'send EHLO',
      'send AUTH',
      'send MAIL',
      'send RCPT',
      'send DATA',
    ]);
    // The last redraw clears the line; the report (with the transcript) follows.
    const report = output.indexOf('smtp-check 127.0.0.1');
    expect(output.lastIndexOf('\u001b[J', report)).toBe(
      output.lastIndexOf('\u001b[1A\r\u001b[J', report) + 5,
    );
    expect(output.slice(report)).toContain('4XyZ123');
    expect(output.slice(report)).not.toContain('\u001b[J');
    expect(terminal.err).toEqual([]);
  });

  test('stdout piped, stderr a terminal: "still waiting" names the step, on stderr only', async () => {
    const terminal = fakeTerminal(false);
    atServer = () => terminal.fiveSecondsLater();
    const code = await runCli(args(), terminal.io, check, sessionTests);
    atServer = () => undefined;
    expect(code).toBe(0);
    const port = server.port;
    expect(terminal.err).toEqual([
      `smtp-check: still waiting for the login test, port ${port}: AUTH (5 s)…\n`,
      `smtp-check: still waiting for the send test, port ${port}: AUTH (5 s)…\n`,
      `smtp-check: still waiting for the send test, port ${port}: MAIL (10 s)…\n`,
      `smtp-check: still waiting for the send test, port ${port}: RCPT (15 s)…\n`,
      `smtp-check: still waiting for the send test, port ${port}: DATA (20 s)…\n`,
    ]);
    const output = terminal.out.join('');
    expect(output).not.toContain('\u001b');
    expect(output).not.toContain('waiting');
  });
});
