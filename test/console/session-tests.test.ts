import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSessionTests, type SessionTests } from '../../src/cli/session-tests.js';
import { runConsole } from '../../src/console/index.js';
import { silentLogger } from '../../src/log.js';
import { captureOutput } from '../helpers/capture-output.js';
import { createTestCa } from '../helpers/certs.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// Console mode runs on the operator's own terminal, so the terminal's login and send tests work
// there too: the password from SMTP_PASSWORD or typed at a prompt that does not echo it.

const USER = 'alice@example.test';
const PASSWORD = 'tr0ub4dor&3 console';
let server: RunningServer;
let ca: ReturnType<typeof createTestCa>;

beforeAll(async () => {
  ca = createTestCa();
  server = await startSmtpServer({
    name: 'mail.example.test',
    ...ca.issue({ commonName: 'mail.example.test', ips: ['127.0.0.1'] }),
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: auth.username });
      else
        callback(Object.assign(new Error('5.7.8 Username and Password not accepted'), { responseCode: 535 }));
    },
  });
});
afterAll(() => server?.close());

/** The real tests, trusting the run's CA (a user would set NODE_EXTRA_CA_CERTS). */
function sessionTests(env: Record<string, string>): SessionTests {
  const real = createSessionTests({ timeoutMs: 5_000, env });
  return {
    ...real,
    testCredentials: (options) => real.testCredentials({ ...options, tls: { ...options.tls, ca: ca.cert } }),
  };
}

const capture = captureOutput;

const base64Forms = (text: string) => [
  Buffer.from(text).toString('base64'),
  Buffer.from(`\0${USER}\0${text}`).toString('base64'),
];

describe('console mode: --user', () => {
  test('piped commands take the password from SMTP_PASSWORD and say how the login went', async () => {
    const input = new PassThrough();
    const { sink, output } = capture();
    input.end(`127.0.0.1:${server.port} --user ${USER}\n`);
    const { runCheck } = realRunCheck({ extraCa: [ca.cert] });
    await runConsole({
      input,
      output,
      runCheck,
      logger: silentLogger,
      sessionTests: sessionTests({ SMTP_PASSWORD: PASSWORD }),
    });
    expect(sink.printed).toMatch(new RegExp(`${server.port} STARTTLS: logged in with (PLAIN|LOGIN)`));
    expect(sink.printed).not.toContain('run only in the terminal');
    for (const form of [PASSWORD, ...base64Forms(PASSWORD)]) expect(sink.printed).not.toContain(form);
  });

  test('on a terminal without SMTP_PASSWORD it asks, and what is typed is not echoed', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    const { sink, output } = capture();
    const { runCheck } = realRunCheck({ extraCa: [ca.cert] });
    const done = runConsole({
      input,
      output,
      runCheck,
      logger: silentLogger,
      sessionTests: sessionTests({}),
    });
    input.write(`127.0.0.1:${server.port} --user ${USER}\r`);
    for (let waited = 0; !sink.printed.includes('(not shown)') && waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sink.printed).toContain(`Password for ${USER} (not shown): `);
    input.write(`${PASSWORD}\r`);
    for (let waited = 0; !/logged in|Fix:/.test(sink.printed) && waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    input.end('quit\r');
    await done;
    expect(sink.printed).toMatch(/logged in with (PLAIN|LOGIN)/);
    for (const form of [PASSWORD, ...base64Forms(PASSWORD)]) expect(sink.printed).not.toContain(form);
  });

  test('without the tests wired in, the chat refusal still answers', async () => {
    const input = new PassThrough();
    const { sink, output } = capture();
    input.end(`127.0.0.1:${server.port} --user ${USER}\n`);
    await runConsole({ input, output, runCheck: realRunCheck().runCheck, logger: silentLogger });
    expect(sink.printed).toContain('run only in the terminal');
  });
});
