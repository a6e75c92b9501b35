import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCa } from '../test/helpers/certs.js';
import { type RecordedCall, startFakeSlackApi } from '../test/helpers/fake-slack-api.js';
import { freePort } from '../test/helpers/scripted-server.js';
import { startSmtpServer } from '../test/helpers/smtp-test-server.js';
import type { StormResult } from './slack-storm.js';

// The bot as shipped: `node dist/main.js`, spawned fresh for every run. HTTP mode against a local
// fake Slack Web API (auth.test at start, then chat.* calls), and console mode with no Slack
// settings. Measured: spawn → ready log line, resident memory once idle (from /proc), and — in
// HTTP mode — the time for 50 signed slash commands sent at once to be acknowledged, while the
// checks they start run behind them against a local smtp-server.

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BOT_TOKEN = 'xoxb-bench-1234567890-abcdefghij';
const SIGNING_SECRET = 'bench-signing-secret-0123456789';
const IDLE_SETTLE_MS = 2_000;

export interface BotRun {
  mode: 'http' | 'console';
  readyMs: number;
  idleRssMb: number;
  /** HTTP mode: ack latency of each of the simultaneous slash commands. */
  ackMs: number[];
  ackStatuses: number[];
  /** HTTP mode: commands whose check ran to its advice reply (proves each ack started real work). */
  checksFinished: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited with ${code} before ready:\n${seen}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function runStorm(args: string[]): Promise<StormResult> {
  const script = fileURLToPath(new URL('slack-storm.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: REPO, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`slack storm failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as StormResult);
      },
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function botBench(options: { runs?: number; commands?: number } = {}): Promise<BotRun[]> {
  const runs = options.runs ?? 5;
  const commands = options.commands ?? 50;
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-bot-bench-'));
  const ca = createTestCa();
  const smtp = await startSmtpServer({
    name: 'mx.bench.test',
    ...ca.issue({ commonName: 'mx.bench.test', ips: ['127.0.0.1'] }),
  });
  const results: BotRun[] = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      const base = {
        PATH: process.env.PATH ?? '',
        DATA_FILE: join(dir, `bot-${run}.json`),
        LOG_LEVEL: 'info',
      };
      results.push(await consoleRun(base));
      results.push(await httpRun(base, smtp.port, commands));
    }
  } finally {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function consoleRun(env: Record<string, string>): Promise<BotRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: REPO,
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  try {
    await waitForLine(child, /console mode/, 15_000);
    const readyMs = performance.now() - started;
    await sleep(IDLE_SETTLE_MS);
    const idleRssMb = rssMb(child.pid!);
    return { mode: 'console', readyMs, idleRssMb, ackMs: [], ackStatuses: [], checksFinished: 0 };
  } finally {
    child.stdin?.end();
    await stop(child);
  }
}

async function httpRun(env: Record<string, string>, smtpPort: number, commands: number): Promise<BotRun> {
  const api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: REPO,
    env: {
      ...env,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
      SLACK_API_URL: api.apiUrl,
      ALLOW_TARGETS: '127.0.0.0/8',
      ALLOWED_PORTS: String(smtpPort),
      // 50 people checking one host within a second would be rate-limited after 6 (the default);
      // raised so every command starts a real check and the ack is measured under that load.
      CHECKS_PER_USER_PER_MINUTE: '1000',
      CHECKS_PER_TARGET_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    await waitForLine(child, /smtp-check ready/, 15_000);
    const readyMs = performance.now() - started;
    await sleep(IDLE_SETTLE_MS);
    const idleRssMb = rssMb(child.pid!);

    const url = `http://127.0.0.1:${port}/slack/events`;
    const storm = await runStorm([
      url,
      SIGNING_SECRET,
      String(commands),
      `127.0.0.1:${smtpPort}`,
      api.responseUrl(''),
    ]);
    // Every check ends with two thread replies: its one port, then the advice.
    const replies = (call: RecordedCall) =>
      call.method === 'chat.postMessage' && call.ok && call.body.thread_ts !== undefined;
    await api.waitForCalls(replies, commands * 2, 60_000).catch(() => {});
    const checksFinished = Math.floor(api.calls.filter(replies).length / 2);
    return {
      mode: 'http',
      readyMs,
      idleRssMb,
      ackMs: storm.ackMs,
      ackStatuses: storm.statuses,
      checksFinished,
    };
  } finally {
    await stop(child);
    await api.close();
  }
}
