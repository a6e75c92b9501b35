import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireNamespaces, trackedNamespaces } from '../helpers/netns.js';

// The namespace helpers leave no `smtpcheck-*` namespace behind, however the process that made
// them ends: a suite whose set-up throws, a test that times out with a script still running in
// its namespace (vitest then stops the worker with SIGTERM), an uncaught error, SIGTERM, and —
// as it cannot clean up itself — SIGKILL, after which the next process to make one deletes them.
// Each case runs in a process of its own (a nested vitest for the suites), on files made here.

const skip = requireNamespaces() !== null;

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NETNS = fileURLToPath(new URL('../helpers/netns.ts', import.meta.url));
const VITEST = join(REPO, 'node_modules', 'vitest', 'vitest.mjs');

function listed(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/** Whether a process runs (a zombie waiting to be reaped does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The environment of a nested process: not this vitest worker's. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'CI') env[key] = value;
  }
  return { ...env, ...extra };
}

describe.skipIf(skip)('no network namespace is left behind', { timeout: 60_000 }, () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'smtp-check-netns-leftovers-'));
    // Runs in a namespace: says which one and its pid, then waits far longer than any test.
    writeFileSync(
      file('sleeper.mts'),
      `import { appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const name = execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
appendFileSync(process.argv[2]!, \`\${process.pid} \${name}\\n\`);
setTimeout(() => undefined, 120_000);
`,
    );
    writeFileSync(
      file('vitest.config.mjs'),
      `export default { test: { include: ['*.test.ts'], pool: 'forks' } };\n`,
    );
    writeFileSync(
      file('setup-fails.test.ts'),
      `import { appendFileSync } from 'node:fs';
import { beforeAll, describe, test } from 'vitest';
import { addNamespace, namespaceName } from ${JSON.stringify(NETNS)};
describe('a suite whose set-up fails after making namespaces', () => {
  beforeAll(async () => {
    for (const label of ['one', 'two']) {
      const name = namespaceName(label);
      appendFileSync(${JSON.stringify(file('made.txt'))}, \`\${name}\\n\`);
      await addNamespace(name);
    }
    throw new Error('set-up failed');
  });
  test('never runs', () => undefined);
});
`,
    );
    writeFileSync(
      file('times-out.test.ts'),
      `import { test } from 'vitest';
import { runInNamespace } from ${JSON.stringify(NETNS)};
test('times out with a script still running in its namespace', { timeout: 4_000 }, async () => {
  await runInNamespace(new URL(${JSON.stringify(`file://${file('sleeper.mts')}`)}), [${JSON.stringify(file('running.txt'))}], 120_000);
});
`,
    );
    // A plain process: makes a namespace, says its name, then ends as told.
    writeFileSync(
      file('maker.mts'),
      `import { addNamespace, namespaceName } from ${JSON.stringify(NETNS)};
const name = namespaceName('maker');
await addNamespace(name);
process.stdout.write(\`\${name}\\n\`);
if (process.argv[2] === 'throw') throw new Error('uncaught, with a namespace made');
if (process.argv[2] === 'exit') process.exit(3);
setTimeout(() => undefined, 120_000);
`,
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function nestedVitest(testFile: string) {
    return spawnSync(
      process.execPath,
      [VITEST, 'run', '--root', dir, '--config', file('vitest.config.mjs'), testFile],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: cleanEnv({ NO_COLOR: '1' }),
        timeout: 50_000,
      },
    );
  }

  test('a suite whose beforeAll throws after making two namespaces: both are gone once vitest is done', () => {
    const run = nestedVitest('setup-fails.test.ts');
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toContain('set-up failed');
    const made = readFileSync(file('made.txt'), 'utf8').trim().split('\n');
    expect(made).toHaveLength(2);
    for (const name of made) expect(name).toMatch(/^smtpcheck-\d+-(one|two)-[0-9a-f]{6}$/);
    expect(listed().filter((name) => made.includes(name))).toEqual([]);
  });

  test('a test that times out while its script runs in a namespace: the namespace and the script are gone', async () => {
    const run = nestedVitest('times-out.test.ts');
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/timed out/i);
    const [pid, name] = readFileSync(file('running.txt'), 'utf8').trim().split(' ') as [string, string];
    expect(name).toMatch(/^smtpcheck-\d+-[0-9a-f]{6}$/);
    expect(listed()).not.toContain(name);
    // SIGKILLed as the worker ended; the kernel may take a moment to be done with it.
    await expect.poll(() => alive(Number(pid)), { timeout: 5_000 }).toBe(false);
  });

  async function startMaker(how: string): Promise<{ child: ChildProcess; name: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', file('maker.mts'), how], {
      cwd: REPO,
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const name = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', () => resolve(out.trim()));
      child.once('error', reject);
    });
    return { child, name };
  }

  const ended = (child: ChildProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    });

  test.each([
    { how: 'throw', expected: { code: 1, signal: null } },
    { how: 'exit', expected: { code: 3, signal: null } },
  ])('a process that ends by $how with a namespace made deletes it', async ({ how, expected }) => {
    const { child, name } = await startMaker(how);
    expect(await ended(child)).toEqual(expected);
    expect(name).toMatch(/^smtpcheck-\d+-maker-/);
    expect(listed()).not.toContain(name);
  });

  test('SIGTERM: the namespace is deleted and the process still ends by SIGTERM', async () => {
    const { child, name } = await startMaker('wait');
    expect(listed()).toContain(name);
    child.kill('SIGTERM');
    expect(await ended(child)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(listed()).not.toContain(name);
  });

  test('SIGKILL leaves it; the next process that makes a namespace deletes it', async () => {
    const { child, name } = await startMaker('wait');
    child.kill('SIGKILL');
    await ended(child);
    expect(listed()).toContain(name);
    const next = await startMaker('exit');
    await ended(next.child);
    expect(listed()).not.toContain(name);
    expect(listed()).not.toContain(next.name);
  });

  test('this process has nothing left to delete', () => {
    expect(trackedNamespaces()).toEqual([]);
  });
});
