import { execFile, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestCa } from '../helpers/certs.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// `npx smtp-check` runs bin/smtp-check.js, which loads the CLI bundled by `npm run build` — not
// the TypeScript the other CLI tests run. This builds the bundle afresh and runs it as a user
// would, so a bundling mistake (a module left out, nodemailer's chunk not found) fails here.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin/smtp-check.js');

let server: RunningServer;
let caFile: string;
let dns: TestDnsServer;

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'bundle:cli'], { cwd: REPO, stdio: 'pipe' });
  const ca = createTestCa();
  caFile = join(tmpdir(), `smtp-check-built-ca-${process.pid}.pem`);
  writeFileSync(caFile, ca.cert);
  server = await startSmtpServer({
    name: 'mail.example.test',
    ...ca.issue({ commonName: 'mail.example.test', ips: ['127.0.0.1'] }),
  });
  dns = await startDnsServer({
    'example.test': { MX: [{ exchange: 'mail.example.test', priority: 10 }], TXT: ['v=spf1 mx -all'] },
    'mail.example.test': { A: ['127.0.0.1'] },
    '_mta-sts.example.test': { TXT: ['v=STSv1; id=1'] },
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await dns?.close();
  rmSync(caFile, { force: true });
});

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: REPO,
        env: { ...process.env, NO_COLOR: '1', NODE_EXTRA_CA_CERTS: caFile, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr }),
    );
  });
}

describe('the built command (bin/smtp-check.js)', () => {
  test('checks a real server and proves the advice with nodemailer, loaded from its own chunk', async () => {
    const result = await run([`127.0.0.1:${server.port}`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${server.port}`);
    expect(result.stdout).toMatch(/Verified with nodemailer \d+\.\d+\.\d+ just now/);
    expect(result.exitCode).toBe(0);
  });

  test('--help and a typo answer without a check', async () => {
    expect(await run(['--help'])).toMatchObject({
      exitCode: 0,
      stdout: expect.stringContaining('usage: smtp-check'),
    });
    const typo = await run(['smtp', 'example.com']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('smtp-check:');
  });

  test('the domain report loads its raw DNS client (DNSSEC, DANE) from node_modules (it is not bundled)', async () => {
    const result = await run(['domain', 'example.test', '--json'], {
      DNS_RESOLVER: dns.server,
      DOMAIN_MX_PROBE: 'off',
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    // The validating resolver was asked (the test server sets no AD flag): the client ran.
    expect(report.dnssec).toMatchObject({
      resolver: dns.server,
      domain: { name: 'example.test', status: 'insecure' },
    });
    expect(report.dane[0]).toMatchObject({ exchange: 'mail.example.test', records: [] });
  });

  test('health and store load the PostgreSQL driver from node_modules (it is not bundled)', async () => {
    const url = 'postgres://smtp_check:s3cret-pw@/no_such_db?host=/nonexistent-socket-dir';
    const health = await run(['health'], { DATABASE_URL: url });
    expect(health.exitCode).toBe(1);
    expect(health.stdout).toMatch(/^unhealthy: PostgreSQL at \/nonexistent-socket-dir\/no_such_db/);
    expect(`${health.stdout}${health.stderr}`).not.toContain('s3cret-pw');
    const store = await run(['store', 'import', '/nonexistent/smtp-check.json'], { DATABASE_URL: url });
    expect(store.exitCode).toBe(2);
    expect(store.stderr).toContain('nothing was imported');
  });
});
