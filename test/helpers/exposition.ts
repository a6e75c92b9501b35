import { spawnSync } from 'node:child_process';
import { requireInfrastructure } from './postgres.js';

// Reading a Prometheus text exposition back in tests: a sample's value by name and labels, and
// the label sets a family has, as a scraper would see them.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function samples(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = LINE.exec(line);
    if (match === null) return [];
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key ?? ''] = value ?? '';
    return [{ name: match[1] ?? '', labels, value: Number(match[3]) }];
  });
}

/** The samples of one series name whose labels include `labels`. */
export function samplesOf(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  return samples(text).filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The one sample's value; undefined when there is none, an error when there are several. */
export function sampleValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samplesOf(text, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Null when promtool runs here; otherwise see requireInfrastructure() (CI fails, a laptop skips). */
export function requirePromtool(): string | null {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  const reason = probe.error
    ? `promtool is not installed (apt-get install prometheus): ${probe.error.message}`
    : null;
  return requireInfrastructure('promtool', reason);
}

/** What `promtool check metrics` says of an exposition: its exit code and output. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
