import type { HostDiagnosis, Severity } from './types.js';

// What the bot knows after asking several networks ("vantages") to probe one host, and what the
// comparison of their answers concludes. Vantage names are chosen by whoever runs a worker
// ("office", "aws-eu", "customer-vpn"); the bot's own network is a vantage too (VANTAGE_NAME).

/** Lower-case letters, digits and inner hyphens, at most 32 characters: safe in a queue name and in chat. */
export const VANTAGE_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** What one vantage answered for one check. Only `answered` carries port verdicts. */
export type VantageOutcome =
  /** A worker (or the bot itself) probed the host; the diagnosis is the bot's, from the worker's facts. */
  | { vantage: string; kind: 'answered'; diagnosis: HostDiagnosis }
  /** The deadline passed without an answer. Never a port verdict. */
  | { vantage: string; kind: 'no-answer'; lastSeen: string | null; deadlineMs: number; taken: boolean }
  /** No live worker announced itself for this vantage: reported at once, without waiting. */
  | { vantage: string; kind: 'no-worker'; lastSeen: string | null }
  /** The worker's own target policy (its ALLOW_TARGETS) refused the target. */
  | { vantage: string; kind: 'refused'; reason: string }
  /** The worker took the job and failed without facts (its message, already made safe). */
  | { vantage: string; kind: 'failed'; error: string };

export const VANTAGE_FINDING_IDS = [
  /** The port answers from some vantages and is blocked from others: those networks block it. */
  'vantage-blocks-port',
  /** Blocked from every vantage that answered (two or more): the server's side, not a network's. */
  'blocked-from-everywhere',
  /** One network intercepts or strips STARTTLS where the others see the server itself. */
  'vantage-intercepts',
  /** A vantage gave no verdict (no worker, deadline passed, refused, failed). */
  'vantage-silent',
] as const;
export type VantageFindingId = (typeof VANTAGE_FINDING_IDS)[number];

export interface VantageFinding {
  id: VantageFindingId;
  severity: Severity;
  /** The port it concerns; null for a finding about a vantage as a whole. */
  port: number | null;
  /** The vantages whose network must change (or that were silent). */
  vantages: string[];
  /** One sentence with the evidence, naming the vantages. */
  summary: string;
  /** What to do, naming the vantage whose network must change. */
  advice: string[];
}

/** The comparison of every vantage's answer for one host. */
export interface VantageComparison {
  /** One line for the top of the message ("25 blocked from aws-eu; open from office"). */
  summary: string;
  findings: VantageFinding[];
}
