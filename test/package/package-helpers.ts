import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Shared by the package tests: they install with npm into temporary folders (from npm's cache
// when it has the packages, the registry otherwise) and run what was installed as a user would.

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** npm installs, builds included, on a busy CI machine. */
export const INSTALL_TIMEOUT_MS = 240_000;

export interface Ran {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a user's shell would give: nothing of this test run's own (no npm_* variables
 * from `npm test`, which would point npm at this checkout; no Slack or database settings).
 */
export function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const kept = [
    'PATH',
    'HOME',
    'TMPDIR',
    'LANG',
    'LC_ALL',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    // Where npm's cache and registry are, when the machine sets them here and not in ~/.npmrc.
    'npm_config_cache',
    'npm_config_registry',
    'npm_config_userconfig',
    // The certificates a machine behind a TLS-inspecting proxy trusts. npm reads its global npmrc
    // (where such a machine may set cafile) beside the node it runs on, so under another Node
    // build only these carry the trust over.
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'npm_config_cafile',
  ];
  const env: Record<string, string> = {};
  for (const name of kept) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', LOG_FORMAT: 'json', ...extra };
}

export function run(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    input?: string;
    timeoutMs?: number;
    uid?: number;
    gid?: number;
  },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? userEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Throws with npm's own output when a set-up step fails, so the failure says why. */
export async function mustRun(...args: Parameters<typeof run>): Promise<Ran> {
  const ran = await run(...args);
  if (ran.exitCode !== 0) {
    throw new Error(
      `${args[0]} ${args[1].join(' ')} in ${args[2].cwd} exited ${ran.exitCode ?? ran.signal}:\n${ran.stdout}\n${ran.stderr}`,
    );
  }
  return ran;
}

/** The commit under test, checked out into `dir`: what a fresh clone of it holds. */
export function cloneWorkingCommit(dir: string): void {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, dir], { stdio: 'pipe' });
  execFileSync('git', ['checkout', '--quiet', commit], { cwd: dir, stdio: 'pipe' });
}

/** No audit or funding requests; packages from npm's cache when it has them. */
export const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline'];
