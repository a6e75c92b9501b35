import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestCa } from '../helpers/certs.js';
import { asSuperuser, createTestDatabase, requirePostgres, SOCKET_DIR } from '../helpers/postgres.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import {
  cloneWorkingCommit,
  INSTALL_TIMEOUT_MS,
  mustRun,
  NPM_QUIET,
  run,
  userEnv,
} from './package-helpers.js';

// The package a worker host installs: `npm pack` of a built clone, installed into an empty folder
// with `npm install ./smtp-check-<version>.tgz`, and run from there as the README says — the
// terminal command, a worker and the bot — with nothing of the checkout around it.

let work: string;
let tarball: string;
let contents: string[];
let installed: string;
let server: RunningServer;
let caFile: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'smtp-check-pack-'));
  const clone = join(work, 'clone');
  cloneWorkingCommit(clone);
  // `npm ci` builds (prepare); packing that build needs no second one.
  await mustRun('npm', ['ci', ...NPM_QUIET], { cwd: clone, timeoutMs: INSTALL_TIMEOUT_MS });
  const { version } = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { version: string };
  const packed = await mustRun('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
    cwd: clone,
  });
  expect(packed.stdout.trim()).toBe(`smtp-check-${version}.tgz`);
  tarball = join(work, `smtp-check-${version}.tgz`);
  contents = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  installed = join(work, 'installed');
  mkdirSync(installed);
  await mustRun('npm', ['install', tarball, ...NPM_QUIET], { cwd: installed, timeoutMs: INSTALL_TIMEOUT_MS });
  // Nothing of the checkout may be found from the installed folder.
  rmSync(clone, { recursive: true, force: true });

  const ca = createTestCa();
  caFile = join(work, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  server = await startSmtpServer({
    name: 'mail.example.test',
    ...ca.issue({ commonName: 'mail.example.test', ips: ['127.0.0.1'] }),
  });
}, INSTALL_TIMEOUT_MS * 2);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const smtpCheck = (args: string[], env: Record<string, string> = {}) =>
  run('npx', ['--no', '--', 'smtp-check', ...args], { cwd: installed, env: userEnv(env), timeoutMs: 60_000 });

