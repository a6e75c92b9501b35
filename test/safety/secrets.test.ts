import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createSlackApp } from '../../src/slack/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { freePort } from '../helpers/scripted-server.js';
import { aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { startSocketModeServer } from '../helpers/slack-socket-server.js';
import { postSlashCommand } from '../helpers/slack-signed-request.js';
import { type CountingMta, startCountingMta } from './counting-mta.js';

// The real bot process (src/main.ts, HTTP mode, debug logs) run with known secrets, driven
// through a check, a bad input, a forged signature and a Slack failure, then stopped with SIGTERM.
// Nothing it printed or stored may contain a secret, or anything shaped like a Slack token.

const BOT_TOKEN = 'xoxb-424242424242-535353535353-SeCrEtBoTtOkEnValue01';
const SIGNING_SECRET = 'c0ffee5ecretf0rs1gn1ngrequests0';
/** The path part of a response_url is a capability too: whoever has it can answer in the channel. */
const RESPONSE_SECRET = 'T0TEAM/4242424242/ReSpOnSeUrLsEcReT0123';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let api: FakeSlackApi;
let mta: CountingMta;
let dir: string;
let bot: ChildProcess;
let stdout = '';
let stderr = '';
let eventsUrl: string;
let exitCode: number | null = null;

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!pattern.test(stdout + stderr)) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`bot did not print ${pattern} within ${timeoutMs} ms:\n${stderr}\n${stdout}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      bot.stdout?.off('data', check);
      bot.stderr?.off('data', check);
    };
    bot.stdout?.on('data', check);
    bot.stderr?.on('data', check);
    check();
  });
}

beforeAll(async () => {
  api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  mta = await startCountingMta();
  dir = await mkdtemp(join(tmpdir(), 'smtp-check-secrets-'));
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
      SLACK_API_URL: api.apiUrl,
      LOG_LEVEL: 'debug',
      DATA_FILE: join(dir, 'smtp-check.json'),
      ALLOW_TARGETS: '127.0.0.0/8',
      ALLOWED_PORTS: String(mta.port),
      CONNECT_TIMEOUT_MS: '2000',
      GREETING_TIMEOUT_MS: '2000',
      REPLY_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  bot.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  bot.once('exit', (code) => {
    exitCode = code;
  });
  await waitForOutput(/smtp-check ready/, 20_000);
}, 30_000);

afterAll(async () => {
  if (bot && exitCode === null) bot.kill('SIGKILL');
  await mta?.close();
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('secrets of the running bot', () => {
  test('a check, a bad input, a forged request and a Slack failure, then SIGTERM: no secret anywhere', async () => {
    // A check that runs to the end, thread included.
    expect(
      (
        await postSlashCommand(eventsUrl, SIGNING_SECRET, {
          text: `127.0.0.1:${mta.port}`,
          channel_id: 'C0SECRETS',
          response_url: api.responseUrl(`${RESPONSE_SECRET}/check`),
        })
      ).status,
    ).toBe(200);
    const [parent] = await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && call.body.channel === 'C0SECRETS',
    );
    await api.waitForCalls(
      (call) => call.method === 'chat.postMessage' && call.body.thread_ts === parent?.response.ts,
      2,
    );

    // A bad input: answered privately with the usage.
    expect(
      (
        await postSlashCommand(eventsUrl, SIGNING_SECRET, {
          text: 'not a host!! 99999',
          response_url: api.responseUrl(`${RESPONSE_SECRET}/bad`),
        })
      ).status,
    ).toBe(200);
    await api.waitForResponses(`${RESPONSE_SECRET}/bad`);

    // A forged request: refused, and nothing is done.
    const forged = await postSlashCommand(
      eventsUrl,
      SIGNING_SECRET,
      { text: '127.0.0.1', response_url: api.responseUrl(`${RESPONSE_SECRET}/forged`) },
      { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' },
    );
    expect(forged.status).toBe(401);

    // Slack failing: the parent post answered 500 and then refused with invalid_auth, which makes
    // the WebClient put its request and response into the error.
    api.failNext('chat.postMessage', { status: 500 });
    await postSlashCommand(eventsUrl, SIGNING_SECRET, {
      text: `127.0.0.1:${mta.port}`,
      channel_id: 'C0SLACKFAILS',
      response_url: api.responseUrl(`${RESPONSE_SECRET}/fails`),
    });
    await api.waitForResponses(`${RESPONSE_SECRET}/fails`);
    api.failNext('chat.postMessage', { error: 'invalid_auth' });
    await postSlashCommand(eventsUrl, SIGNING_SECRET, {
      text: `localhost:${mta.port}`,
      channel_id: 'C0SLACKFAILS',
      user_id: 'U0BOB',
      response_url: api.responseUrl(`${RESPONSE_SECRET}/refused`),
    });
    await api.waitForResponses(`${RESPONSE_SECRET}/refused`);

    const exited = new Promise<number | null>((resolve) => {
      if (exitCode !== null) resolve(exitCode);
      else bot.once('exit', (code) => resolve(code));
    });
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"msg":"stopped"/);

    const dataFile = await readFile(join(dir, 'smtp-check.json'), 'utf8').catch(() => '');
    const outputs = { stdout, stderr, dataFile };
    console.log('bot output sizes', {
      stdoutBytes: stdout.length,
      stderrLines: stderr.split('\n').length,
      dataFileBytes: dataFile.length,
    });
    // The logs were really at debug level and did see the traffic, so the search means something.
    expect(stderr).toMatch(/"level":"debug"/);
    expect(stderr).toMatch(/could not post the check message/);
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).not.toContain(BOT_TOKEN);
      expect(text, name).not.toContain(SIGNING_SECRET);
      expect(text, name).not.toContain(RESPONSE_SECRET);
      expect(text, name).not.toMatch(/xox[abpr]-[0-9A-Za-z-]+/);
      // Pieces of a secret are as bad as the whole (a token split by a log formatter).
      expect(text, name).not.toContain('SeCrEtBoTtOkEnValue01');
      expect(text, name).not.toContain('f0rs1gn1ng');
    }
  }, 40_000);
});

describe('Socket Mode debug logs', () => {
  test('raw envelopes are logged without the response_url capability or the app token', async () => {
    const APP_TOKEN = 'xapp-1-A0APP-4242424242-SeCrEtApPtOkEnValue02';
    const socketApi = await startFakeSlackApi({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const socket = await startSocketModeServer();
    socketApi.setSocketUrl(`${socket.url}?ticket=SoCkEtTiCkEtSeCrEt0123&app_id=A0APP`);
    const lines: string[] = [];
    const app = createSlackApp({
      botToken: BOT_TOKEN,
      appToken: APP_TOKEN,
      apiUrl: socketApi.apiUrl,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      runCheck: async () => aTypicalDiagnosis(),
      logger: createLogger({
        level: 'debug',
        write: (line) => lines.push(line),
        secrets: [BOT_TOKEN, APP_TOKEN],
      }),
      logLevel: 'debug',
    });
    try {
      await app.start();
      await socket.connected();
      await socket.send('slash_commands', {
        token: 'deprecated',
        team_id: 'T0TEAM',
        channel_id: 'C0SOCKET',
        user_id: 'U0ALICE',
        command: '/smtp-check',
        text: 'smtp.example.com',
        api_app_id: 'A0APP',
        response_url: socketApi.responseUrl(`${RESPONSE_SECRET}/socket`),
        trigger_id: '1.2.3',
      });
      await socketApi.waitForCalls((call) => call.method === 'chat.postMessage' && !!call.body.thread_ts, 2);
    } finally {
      await app.stop({ drainMs: 2_000 });
      await socket.close();
      await socketApi.close();
    }
    const log = lines.join('\n');
    // The envelope was logged (so the masking below is what keeps the secret out).
    expect(log).toContain('slash_commands');
    expect(log).toMatch(/response_url.{0,4}:.{0,4}http:\/\/127\.0\.0\.1:\d+\/\[redacted\]/);
    expect(log).not.toContain(RESPONSE_SECRET);
    expect(log).not.toContain('SoCkEtTiCkEtSeCrEt0123');
    expect(log).not.toContain(APP_TOKEN);
    expect(log).not.toMatch(/xox[abpr]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+/);
  });
});
