// One replica of bench/fleet-tick-bench.ts, in a process of its own: reads its settings (a JSON
// file), says "ready", then runs one tick per slot read from standard input and answers each with
// one JSON line. Ends with its input.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { benchReplica, type ReplicaSettings } from './fleet-tick-bench.js';

const settings = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ReplicaSettings;
const replica = benchReplica(settings);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const result = await replica.tick(new Date(line.trim()));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
await replica.close();
