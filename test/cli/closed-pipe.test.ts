import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freePort, mtaScript, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';

// `smtp-check host | head -1` and `| grep -q 250`: the reader goes away while smtp-check still has
// output to write. Like `git log | head`, that is no error: no stack trace, and the exit code is
// still the verdict's, so `set -o pipefail` scripts keep working.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO, 'src/cli/main.ts');
const MAIN = join(REPO, 'src/main.ts');
const DATA_FILE = join(tmpdir(), `smtp-check-closed-pipe-${process.pid}.json`);

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstChunk: string;
}

/**
 * Runs a command whose stdout is a pipe; the reading end is closed after the first chunk (or at
 * once), and only then is `afterClose` called — so the rest of the output is written into a closed
 * pipe every time, not only when the race goes that way.
 */
function runWithPipeClosed(
  args: string[],
  options: { afterFirstChunk: boolean; afterClose?: () => void; stdin?: string; env?: NodeJS.ProcessEnv },
): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let firstChunk = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const close = () => {
    child.stdout.destroy();
    options.afterClose?.();
  };
  if (options.afterFirstChunk)
    child.stdout.setEncoding('utf8').once('data', (chunk: string) => {
      firstChunk = chunk;
      close();
    });
  else close();
  // Console mode: commands go in, standard input stays open (a person at the keyboard).
  if (options.stdin !== undefined) child.stdin.write(options.stdin);
  else child.stdin.end();
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      child.stdin.destroy();
      resolve({ code, signal, stderr, firstChunk });
    }),
  );
}

/** The server greets only once the gate is open; each test closes it again. */
const gate = {
  open: false,
  waiters: [] as Array<() => void>,
  release(): void {
    gate.open = true;
    for (const waiter of gate.waiters.splice(0)) waiter();
  },
};
let server: ScriptedServer;

beforeAll(async () => {
  const mta = mtaScript({ ehlo: ['250-mail.example.test', '250 SIZE 1000'] });
  server = await startScriptedServer(async (socket, lines, received) => {
    if (!gate.open) await new Promise<void>((resolve) => gate.waiters.push(resolve));
    await mta(socket, lines, received);
  });
});
beforeEach(() => {
  gate.open = false;
});
afterAll(async () => {
  gate.release();
  await server.close();
  rmSync(DATA_FILE, { force: true });
});

/** The exit code of the same check with nobody closing anything. */
function verdictCode(ports: string): Promise<number | null> {
  gate.release();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '127.0.0.1', '--ports', ports, '--json'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.once('exit', (code) => {
      gate.open = false;
      resolve(code);
    });
  });
}

describe('smtp-check into a closed pipe', () => {
  test('like `| head -1`: exits quietly with the verdict exit code', async () => {
    const refused = await freePort();
    const ports = `${refused},${server.port}`;
    const expected = await verdictCode(ports);
    expect(expected).toBe(1);
    const outcome = await runWithPipeClosed([CLI, '127.0.0.1', '--ports', ports], {
      afterFirstChunk: true,
      afterClose: gate.release,
    });
    // The line of the refused port came first; the rest went into the closed pipe.
    expect(outcome.firstChunk).toMatch(/refused/);
    expect(outcome.stderr).toBe('');
    expect(outcome.signal).toBeNull();
    expect(outcome.code).toBe(expected);
  });

  test('like `| grep -q`: --json into a pipe closed before any output', async () => {
    const outcome = await runWithPipeClosed([CLI, '127.0.0.1', '--ports', String(server.port), '--json'], {
      afterFirstChunk: false,
      afterClose: gate.release,
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(1);
  });
});

describe('console mode into a closed pipe', () => {
  test('stops quietly when nobody reads its output, exit 0', async () => {
    const outcome = await runWithPipeClosed([MAIN], {
      afterFirstChunk: false,
      afterClose: gate.release,
      stdin: `/smtp-check 127.0.0.1:${server.port}\n`,
      env: {
        ALLOW_TARGETS: '127.0.0.0/8',
        ALLOWED_PORTS: String(server.port),
        LOG_LEVEL: 'warn',
        DATA_FILE: DATA_FILE,
      },
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
  });
});
