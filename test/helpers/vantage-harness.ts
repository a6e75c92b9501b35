import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunCheck } from '../../src/check/index.js';
import type { RunCheck } from '../../src/check/types.js';
import { silentLogger } from '../../src/log.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import { createPool, type Pool } from '../../src/database/connection.js';
import { type ClosableVantageProbes, openPgVantageProbes } from '../../src/vantage/pg-vantage-probes.js';
import { testLimits } from './probe-limits.js';
import { grantWorkerRole } from '../../src/vantage/worker-role.js';
import { createTestCa } from './certs.js';
import { forgetNamespace, namespaceName, trackNamespace, trackNamespaceProcess } from './netns.js';
import { asSuperuser, type TestDatabase } from './postgres.js';

// Vantages for the tests: each "network" is a network namespace with only loopback, its own mail
// server on 127.0.0.1 (the same address in every namespace, so each network sees a different
// server there) and its own firewall. Workers run inside as an unprivileged user whose name is a
// PostgreSQL role made by `grantWorkerRole`, reaching the database through its Unix socket (a
// namespace does not separate the file system) with peer authentication: the worker really
// runs with the least-privilege role, not as the test's superuser.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI_SOURCE = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const NETWORK_SCRIPT = fileURLToPath(new URL('./vantage-network.ts', import.meta.url));
const SOCKET_DIR = process.env['PGTEST_SOCKET_DIR'] ?? '/var/run/postgresql';

function sh(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Files every network and worker reads: the test CA and a leaf for 127.0.0.1 / mail.example.test. */
export interface VantageFiles {
  dir: string;
  caFile: string;
  keyFile: string;
  certFile: string;
  remove(): void;
}

export function writeVantageFiles(): VantageFiles {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-vantage-'));
  // Workers run as another user: the folder and the CA must be readable by them.
  chmodSync(dir, 0o755);
  const ca = createTestCa();
  const leaf = ca.issue({
    commonName: 'mail.example.test',
    dnsNames: ['mail.example.test'],
    ips: ['127.0.0.1'],
  });
  const files = {
    dir,
    caFile: join(dir, 'ca.pem'),
    keyFile: join(dir, 'key.pem'),
    certFile: join(dir, 'cert.pem'),
  };
  writeFileSync(files.caFile, ca.cert, { mode: 0o644 });
  writeFileSync(files.keyFile, leaf.key, { mode: 0o600 });
  writeFileSync(files.certFile, leaf.cert, { mode: 0o644 });
  return { ...files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let bundling: Promise<string> | undefined;

/**
 * The CLI bundled into a folder every user may read: a worker runs as an unprivileged user, and
 * the clone may live where only root can enter (a 0700 temporary folder). The worker needs
 * nothing but `pg` from node_modules, which is bundled in; the bundle is removed at exit.
 */
export function workerCli(): Promise<string> {
  bundling ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-check-worker-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const { build } = await import('esbuild');
    const outdir = join(dir, 'dist', 'cli-bundle');
    await build({
      entryPoints: [CLI_SOURCE],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir,
      // Never loaded by a worker: the bot's queue and the picture renderer.
      external: ['pg-boss', '@resvg/resvg-js', 'pg-native', 'pg-cloudflare'],
      // pg is CommonJS: its require() of Node's own modules needs a require in an ES module.
      banner: {
        js: "import { createRequire as smtpCheckRequire } from 'node:module'; const require = smtpCheckRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    // The version a worker announces is read from package.json two folders above the bundle.
    copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
    sh('chmod', ['-R', 'a+rX', dir]);
    return join(outdir, 'main.js');
  })();
  return bundling;
}

export interface WorkerRole {
  role: string;
  /** The vantage the database binds this role to. */
  vantage: string;
  uid: number;
  gid: number;
  /** The worker's DATABASE_URL: this role, over the socket, no password (peer authentication). */
  url: string;
  remove(): Promise<void>;
}

/** An OS user and the PostgreSQL role of the same name, bound to `vantage` with grantWorkerRole. */
export async function createWorkerRole(db: TestDatabase, vantage: string): Promise<WorkerRole> {
  const role = `smtpcheck_w${randomBytes(4).toString('hex')}`;
  sh('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', role]);
  const uid = Number(sh('id', ['-u', role]).trim());
  const gid = Number(sh('id', ['-g', role]).trim());
  const pool = createPool(db.url, { max: 1 });
  try {
    await grantWorkerRole(pool, { role, vantage });
  } finally {
    await pool.end();
  }
  return {
    role,
    vantage,
    uid,
    gid,
    url: `postgres://${role}@/${db.name}?host=${encodeURIComponent(SOCKET_DIR)}`,
    remove: async () => {
      await asSuperuser(db.name, (client) => client.query(`DROP OWNED BY ${role}`)).catch(() => undefined);
      await asSuperuser(db.name, (client) => client.query(`DROP ROLE IF EXISTS ${role}`)).catch(
        () => undefined,
      );
      try {
        sh('userdel', [role]);
      } catch {
        // already gone
      }
    },
  };
}

export interface Network {
  name: string;
  namespace: string;
  /** From now on, outbound SYNs to `port` are dropped in this network (nftables). */
  block(port: number): void;
  close(): Promise<void>;
}

function lineFrom(child: ChildProcess, match: (line: string) => boolean, what: string, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = output.split('\n').find(match);
      if (found === undefined) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(found);
    };
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      reject(new Error(`${what} not seen within ${timeoutMs} ms: ${output.slice(-2_000)}`));
    }, timeoutMs);
    child.stdout?.on('data', onData);
  });
}

