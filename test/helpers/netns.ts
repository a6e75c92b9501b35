import { type ChildProcess, execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { requireInfrastructure } from './postgres.js';

// Packet-drop tests run in a network namespace of their own: loopback only, so nothing can leave
// the machine even by mistake, and nftables rules there touch nobody else's traffic.
//
// Every namespace made here is remembered until it is deleted, with the processes running in it:
// whatever stops this process — a normal exit, a suite whose set-up threw, an uncaught error,
// vitest ending the worker with SIGTERM, Ctrl-C — deletes what is left (best effort, synchronously).
// A process killed outright (SIGKILL) cannot: the next one to make a namespace deletes the
// namespaces named after a process that is gone (namespaceName()).

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
  const name = namespaceName('probe');
  try {
    addNamespaceSync(name);
    try {
      execFileSync('ip', ['netns', 'exec', name, 'nft', 'add', 'table', 'inet', 'probe'], { stdio: 'pipe' });
    } finally {
      deleteNamespaceSync(name);
    }
    return { ok: true };
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return { ok: false, reason: `cannot make a network namespace with nftables: ${detail}` };
  }
}

// ---- What this process made and has not deleted yet ----

const PREFIX = 'smtpcheck-';
const namespaces = new Set<string>();
const processes = new Set<ChildProcess>();
// Vitest stops a worker with SIGTERM (SIGKILL 500 ms later), and a process ended by a signal emits
// no 'exit': the signals are caught too, while something is left to delete, then raised again.
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
let hooked = false;

function onSignal(signal: NodeJS.Signals): void {
  deleteLeftoverNamespaces();
  // Unhooked now: raised again, the signal does what it would have done without us.
  process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', deleteLeftoverNamespaces);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unhookWhenDone(): void {
  if (!hooked || namespaces.size > 0 || processes.size > 0) return;
  hooked = false;
  process.off('exit', deleteLeftoverNamespaces);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * A fresh namespace name, `smtpcheck-<pid>-<label>-<random>`: the pid lets a later process delete
 * it if this one is killed before it can.
 */
export function namespaceName(label?: string): string {
  return `${PREFIX}${process.pid}-${label ? `${label}-` : ''}${randomBytes(3).toString('hex')}`;
}

/** Remembers a namespace made by other means, so it is deleted at exit if no one deletes it first. */
export function trackNamespace(name: string): void {
  if (!name.startsWith(PREFIX)) throw new Error(`a test namespace's name starts with ${PREFIX}: ${name}`);
  sweepOnce();
  namespaces.add(name);
  hook();
}

/** Forgets a namespace deleted by other means. */
export function forgetNamespace(name: string): void {
  namespaces.delete(name);
  unhookWhenDone();
}

/** Remembers a process running in a namespace: killed at exit, before its namespace is deleted. */
export function trackNamespaceProcess(child: ChildProcess): void {
  processes.add(child);
  hook();
  child.once('exit', () => {
    processes.delete(child);
    unhookWhenDone();
  });
}

/** The namespaces this process made and has not deleted (the tests check none are left). */
export function trackedNamespaces(): string[] {
  return [...namespaces];
}

/**
 * Kills the processes and deletes the namespaces still remembered, synchronously, ignoring
 * failures. Runs at exit and on SIGTERM/SIGINT/SIGHUP; an afterAll may call it too.
 */
export function deleteLeftoverNamespaces(): void {
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  processes.clear();
  for (const name of namespaces)
    spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore', timeout: 5_000 });
  namespaces.clear();
  unhookWhenDone();
}

function listNamespaces(): string[] {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5_000 });
  if (listed.status !== 0) return [];
  // `name` or `name (id: 3)`, one a line.
  return listed.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept = false;

/** Deletes, once per process, the namespaces namespaceName() gave a process that is gone. */
function sweepOnce(): void {
  if (swept) return;
  swept = true;
  for (const name of listNamespaces()) {
    const pid = Number(/^smtpcheck-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) {
      spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore', timeout: 5_000 });
    }
  }
}

/** Makes namespace `name` with loopback up, remembered until deleteNamespaceSync(). Throws as execFileSync does. */
export function addNamespaceSync(name: string): void {
  trackNamespace(name);
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
  } catch (error) {
    deleteNamespaceSync(name);
    throw error;
  }
}

/** Deletes namespace `name` (if it is there) and forgets it. */
export function deleteNamespaceSync(name: string): void {
  spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore', timeout: 5_000 });
  forgetNamespace(name);
}

/** Makes namespace `name` with loopback up, remembered until deleteNamespace(). */
export async function addNamespace(name: string): Promise<void> {
  trackNamespace(name);
  try {
    await run('ip', ['netns', 'add', name], 5_000);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up'], 5_000);
  } catch (error) {
    await deleteNamespace(name);
    throw error;
  }
}

/** Deletes namespace `name` (if it is there) and forgets it. */
export async function deleteNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'delete', name], 5_000).catch(() => undefined);
  forgetNamespace(name);
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function run(
  command: string,
  args: string[],
  timeoutMs: number,
  onSpawn?: (child: ChildProcess) => void,
): Promise<string> {
  // `--import tsx` resolves from the working directory: the repository root.
  return new Promise((resolve, reject) => {
    const child = execFile(
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
    onSpawn?.(child);
  });
}

/**
 * Runs `script` (TypeScript, through tsx) inside a fresh namespace with loopback up, and returns the
 * JSON it prints as its last line. The namespace is deleted afterwards, whatever happened — and, if
 * this process ends first, at its exit.
 */
export async function runInNamespace<T>(script: URL, args: string[], timeoutMs = 20_000): Promise<T> {
  const name = namespaceName();
  await addNamespace(name);
  try {
    const stdout = await run(
      'ip',
      ['netns', 'exec', name, process.execPath, '--import', 'tsx', fileURLToPath(script), ...args],
      timeoutMs,
      trackNamespaceProcess,
    );
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(last) as T;
  } finally {
    await deleteNamespace(name);
  }
}
