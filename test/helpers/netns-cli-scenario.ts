// Runs inside a network namespace (see netns.ts): a host on 127.0.0.1 with the real SMTP ports —
// 25 dropping every SYN, 465 implicit TLS, 587 and 2525 STARTTLS — then the real `smtp-check`
// command against it. Prints one JSON line: the command's exit code, stdout and stderr.
import { execFile, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCa } from './certs.js';
import { startSmtpServer } from './smtp-test-server.js';

export interface CliScenarioResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const ca = createTestCa();
const leaf = ca.issue({
  commonName: 'mail.example.test',
  dnsNames: ['mail.example.test'],
  ips: ['127.0.0.1'],
});
const caFile = join(tmpdir(), `smtp-check-cli-ca-${process.pid}.pem`);
writeFileSync(caFile, ca.cert);

const servers = await Promise.all([
  startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mail.example.test', listenPort: 25 }),
  startSmtpServer({
    key: leaf.key,
    cert: leaf.cert,
    name: 'mail.example.test',
    secure: true,
    listenPort: 465,
  }),
  startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mail.example.test', listenPort: 587 }),
  startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mail.example.test', listenPort: 2525 }),
]);
execFileSync('nft', ['-f', '-'], {
  input:
    'table inet cli {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    tcp dport 25 tcp flags & (syn | ack) == syn drop\n  }\n}\n',
});

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// `--with-canary`: an egress canary on another loopback address, whose port 25 is dropped too.
const withCanary = process.argv[2] === '--with-canary';
const cliArgs = withCanary ? process.argv.slice(3) : process.argv.slice(2);
const canaryEnv = withCanary ? { EGRESS_CANARY: '127.0.0.2:25' } : {};
const result = await new Promise<CliScenarioResult>((resolve) => {
  execFile(
    process.execPath,
    ['--import', 'tsx', cli, '127.0.0.1', ...cliArgs],
    { env: { ...process.env, ...canaryEnv, NODE_EXTRA_CA_CERTS: caFile, NO_COLOR: '1' }, timeout: 30_000 },
    (error, stdout, stderr) => {
      const exitCode = typeof error?.code === 'number' ? error.code : error ? -1 : 0;
      resolve({ exitCode, stdout, stderr });
    },
  );
});

await Promise.all(servers.map((server) => server.close()));
rmSync(caFile, { force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