describe('the package (npm pack)', () => {
  test('holds what runs and nothing else', () => {
    for (const file of [
      'package/package.json',
      'package/LICENSE',
      'package/README.md',
      'package/CHANGELOG.md',
      'package/.env.example',
      'package/manifest.yml',
      'package/bin/smtp-check.js',
      'package/bin/smtp-check-bot.js',
      'package/dist/main.js',
      'package/dist/cli-bundle/main.js',
      'package/dist/cli-bundle/worker-command.js',
      'package/monitoring/prometheus.yml',
      'package/monitoring/smtp-check-rules.yml',
    ]) {
      expect(contents).toContain(file);
    }
    const unexpected = contents.filter(
      (file) =>
        !/^package\/(dist|bin)\//.test(file) &&
        !/^package\/monitoring\/[^/]+\.yml$/.test(file) &&
        !/^package\/[^/]+$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(contents.filter((file) => file.endsWith('.map') || file.endsWith('.ts'))).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(installed, 'node_modules/smtp-check/package.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({ license: 'MIT' });
    expect(manifest.private).toBeUndefined();
  });

  test('installs without the dev tools', () => {
    const modules = join(installed, 'node_modules');
    expect(() => readFileSync(join(modules, 'pg/package.json'))).not.toThrow();
    for (const devOnly of ['typescript', 'esbuild', 'vitest', 'tsx', 'smtp-server']) {
      expect(() => readFileSync(join(modules, devOnly, 'package.json')), devOnly).toThrow();
    }
  });

  test('npx smtp-check --help', async () => {
    const help = await smtpCheck(['--help']);
    expect(help.stdout).toContain('usage: smtp-check');
    expect(help.exitCode).toBe(0);
  });

  test('checks a local SMTP server and recommends its port', async () => {
    const checked = await smtpCheck(
      ['127.0.0.1', '--ports', String(server.port), '--timeout-ms', '3000', '--json'],
      {
        NODE_EXTRA_CA_CERTS: caFile,
      },
    );
    expect(checked.stderr).toBe('');
    const report = JSON.parse(checked.stdout) as {
      ports: { port: number; class: string; usable: boolean }[];
      recommendation: { port: number; verified: unknown } | null;
    };
    expect(report.ports).toEqual([
      expect.objectContaining({ port: server.port, class: 'open-starttls', usable: true }),
    ]);
    expect(report.recommendation).toMatchObject({ port: server.port });
    expect(checked.exitCode).toBe(0);
  });

  test('smtp-check worker: --help, and a start without DATABASE_URL refused with exit 2', async () => {
    const help = await smtpCheck(['worker', '--help']);
    expect(help.stdout).toContain('usage: smtp-check worker --vantage NAME');
    expect(help.exitCode).toBe(0);
    const refused = await smtpCheck(['worker', '--vantage', 'office']);
    expect(refused.stderr).toContain('DATABASE_URL');
    expect(refused.exitCode).toBe(2);
  });

  test('the bot (smtp-check-bot) starts the console and answers help', async () => {
    const bot = await run('npx', ['--no', '--', 'smtp-check-bot'], {
      cwd: installed,
      input: 'help\n',
      timeoutMs: 60_000,
    });
    expect(bot.stdout).toContain('*What to type*');
    expect(bot.stderr).toContain('console mode: no Slack settings given');
    expect(bot.exitCode).toBe(0);
  });
});

const noPostgres = await requirePostgres();
const root = process.getuid?.() === 0;

describe.skipIf(noPostgres !== null || !root)('a worker from the package, on PostgreSQL', () => {
  test('worker-role binds a role; the worker announces itself with the package version and stops on SIGTERM', async () => {
    const db = await createTestDatabase();
    // Peer authentication over the socket: the worker runs as an OS user named like its role.
    const role = `smtpcheck_p${Math.random().toString(16).slice(2, 10)}`;
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      '--user-group',
      '--shell',
      '/usr/sbin/nologin',
      role,
    ]);
    try {
      const granted = await smtpCheck(['worker-role', role, '--vantage', 'office'], { DATABASE_URL: db.url });
      expect(granted.stderr).toBe('');
      expect(granted.exitCode).toBe(0);

      const uid = Number(execFileSync('id', ['-u', role], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', role], { encoding: 'utf8' }).trim());
      // The worker's user must reach the installed package under the 0700 temporary folder, and a
      // node it may run: the one running this test can sit in another 0700 folder (CI's Node 24).
      chmodSync(work, 0o755);
      const node = join(work, 'node');
      copyFileSync(process.execPath, node);
      chmodSync(node, 0o755);
      const worker = spawn(
        node,
        [join(installed, 'node_modules/.bin/smtp-check'), 'worker', '--vantage', 'office'],
        {
          cwd: installed,
          uid,
          gid,
          env: userEnv({
            DATABASE_URL: `postgres://${role}@/${db.name}?host=${encodeURIComponent(SOCKET_DIR)}`,
          }),
        },
      );
      let stdout = '';
      let stderr = '';
      worker.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        worker.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          if (stdout.includes('waiting for probe jobs')) resolve();
        });
        void exited.then((code) => reject(new Error(`worker exited ${code}: ${stdout}${stderr}`)));
      });
      const { version } = JSON.parse(
        readFileSync(join(installed, 'node_modules/smtp-check/package.json'), 'utf8'),
      ) as { version: string };
      const heartbeats = await asSuperuser(db.name, (client) =>
        client.query<{ vantage: string; version: string }>('SELECT vantage, version FROM vantage_workers'),
      );
      expect(heartbeats.rows).toEqual([expect.objectContaining({ vantage: 'office', version })]);
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('worker stopped');
    } finally {
      await asSuperuser(db.name, (client) => client.query(`DROP OWNED BY ${role}`)).catch(() => undefined);
      await db.drop();
      await asSuperuser('postgres', (client) => client.query(`DROP ROLE IF EXISTS ${role}`)).catch(
        () => undefined,
      );
      execFileSync('userdel', [role]);
    }
  }, 60_000);
});
