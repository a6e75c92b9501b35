// Runs INSIDE a loopback-only network namespace (bench/run.ts puts it there). A person's check
// while the schedule re-tests 1 000 watched hosts, in one process as the bot runs them
// (src/main.ts): the check wrapped in the bot's concurrency caps, the tick on the scheduled entry
// point, the real recheckWatches over a real lowdb file, every host answered by
// bench/fleet-server.ts. Measures the time from asking to the first port result, with no tick
// running and then during a tick. Prints one JSON line.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LimitedRunCheck, limitConcurrency } from '../src/check/index.js';
import { silentLogger } from '../src/log.js';
import type { Resolver } from '../src/probe/index.js';
import { openLowdbWatchStore } from '../src/store/index.js';
import { type AlertNotifier, recheckWatches } from '../src/watch/index.js';
import { createTestCa } from '../test/helpers/certs.js';
import { benchConfig, benchRunCheck } from './bench-check.js';
import { assertLoopbackOnly } from './loopback-only.js';

assertLoopbackOnly('bench/ns-interactive.ts');

export interface NsInteractiveResult {
  hosts: number;
  /** Time to the first port result of a person's check, no tick running. */
  idleFirstPortMs: number[];
  /** The same, each check started while the tick had checks waiting for a slot. */
  duringTickFirstPortMs: number[];
  /** Whole interactive checks during the tick, for context. */
  duringTickCheckMs: number[];
  tickMs: number;
  maxConcurrentChecks: number;
  concurrency: number;
  /** Scheduled checks waiting for a slot when each interactive check started. */
  queuedAtStart: number[];
}

const hosts = Number(process.argv[2] ?? 1_000);
const samples = Number(process.argv[3] ?? 7);

const ca = createTestCa();
const leaf = ca.issue({ commonName: 'mx.fleet.bench.test', dnsNames: ['*.fleet.bench.test'] });
const dir = mkdtempSync(join(tmpdir(), 'smtp-check-ns-interactive-'));
const certFile = join(dir, 'certs.json');
writeFileSync(certFile, JSON.stringify({ key: leaf.key, cert: leaf.cert, caCert: ca.cert }));

function startServer(): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('fleet-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, certFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fleet server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

// Watched hosts on 127.1.x.y, the person's hosts on 127.200.0.x: no address is shared, so the
// per-target cap never links them and only the global slots are contended.
const watched = (i: number) => `h${i}.fleet.bench.test`;
const typed = (i: number) => `typed${i}.fleet.bench.test`;
const table = new Map<string, string>([
  ...Array.from(
    { length: hosts },
    (_, i) => [watched(i), `127.${1 + Math.floor(i / 250)}.${i % 250}.1`] as const,
  ),
  ...Array.from({ length: 2 * samples }, (_, i) => [typed(i), `127.200.0.${1 + i}`] as const),
]);
const noData = (host: string) => Object.assign(new Error(`no record for ${host}`), { code: 'ENODATA' });
const resolver: Resolver = {
  resolve4: async (host) => {
    const address = table.get(host);
    if (address === undefined) throw Object.assign(noData(host), { code: 'ENOTFOUND' });
    return [address];
  },
  resolve6: async (host) => {
    throw noData(host);
  },
  resolveMx: async (host) => {
    throw noData(host);
  },
};
const dropped: AlertNotifier = {
  postAlert: async () => ({ ts: '1.000001' }),
  postInThread: async () => ({ ts: '1.000002' }),
  markResolved: async () => {},
};

/** Time from asking to the first port result, and to the whole diagnosis. */
async function personCheck(
  limited: LimitedRunCheck,
  host: string,
): Promise<{ firstMs: number; totalMs: number }> {
  const started = performance.now();
  let firstMs = Number.NaN;
  await limited.runCheck(
    { target: host, ports: [], mx: 'auto' },
    {
      onPort: () => {
        if (Number.isNaN(firstMs)) firstMs = performance.now() - started;
      },
    },
  );
  return { firstMs, totalMs: performance.now() - started };
}

const server = await startServer();
try {
  const config = benchConfig();
  const limited = limitConcurrency(benchRunCheck(config, { extraCa: [ca.cert], resolver }), {
    maxConcurrentChecks: config.rate.maxConcurrentChecks,
    maxPerTarget: 1,
  });
  const store = await openLowdbWatchStore(join(dir, 'watches.json'));
  const addedAt = new Date().toISOString();
  await Promise.all(
    Array.from({ length: hosts }, (_, i) =>
      store.saveWatch({
        channel: 'C0FLEET',
        host: watched(i),
        ports: [25, 465, 587, 2525],
        addedBy: 'U0BENCH',
        addedAt,
      }),
    ),
  );

  // Warm-up (module loading, TLS contexts), then the idle figure.
  await personCheck(limited, typed(2 * samples - 1));
  const idleFirstPortMs: number[] = [];
  for (let i = 0; i < samples; i += 1) idleFirstPortMs.push((await personCheck(limited, typed(i))).firstMs);

  const tickStarted = performance.now();
  let tickDone = false;
  const tick = recheckWatches({
    store,
    runCheck: limited.runScheduledCheck,
    notify: dropped,
    now: () => new Date(),
    logger: silentLogger,
    concurrency: config.watch.concurrency,
    jitterMs: 2_000,
  }).finally(() => {
    tickDone = true;
  });

  const duringTickFirstPortMs: number[] = [];
  const duringTickCheckMs: number[] = [];
  const queuedAtStart: number[] = [];
  for (let i = 0; i < samples && !tickDone; i += 1) {
    // Ask while scheduled checks are waiting for a slot: the case a person would otherwise queue in.
    while (limited.stats().queued === 0 && !tickDone) await new Promise((resolve) => setTimeout(resolve, 20));
    if (tickDone) break;
    queuedAtStart.push(limited.stats().queued);
    const run = await personCheck(limited, typed(samples + i));
    duringTickFirstPortMs.push(run.firstMs);
    duringTickCheckMs.push(run.totalMs);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await tick;
  const tickMs = performance.now() - tickStarted;
  await store.close();

  const result: NsInteractiveResult = {
    hosts,
    idleFirstPortMs,
    duringTickFirstPortMs,
    duringTickCheckMs,
    tickMs,
    maxConcurrentChecks: config.rate.maxConcurrentChecks,
    concurrency: config.watch.concurrency,
    queuedAtStart,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  server.removeAllListeners('exit');
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
