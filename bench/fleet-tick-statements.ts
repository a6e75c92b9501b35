// The statements a fleet tick sends to PostgreSQL per re-tested host, without the whole bench:
// bench/fleet-tick-bench.ts at a small size (the same replica processes, store, coordinator and
// check), printed as one line per run.
// Usage: node --import tsx bench/fleet-tick-statements.ts [hosts (200)] [jitter ms (0)]
import { fleetTickBench } from './fleet-tick-bench.js';

const hosts = Number(process.argv[2] ?? 200);
const jitterMs = Number(process.argv[3] ?? 0);
const result = await fleetTickBench({ hosts, jitterMs });
for (const run of result.runs) {
  const store = run.roundTrips - run.fleetRoundTrips;
  console.log(
    [
      `${result.hosts} hosts × ${result.ports} ports, ${run.replicas} replica(s):`,
      `${run.roundTripsPerHost.toFixed(2)} statements per host`,
      `(store ${(store / result.hosts).toFixed(2)}, coordinator ${(run.fleetRoundTrips / result.hosts).toFixed(2)});`,
      `${run.probes} probes, ${run.duplicates} duplicates, check failures ${run.checkFailures}, tick ${(run.tickMs / 1000).toFixed(1)} s`,
    ].join(' '),
  );
}
