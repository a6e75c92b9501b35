// Runs INSIDE a loopback-only network namespace (bench/run.ts puts it there). Starts one server
// process for the whole fleet (bench/fleet-server.ts), then one fresh worker process per fleet
// size (bench/fleet-worker.ts), so each size's peak RSS is its own. Prints one JSON line.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCa } from '../test/helpers/certs.js';
import { assertLoopbackOnly } from './loopback-only.js';
import type { FleetWorkerResult } from './fleet-worker.js';

assertLoopbackOnly('bench/ns-fleet.ts');

export interface NsFleetResult {
  runs: FleetWorkerResult[];
}

const sizes = (process.argv[2] ?? '100,500,1000').split(',').map(Number);
const ticks = process.argv[3] ?? '1';
const jitterMs = process.argv[4] ?? '2000';

const ca = createTestCa();
const leaf = ca.issue({ commonName: 'mx.fleet.bench.test', dnsNames: ['*.fleet.bench.test'] });
const dir = mkdtempSync(join(tmpdir(), 'smtp-check-ns-fleet-'));
const certFile = join(dir, 'certs.json');
writeFileSync(certFile, JSON.stringify({ key: leaf.key, cert: leaf.cert, caCert: ca.cert }));

const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script('fleet-server.ts'), certFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fleet server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

function runWorker(hosts: number): Promise<FleetWorkerResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script('fleet-worker.ts'), certFile, String(hosts), ticks, jitterMs],
      { timeout: 600_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`fleet worker (${hosts} hosts) failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as FleetWorkerResult);
      },
    );
  });
}

const server = await startServer();
const runs: FleetWorkerResult[] = [];
try {
  for (const hosts of sizes) runs.push(await runWorker(hosts));
} finally {
  server.removeAllListeners('exit');
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ runs } satisfies NsFleetResult)}\n`);
