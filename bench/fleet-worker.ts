// One scheduled re-test of N watched hosts, as the bot runs it (src/main.ts): the real
// recheckWatches over a real lowdb file, the check wrapped in the bot's concurrency caps, the
// shipped defaults for concurrency and jitter, and a notifier that drops messages. Every host is a
// name resolving to its own 127.x.y.z address (an in-memory resolver: no DNS server in the
// namespace), all answered by bench/fleet-server.ts. Prints one JSON line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitConcurrency } from '../src/check/index.js';
import { silentLogger } from '../src/log.js';
import type { Resolver } from '../src/probe/index.js';
import { openLowdbWatchStore } from '../src/store/index.js';
import { recheckWatches } from '../src/watch/index.js';
import { droppedNotifier } from './dropped-notifier.js';
import { benchConfig, benchRunCheck } from './bench-check.js';

export interface FleetWorkerResult {
  hosts: number;
  /** Tick wall time, per tick. */
  tickMs: number[];
  /** Peak resident set of this process, MB (getrusage maxrss). */
  peakRssMb: number;
  /** RSS after loading and seeding, before the first tick, MB. */
  baseRssMb: number;
  concurrency: number;
  maxConcurrentChecks: number;
  jitterMs: number;
  checkPeak: number;
  checkFailures: number;
  /** Port classes seen on the last tick, with counts. */
  classes: Record<string, number>;
  storeBytes: number;
}

/** Spread across 127.0.0.0/8; unique for i < 62 500. */
function fleetAddress(i: number): string {
  return `127.${1 + Math.floor(i / 250)}.${i % 250}.${1 + (i % 3)}`;
}

const fleetHost = (i: number): string => `h${i}.fleet.bench.test`;

const hosts = Number(process.argv[3]);
const ticks = Number(process.argv[4] ?? 1);
const jitterMs = Number(process.argv[5] ?? 2_000);
const { caCert } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { caCert: string };

const table = new Map(Array.from({ length: hosts }, (_, i) => [fleetHost(i), fleetAddress(i)]));
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

const config = benchConfig();
const dir = mkdtempSync(join(tmpdir(), 'smtp-check-fleet-'));
const file = join(dir, 'watches.json');
const store = await openLowdbWatchStore(file);
const addedAt = new Date().toISOString();
await Promise.all(
  [...table.keys()].map((host) =>
    store.saveWatch({ channel: 'C0FLEET', host, ports: [25, 465, 587, 2525], addedBy: 'U0BENCH', addedAt }),
  ),
);

const limited = limitConcurrency(benchRunCheck(config, { extraCa: [caCert], resolver }), {
  maxConcurrentChecks: config.rate.maxConcurrentChecks,
  maxPerTarget: 1,
});
const classes: Record<string, number> = {};
const counted = limited.runScheduledCheck;
const runCheck: typeof counted = async (request, hooks) => {
  const diagnosis = await counted(request, hooks);
  for (const port of diagnosis.ports) classes[port.class] = (classes[port.class] ?? 0) + 1;
  return diagnosis;
};

const baseRssMb = process.memoryUsage.rss() / 1_048_576;
const tickMs: number[] = [];
let checkFailures = 0;
for (let tick = 0; tick < ticks; tick += 1) {
  for (const key of Object.keys(classes)) delete classes[key];
  const started = performance.now();
  const summary = await recheckWatches({
    store,
    runCheck,
    notify: droppedNotifier,
    now: () => new Date(),
    logger: silentLogger,
    concurrency: config.watch.concurrency,
    jitterMs,
    alertConfig: {
      failuresToBlock: config.watch.failuresToAlert,
      successesToRecover: config.watch.successesToRecover,
      reminderMs: config.watch.reminderHours * 3_600_000,
      certExpiringDays: 21,
      certCriticalDays: 7,
    },
  });
  tickMs.push(performance.now() - started);
  checkFailures += summary.checkFailures;
}
await store.close();
const storeBytes = readFileSync(file).length;
rmSync(dir, { recursive: true, force: true });

const result: FleetWorkerResult = {
  hosts,
  tickMs,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  baseRssMb,
  concurrency: config.watch.concurrency,
  maxConcurrentChecks: config.rate.maxConcurrentChecks,
  jitterMs,
  checkPeak: limited.stats().peak,
  checkFailures,
  classes,
  storeBytes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
