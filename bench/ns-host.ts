// Runs INSIDE a loopback-only network namespace (bench/run.ts puts it there): it adds nftables
// drop rules to the namespace it runs in. Four hosts on the real SMTP ports:
//   127.0.0.1  smtp-server on 25, 465 (implicit TLS), 587, 2525 — healthy
//   127.0.0.2  a scripted MTA that greets at once, same ports — healthy, no banner delay
//   127.0.0.3  smtp-server, same ports, but every SYN to 25 dropped — filtered port
//   127.0.0.4  nothing, every SYN dropped — a host that answers nothing
// Each is checked with the real use case (probe + diagnosis) and, where asked, with nmap; runs are
// interleaved so a slow moment hits both tools. Prints one JSON line.
import { execFile, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PortProbe } from '../src/probe/index.js';
import { createTestCa } from '../test/helpers/certs.js';
import { startSmtpServer } from '../test/helpers/smtp-test-server.js';
import { benchConfig, benchRunCheck } from './bench-check.js';
import { startFastSmtpServer } from './fast-smtp-server.js';
import { runNmap } from './nmap.js';
import { assertLoopbackOnly } from './loopback-only.js';
import { timed } from './stats.js';

assertLoopbackOnly('bench/ns-host.ts');

export interface HostRuns {
  checkMs: number[];
  nmapMs: number[];
  /** Port → class, from the last run. */
  classes: Record<number, string>;
  nmapPorts: string[];
  /** Per run: the slowest port's greeting wait (the server's share of the time). */
  greetingMs: number[];
  /** Per run: duration of the slowest port. */
  slowestPortMs: number[];
}

export interface NsHostResult {
  ports: number[];
  healthy: HostRuns;
  fast: HostRuns;
  filtered: HostRuns;
  silent: HostRuns;
  /** The healthy hosts again, checked without the nodemailer proof of the recommendation. */
  healthyUnverified: HostRuns;
  fastUnverified: HostRuns;
  /** Whole `smtp-check` processes (bin/smtp-check.js, the bundled CLI), as a user runs them: healthy and filtered hosts. */
  cli: { healthyMs: number[]; fastMs: number[]; filteredMs: number[]; bareNodeMs: number[] };
  connectTimeoutMs: number;
}

const args = new Map(
  process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]),
);
const withNmap = args.get('nmap') === 'yes';
const healthyRuns = Number(args.get('healthy-runs') ?? 15);
const filteredRuns = Number(args.get('filtered-runs') ?? 5);
const silentRuns = Number(args.get('silent-runs') ?? 2);

const PORTS = [25, 465, 587, 2525];
const ca = createTestCa();
const leaf = ca.issue({
  commonName: 'mail.bench.test',
  dnsNames: ['mail.bench.test'],
  ips: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'],
});
const smtpServers = (host: string) =>
  PORTS.map((port) =>
    startSmtpServer({
      key: leaf.key,
      cert: leaf.cert,
      name: 'mail.bench.test',
      secure: port === 465,
      listenHost: host,
      listenPort: port,
    }),
  );
const servers = await Promise.all([
  ...smtpServers('127.0.0.1'),
  ...smtpServers('127.0.0.3'),
  ...PORTS.map((port) =>
    startFastSmtpServer({ host: '127.0.0.2', port, implicitTls: port === 465, certificate: leaf }),
  ),
]);

// Only the client's SYNs: on loopback the server's SYN-ACKs cross the output hook too.
const SYN = 'tcp flags & (syn | ack) == syn';
execFileSync('nft', ['-f', '-'], {
  input: `table inet bench {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr 127.0.0.3 tcp dport 25 ${SYN} drop
    ip daddr 127.0.0.4 ${SYN} drop
  }
}
`,
  stdio: ['pipe', 'pipe', 'pipe'],
});

const config = benchConfig();
const verifiedCheck = benchRunCheck(config, { extraCa: [ca.cert] });
const unverifiedCheck = benchRunCheck(config, { extraCa: [ca.cert], verify: false });

function emptyRuns(): HostRuns {
  return { checkMs: [], nmapMs: [], classes: {}, nmapPorts: [], greetingMs: [], slowestPortMs: [] };
}

async function measure(address: string, runs: number, nmap: boolean, verify = true): Promise<HostRuns> {
  const runCheck = verify ? verifiedCheck : unverifiedCheck;
  const result = emptyRuns();
  // One warm-up of each tool first (JIT, TLS contexts, nmap's script engine from disk): not counted.
  for (let run = -1; run < runs; run += 1) {
    const ports: PortProbe[] = [];
    const check = await timed(() =>
      runCheck({ target: address, ports: [], mx: 'auto' }, { onPort: (port) => ports.push(port) }),
    );
    const scan = nmap ? await runNmap(address, PORTS) : null;
    if (run < 0) continue;
    result.checkMs.push(check.ms);
    result.classes = Object.fromEntries(check.value.ports.map((port) => [port.port, port.class]));
    result.greetingMs.push(Math.max(...ports.map((port) => port.timings.greeting ?? 0)));
    result.slowestPortMs.push(Math.max(...ports.map((port) => port.durationMs)));
    if (scan) {
      result.nmapMs.push(scan.ms);
      result.nmapPorts = scan.portLines;
    }
  }
  return result;
}

const healthy = await measure('127.0.0.1', healthyRuns, withNmap);
const fast = await measure('127.0.0.2', healthyRuns, withNmap);
const filtered = await measure('127.0.0.3', filteredRuns, withNmap);
const silent = await measure('127.0.0.4', silentRuns, false);
const healthyUnverified = await measure('127.0.0.1', healthyRuns, false, false);
const fastUnverified = await measure('127.0.0.2', healthyRuns, false, false);

// The CLI as a process: Node's start, loading our code, the probe, the proof, the report.
const CLI = fileURLToPath(new URL('../bin/smtp-check.js', import.meta.url));
const caFile = join(tmpdir(), `smtp-check-bench-ca-${process.pid}.pem`);
writeFileSync(caFile, ca.cert);
const runProcess = (args: string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, NO_COLOR: '1' }, timeout: 60_000 },
      (error) => {
        // Exit code 1 (a finding) is an answer too; only a crash or a timeout is not.
        if (error && typeof error.code !== 'number') reject(error);
        else resolve(performance.now() - started);
      },
    );
  });
const cli = {
  healthyMs: [] as number[],
  fastMs: [] as number[],
  filteredMs: [] as number[],
  bareNodeMs: [] as number[],
};
for (let run = -1; run < healthyRuns; run += 1) {
  const bare = await runProcess(['-e', '0']);
  const healthyCli = await runProcess([CLI, '127.0.0.1']);
  const fastCli = await runProcess([CLI, '127.0.0.2']);
  if (run < 0) continue;
  cli.bareNodeMs.push(bare);
  cli.healthyMs.push(healthyCli);
  cli.fastMs.push(fastCli);
}
for (let run = 0; run < filteredRuns; run += 1) cli.filteredMs.push(await runProcess([CLI, '127.0.0.3']));
rmSync(caFile, { force: true });

await Promise.all(servers.map((server) => server.close()));
const result: NsHostResult = {
  ports: PORTS,
  healthy,
  fast,
  filtered,
  silent,
  healthyUnverified,
  fastUnverified,
  cli,
  connectTimeoutMs: config.limits.connectTimeoutMs,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