/** A namespace with its mail server; `drop` blocks outbound SYNs to that port. */
export async function startNetwork(
  name: string,
  files: VantageFiles,
  options: { drop?: number; greetAfterMs?: number } = {},
): Promise<Network> {
  const namespace = namespaceName(name);
  trackNamespace(namespace);
  sh('ip', ['netns', 'add', namespace]);
  sh('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
  const args = ['--key', files.keyFile, '--cert', files.certFile];
  if (options.drop) args.push('--drop', String(options.drop));
  if (options.greetAfterMs) args.push('--greet-after', String(options.greetAfterMs));
  const child = spawn(
    'ip',
    ['netns', 'exec', namespace, process.execPath, '--import', 'tsx', NETWORK_SCRIPT, ...args],
    {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  trackNamespaceProcess(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  try {
    await lineFrom(child, (line) => line.includes('"ready":true'), `network ${name} ready`, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    sh('ip', ['netns', 'delete', namespace]);
    forgetNamespace(namespace);
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    namespace,
    block: (port) => {
      const rules = `table inet blocked${port} {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    tcp dport ${port} tcp flags & (syn | ack) == syn drop\n  }\n}\n`;
      execFileSync('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], {
        input: rules,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    },
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
      try {
        sh('ip', ['netns', 'delete', namespace]);
      } catch {
        // already gone
      }
      forgetNamespace(namespace);
    },
  };
}

export interface WorkerProcess {
  vantage: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line (stdout or stderr) that matches. */
  waitFor(match: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** `smtp-check worker --vantage NAME` inside the network, as the role's OS user. */
export async function startWorkerProcess(
  network: Network,
  role: WorkerRole,
  files: VantageFiles,
  options: { vantage?: string; allowTargets?: string; env?: Record<string, string>; args?: string[] },
): Promise<WorkerProcess> {
  const vantage = options.vantage ?? role.vantage;
  const cli = await workerCli();
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      network.namespace,
      'setpriv',
      `--reuid=${role.uid}`,
      `--regid=${role.gid}`,
      '--clear-groups',
      process.execPath,
      cli,
      'worker',
      '--vantage',
      vantage,
      ...(options.args ?? []),
    ],
    {
      cwd: files.dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: files.dir,
        DATABASE_URL: role.url,
        ALLOW_TARGETS: options.allowTargets ?? '',
        NODE_EXTRA_CA_CERTS: files.caFile,
        CONNECT_TIMEOUT_MS: '1500',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'debug',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  trackNamespaceProcess(child);
  let output = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const listener of [...listeners]) listener();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (match: (line: string) => boolean, what: string, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = output.split('\n').find(match);
        if (found === undefined) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(`worker ${vantage}: ${what} not seen within ${timeoutMs} ms:\n${output.slice(-3_000)}`),
        );
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  await waitFor((line) => line.includes('; waiting for probe jobs ('), 'ready');
  return {
    vantage,
    child,
    output: () => output,
    waitFor,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface VantageWorld {
  db: TestDatabase;
  files: VantageFiles;
  /** One role per vantage, as `smtp-check worker-role ROLE --vantage NAME` makes them. */
  roles: WorkerRole[];
  networks: Network[];
  workers: WorkerProcess[];
  close(): Promise<void>;
}

/**
 * What a set-up made, removed in reverse order whether the set-up finished or failed: a suite
 * that fails while starting leaves no namespace, OS user or role behind.
 */
export class Teardown {
  private readonly steps: Array<() => Promise<unknown> | unknown> = [];
  add<T>(made: T, remove: (made: T) => Promise<unknown> | unknown): T {
    this.steps.push(() => remove(made));
    return made;
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // best effort: the next step still runs
      }
    }
  }
}

/**
 * The usual two networks with a worker each: "office" reaches the mail server on 127.0.0.1 on 25
 * and 587; "aws-eu" drops outbound 25 (unless told otherwise). The database is migrated (as the bot does at start) and
 * pg-boss's schema is installed by `prepareQueue` before the roles are granted.
 */
export async function startVantageWorld(
  db: TestDatabase,
  prepareQueue: () => Promise<void>,
  /** false: aws-eu starts open, for a test that blocks 25 there later (Network.block). */
  options: { awsEuDrops25?: boolean } = {},
): Promise<VantageWorld> {
  const teardown = new Teardown();
  try {
    const files = teardown.add(writeVantageFiles(), (made) => made.remove());
    await prepareQueue();
    const roles = await Promise.all(
      ['office', 'aws-eu'].map(async (vantage) =>
        teardown.add(await createWorkerRole(db, vantage), (made) => made.remove()),
      ),
    );
    const networks = await Promise.all([
      startNetwork('office', files).then((made) => teardown.add(made, (network) => network.close())),
      startNetwork('aws-eu', files, options.awsEuDrops25 === false ? {} : { drop: 25 }).then((made) =>
        teardown.add(made, (network) => network.close()),
      ),
    ]);
    const [office, awsEu] = networks as [Network, Network];
    const [officeRole, awsEuRole] = roles as [WorkerRole, WorkerRole];
    const workers = await Promise.all([
      startWorkerProcess(office, officeRole, files, { allowTargets: '127.0.0.0/8' }).then((made) =>
        teardown.add(made, (worker) => worker.stop()),
      ),
      startWorkerProcess(awsEu, awsEuRole, files, { allowTargets: '127.0.0.0/8' }).then((made) =>
        teardown.add(made, (worker) => worker.stop()),
      ),
    ]);
    return { db, files, roles, networks, workers, close: () => teardown.run() };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/**
 * The bot's side of the queue as the tests use it: vantage `bot` is this process, with the real
 * probe under `policy` (the bot's own refusals unless told otherwise), the ports 25 and 587 by
 * default and a 20 s deadline.
 */
export function openTestVantageProbes(
  pool: Pool,
  url: string,
  runCheck: RunCheck = createRunCheck({
    probeHost,
    limits: testLimits(),
    now: () => new Date(),
    policy: createTargetPolicy([]),
  }),
): Promise<ClosableVantageProbes> {
  return openPgVantageProbes({
    db: { pool, url },
    local: 'bot',
    runCheck,
    defaultPorts: [25, 587],
    deadlineMs: 20_000,
    logger: silentLogger,
  });
}
