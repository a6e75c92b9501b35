import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { requireInfrastructure } from './postgres.js';

// Packet-drop tests run in a network namespace of their own: loopback only, so nothing can leave
// the machine even by mistake, and nftables rules there touch nobody else's traffic.

export type NamespaceSupport = { ok: true } | { ok: false; reason: string };

let support: NamespaceSupport | undefined;

/** Whether this machine lets us make a namespace with nftables rules (root, ip, nft, kernel support). */
export function namespaceSupport(): NamespaceSupport {
  support ??= probeSupport();
  return support;
}

/**
 * Null when network namespaces with nftables can be made; otherwise the reason to skip with — or,
 * under CI (CI set), throws it, so a CI machine without them fails instead of passing on skipped
 * tests. The same rule as requirePostgres().
 */
export function requireNamespaces(): string | null {
  const found = namespaceSupport();
  return requireInfrastructure('a network namespace with nftables', found.ok ? null : found.reason);
}

function probeSupport(): NamespaceSupport {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'making a network namespace needs root' };
  const name = `smtpcheck-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    try {
      execFileSync('ip', ['netns', 'exec', name, 'nft', 'add', 'table', 'inet', 'probe'], { stdio: 'pipe' });
    } finally {
      execFileSync('ip', ['netns', 'delete', name], { stdio: 'pipe' });
    }
    return { ok: true };
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return { ok: false, reason: `cannot make a network namespace with nftables: ${detail}` };
  }
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  // `--import tsx` resolves from the working directory: the repository root.
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`, { cause: error }),
          );
        else resolve(stdout);
      },
    );
  });
}

/**
 * Runs `script` (TypeScript, through tsx) inside a fresh namespace with loopback up, and returns the
 * JSON it prints as its last line. The namespace is deleted afterwards, whatever happened.
 */
export async function runInNamespace<T>(script: URL, args: string[], timeoutMs = 20_000): Promise<T> {
  const name = `smtpcheck-${process.pid}-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', name], 5_000);
  try {
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up'], 5_000);
    const stdout = await run(
      'ip',
      ['netns', 'exec', name, process.execPath, '--import', 'tsx', fileURLToPath(script), ...args],
      timeoutMs,
    );
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(last) as T;
  } finally {
    await run('ip', ['netns', 'delete', name], 5_000).catch(() => {});
  }
}
