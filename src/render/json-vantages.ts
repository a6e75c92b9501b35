import { assertNever } from '../util/assert-never.js';
import type { VantageComparison, VantageOutcome } from '../diagnose/vantage-types.js';
import { finding, port } from './json.js';

// What `smtp-check host --from …` adds to the `--json` output: `vantages` (what each network
// answered) and `comparison` (what comparing them found). Same contract as the rest: fields are
// added, never renamed or removed. An answered vantage's ports and findings have exactly the
// top-level shapes, so one parser reads both; a silent vantage has empty lists, never a verdict.

type PortJson = ReturnType<typeof port>;
type FindingJson = ReturnType<typeof finding>;

interface VantageJsonBase {
  name: string;
  /** When the vantage probed (ISO 8601); null when it did not. */
  checkedAt: string | null;
  ports: PortJson[];
  findings: FindingJson[];
}

export type VantageJson = VantageJsonBase &
  (
    | {
        status: 'answered';
        host: string;
        verdict: { status: string; summary: string; usablePorts: number[] };
      }
    | { status: 'no-answer'; lastSeen: string | null; deadlineMs: number; taken: boolean }
    | { status: 'no-worker'; lastSeen: string | null }
    | { status: 'refused'; reason: string }
    | { status: 'failed'; error: string }
  );

function vantageJson(outcome: VantageOutcome): VantageJson {
  const silent = { name: outcome.vantage, checkedAt: null, ports: [], findings: [] };
  switch (outcome.kind) {
    case 'answered': {
      const diagnosis = outcome.diagnosis;
      return {
        name: outcome.vantage,
        status: 'answered',
        checkedAt: diagnosis.checkedAt,
        host: diagnosis.host,
        verdict: diagnosis.verdict,
        ports: diagnosis.ports.map(port),
        findings: diagnosis.findings.map(finding),
      };
    }
    case 'no-answer':
      return {
        ...silent,
        status: 'no-answer',
        lastSeen: outcome.lastSeen,
        deadlineMs: outcome.deadlineMs,
        taken: outcome.taken,
      };
    case 'no-worker':
      return { ...silent, status: 'no-worker', lastSeen: outcome.lastSeen };
    case 'refused':
      return { ...silent, status: 'refused', reason: outcome.reason };
    case 'failed':
      return { ...silent, status: 'failed', error: outcome.error };
    default:
      return assertNever(outcome);
  }
}

/** The `vantages` array of the JSON output, one entry per vantage asked, in the order given. */
export function vantagesJson(outcomes: readonly VantageOutcome[]): VantageJson[] {
  return outcomes.map(vantageJson);
}

/** The `comparison` object of the JSON output. */
export function comparisonJson(comparison: VantageComparison) {
  return {
    summary: comparison.summary,
    findings: comparison.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      port: f.port,
      vantages: f.vantages,
      summary: f.summary,
      advice: f.advice,
    })),
  };
}
