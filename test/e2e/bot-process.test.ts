import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fake-slack-api.js';
import { freePort, mtaScript, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { postSlashCommand } from '../helpers/slack-signed-request.js';

// The bot as `npm start` runs it (src/main.ts in a child process): start-up validation, console
// mode fed through standard input, and a graceful SIGTERM with a check in flight.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BOT_TOKEN = 'xoxb-1-bot-process-test-token';
const SIGNING_SECRET = 'bot-process-signing-secret';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const children: ChildProcess[] = [];
let dir: string;
let server: ScriptedServer;

// By absolute path, so the bot can run in a folder of its own (where `npm start` looks for .env).
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(ROOT, 'src/main.ts');

function startBot(
  env: Record<string, string>,
  stdin: 'pipe' | 'ignore' = 'ignore',
  cwd: string = ROOT,
  terminal = false,
): Running {
  const argv = [process.execPath, '--import', TSX, MAIN];
  // `script` runs the bot on a pseudo-terminal: stdin, stdout and stderr are all a TTY.
  const [command, args] = terminal
    ? ['script', ['-qfec', argv.map((arg) => `'${arg}'`).join(' '), '/dev/null']]
    : [argv[0] ?? '', argv.slice(1)];
  const child = spawn(command, args as string[], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      DATA_FILE: join(dir, `data-${children.length}.json`),
      ...env,
    },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const listener of listeners) listener();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smtp-check-bot-'));
  // Greets after a second: long enough to stop the bot while the check is in flight.
  server = await startScriptedServer(
    mtaScript({ greetDelayMs: 1_000, ehlo: ['250-mail.example.test', '250 SIZE 1000'] }),
  );
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm start (src/main.ts)', () => {
  test('bad settings stop start-up with every problem listed, exit 2', async () => {
    const bot = startBot({
      SLACK_BOT_TOKEN: 'xoxp-wrong-kind',
      CHECK_SCHEDULE: 'every hour',
      ALLOW_TARGETS: '10.0.0.0/99',
    });
    expect(await bot.exited).toBe(2);
    expect(bot.output()).toContain('SLACK_BOT_TOKEN must be the bot token (starts with xoxb-)');
    expect(bot.output()).toContain('CHECK_SCHEDULE=every hour');
    expect(bot.output()).toContain('ALLOW_TARGETS entry 10.0.0.0/99');
    expect(bot.output()).toContain('See .env.example');
  });

  test('reads ./.env itself; a setting in the environment wins over the file', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const folder = join(dir, 'with-env-file');
    await mkdir(folder);
    await writeFile(
      join(folder, '.env'),
      "CHECK_SCHEDULE='*/15 * * * *'\nCHECK_TIMEZONE=Not/AZone\nALLOW_TARGETS=10.0.0.0/8\n",
    );
    const bot = startBot({ ALLOW_TARGETS: '10.0.0.0/99' }, 'ignore', folder);
    expect(await bot.exited).toBe(2);
    // From the file:
    expect(bot.output()).toContain('CHECK_TIMEZONE=Not/AZone');
    expect(bot.output()).not.toContain('CHECK_SCHEDULE');
    // From the environment, which wins:
    expect(bot.output()).toContain('ALLOW_TARGETS entry 10.0.0.0/99');
  });

  test.runIf(spawnSync('script', ['--version']).status === 0)(
    'on a terminal, logs are short readable lines, not JSON',
    async () => {
      const bot = startBot({}, 'pipe', ROOT, true);
      await bot.waitFor(/smtp-check> /);
      bot.child.stdin?.write('quit\n');
      expect(await bot.exited).toBe(0);
      expect(bot.output()).toMatch(/^\d\d:\d\d:\d\d INFO {2}console mode: no Slack settings given/m);
      expect(bot.output()).not.toContain('{"time"');
    },
  );

  test('a corrupt data file stops start-up with a message naming the file, and is left as it was', async () => {
    const { writeFile, readFile } = await import('node:fs/promises');
    const file = join(dir, 'corrupt.json');
    await writeFile(file, '{"version": 2, "watches": [');
    const bot = startBot({ DATA_FILE: file });
    expect(await bot.exited).toBe(2);
    expect(bot.output()).toContain(file);
    expect(await readFile(file, 'utf8')).toBe('{"version": 2, "watches": [');
  });

  test('console mode: commands piped into standard input are answered, then it exits', async () => {
    const bot = startBot(
      { ALLOW_TARGETS: '127.0.0.0/8', ALLOWED_PORTS: String(server.port), LOG_LEVEL: 'warn' },
      'pipe',
    );
    bot.child.stdin?.end(`/smtp-check help\n/smtp-check 127.0.0.1:${server.port}\n`);
    expect(await bot.exited).toBe(0);
    const output = bot.output();
    expect(output).toContain('What to type');
    expect(output).toMatch(/Checking `127\.0\.0\.1` for @you/);
    expect(output).toContain('no-starttls');
    expect(output).toMatch(/reply in the thread of #1/);
  });

  describe('Slack start-up failures: one line per problem with the fix, exit 2', () => {
    const APP_TOKEN = 'xapp-1-bot-process-app-token';
    let api: FakeSlackApi;
    beforeAll(async () => {
      api = await startFakeSlackApi({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    });
    afterAll(async () => {
      await api.close();
    });

    async function startUpFails(env: Record<string, string>): Promise<string[]> {
      const bot = startBot({ SLACK_API_URL: api.apiUrl, ...env });
      expect(await bot.exited).toBe(2);
      const lines = bot.output().trim().split('\n');
      // No stack trace, nothing but our lines (Bolt's own log lines are JSON objects).
      expect(bot.output()).not.toMatch(/^\s+at /m);
      return lines.filter((line) => !line.startsWith('{'));
    }

    test('a revoked or wrong bot token (auth.test: invalid_auth)', async () => {
      const lines = await startUpFails({
        SLACK_BOT_TOKEN: 'xoxb-1-revoked-token',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        PORT: '0',
      });
      expect(lines).toEqual([
        expect.stringMatching(
          /^smtp-check: SLACK_BOT_TOKEN is not valid for this workspace \(invalid_auth\): reinstall the app .* copy the Bot User OAuth Token/,
        ),
      ]);
    });

    test('a wrong app token (apps.connections.open: invalid_auth)', async () => {
      const lines = await startUpFails({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: 'xapp-1-not-this-app',
      });
      expect(lines).toEqual([
        expect.stringMatching(
          /^smtp-check: SLACK_APP_TOKEN is not valid for this app \(invalid_auth\): create an app-level token with the connections:write scope/,
        ),
      ]);
    });

    test.each([
      ['missing_scope', /SLACK_APP_TOKEN lacks the connections:write scope \(missing_scope\)/],
      ['not_allowed_token_type', /SLACK_APP_TOKEN is not an app-level token \(not_allowed_token_type\)/],
    ])('an app token Slack refuses with %s', async (slackError, message) => {
      api.failNext('apps.connections.open', { error: slackError });
      const lines = await startUpFails({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toContain('Basic Information → App-Level Tokens');
    });

    test('an unreachable SLACK_API_URL', async () => {
      const nothing = await freePort();
      const lines = await startUpFails({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: `http://127.0.0.1:${nothing}/api/`,
      });
      expect(lines).toEqual([
        `smtp-check: cannot reach the Slack API at http://127.0.0.1:${nothing}/api/ (ECONNREFUSED): check SLACK_API_URL, DNS and the way out of this network (proxy, firewall)`,
      ]);
    });

    test('HTTP mode on a PORT that is taken', async () => {
      const taken = await startScriptedServer(() => {});
      try {
        const lines = await startUpFails({
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          PORT: String(taken.port),
        });
        expect(lines).toEqual([
          expect.stringMatching(
            new RegExp(
              `^smtp-check: PORT=${taken.port} is already in use on this machine: choose another PORT`,
            ),
          ),
        ]);
      } finally {
        await taken.close();
      }
    });
  });

  describe('HTTP mode', () => {
    let api: FakeSlackApi;
    beforeAll(async () => {
      api = await startFakeSlackApi({ botToken: BOT_TOKEN });
    });
    afterAll(async () => {
      await api.close();
    });

    test('SIGTERM with a check in flight: the check finishes and is posted, then the bot exits 0', async () => {
      const port = await freePort();
      const bot = startBot({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        PORT: String(port),
        SLACK_API_URL: api.apiUrl,
        ALLOW_TARGETS: '127.0.0.0/8',
        ALLOWED_PORTS: String(server.port),
      });
      await bot.waitFor(/smtp-check ready/);
      const ack = await postSlashCommand(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, {
        text: `127.0.0.1:${server.port}`,
        channel_id: 'C0SHUTDOWN',
        response_url: api.responseUrl('shutdown'),
      });
      expect(ack.status).toBe(200);
      const [parent] = await api.waitForCalls(
        (call) => call.method === 'chat.postMessage' && call.body.channel === 'C0SHUTDOWN',
      );
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      // Everything of the check reached Slack before the process ended.
      const finalUpdate = api.calls.filter(
        (call) => call.method === 'chat.update' && call.body.ts === parent?.response.ts,
      );
      expect(JSON.stringify(finalUpdate.at(-1)?.body.blocks)).toContain('Re-run');
      const replies = api.calls.filter(
        (call) => call.method === 'chat.postMessage' && call.body.thread_ts === parent?.response.ts,
      );
      expect(replies.length).toBe(2);
      expect(bot.output()).toMatch(/"msg":"stopped","drained":true/);
      // New work is refused once shutdown begins: the receiver is closed.
      await expect(
        postSlashCommand(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, {
          text: '127.0.0.1',
          response_url: api.responseUrl('late'),
        }),
      ).rejects.toThrow();
    });
  });
});
