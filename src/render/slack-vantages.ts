import { assertNever } from '../util/assert-never.js';
import { compareSeverity, formatMs } from '../diagnose/index.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { VantageComparison, VantageFinding, VantageOutcome } from '../diagnose/vantage-types.js';
import type { PortClass } from '../probe/types.js';
import { escapeMrkdwn, slackCode, slackText } from '../text/sanitize.js';
import { type Block, context, section, type SlackMessage } from './slack-blocks.js';
import {
  classIcon,
  formatTime,
  PENDING_ICON,
  portIcon,
  severityIcon,
  userMention,
  verdictIcon,
} from './slack-format.js';
import { fitMessage, packLines, SLACK_LIMITS } from './slack-limits.js';
import { renderPortDetails } from './slack-port-details.js';
import { type MatrixRow, matrixPorts, matrixTables, type SilentKind, silentWords } from './vantage-matrix.js';
import { plural } from '../text/plural.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

// A check from several networks ("vantages") in Slack: one channel message holding the ports ×
// vantages matrix (live, then final), one thread reply per vantage with its evidence, and one with
// what the comparison found. A vantage that gave no verdict says why in words, never with a port
// icon: "no answer" must not read as "blocked".

/** A port one vantage has finished: enough for its icon while the check runs. */
export interface VantagePortMark {
  port: number;
  class: PortClass;
  /** Known once the port is diagnosed; before that the icon follows the class alone. */
  usable?: boolean;
}

/** Where one vantage stands in a running check. */
export type VantageCell =
  /** Asked, nothing back yet. */
  | { kind: 'pending' }
  /** The ports it has finished so far (all of them once it is done). */
  | { kind: 'ports'; done: readonly VantagePortMark[] }
  /** Done without a verdict. */
  | { kind: SilentKind };

export interface VantageProgressState {
  target: string;
  /** The requester's Slack user id. */
  userId: string;
  /** The vantages asked, in display order. */
  vantages: readonly string[];
  /** The ports being probed, in display order; null until the plan is known. */
  ports: readonly number[] | null;
  /** Per vantage name; a vantage without an entry is pending. */
  cells: Readonly<Record<string, VantageCell>>;
}

export interface VantageResultOptions {
  /** The requester's Slack user id. */
  userId: string;
}

/** One entry of `/smtp-check vantages`. */
export interface VantageListEntry {
  name: string;
  /** The bot's own network. */
  local: boolean;
  /** Live workers. */
  workers: number;
  versions: string[];
  /** The last heartbeat (ISO 8601); null when none was ever seen. */
  lastSeen: string | null;
  live: boolean;
}

/**
 * A phone shows about this many monospace columns without wrapping; wider tables are split into
 * several, each repeating the vantage names.
 */
const MATRIX_COLUMNS = 44;
const NAME_COLUMNS = 12;
/** Rows beyond this are summarised in a line: their evidence is in the thread anyway. */
const MAX_ROWS = 20;
const MAX_TABLES = 4;
const TOP_FINDINGS = 3;
const MAX_ADVICE_FINDINGS = 20;
const MISSING = '—';

export const VANTAGE_LEGEND = `✅ usable · ⚠️ usable, something to fix · ❌ not usable · 🚫 not probed (target policy) · ${PENDING_ICON} pending · ${MISSING} not probed from there`;

/** Vantage names are validated, but every one still passes the sanitiser before it reaches mrkdwn. */
const vantageName = (name: string): string => `*${slackText(name, 40)}*`;

/** "12 s ago", "3 min ago", "5 h ago", "4 days ago"; a clock ahead of ours reads as "just now". */
export function formatAgo(iso: string, now: Date): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'at an unreadable time';
  const seconds = Math.round((now.getTime() - then) / 1_000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

const lastSeenPhrase = (lastSeen: string | null, now: Date): string =>
  lastSeen === null ? 'never seen' : `last seen ${formatAgo(lastSeen, now)}`;

/** A finished port while the check runs: 🚫 not probed, ❌ known unusable, else its class's icon. */
function markIcon(mark: VantagePortMark): string {
  if (mark.class === 'denied-by-policy') return '🚫';
  if (mark.usable === false) return '❌';
  return classIcon(mark.class);
}

function progressRow(vantage: string, cell: VantageCell, ports: readonly number[]): MatrixRow {
  switch (cell.kind) {
    case 'pending':
      return ports.length === 0
        ? { vantage, silent: `${PENDING_ICON} waiting` }
        : { vantage, marks: new Map(ports.map((port) => [port, PENDING_ICON])) };
    case 'ports': {
      const marks = new Map<number, string>(ports.map((port) => [port, PENDING_ICON]));
      for (const mark of cell.done) marks.set(mark.port, markIcon(mark));
      return { vantage, marks };
    }
    case 'no-answer':
    case 'no-worker':
    case 'refused':
    case 'failed':
      return { vantage, silent: silentWords(cell.kind) };
    default:
      return assertNever(cell);
  }
}

function outcomeRow(outcome: VantageOutcome): MatrixRow {
  if (outcome.kind !== 'answered') return { vantage: outcome.vantage, silent: silentWords(outcome.kind) };
  const marks = new Map(outcome.diagnosis.ports.map((port) => [port.port, portIcon(port)]));
  return { vantage: outcome.vantage, marks };
}

/** The matrix as code-block sections; rows beyond MAX_ROWS and tables beyond MAX_TABLES are counted, not shown. */
function matrixBlocks(rows: readonly MatrixRow[], planned: readonly number[]): Block[] {
  const shown = rows.slice(0, MAX_ROWS);
  const tables = matrixTables(shown, matrixPorts(planned, shown), {
    maxColumns: MATRIX_COLUMNS,
    nameColumns: NAME_COLUMNS,
    missing: MISSING,
  });
  const blocks: Block[] = tables
    .slice(0, MAX_TABLES)
    .map((lines) => section(`\`\`\`\n${lines.map(escapeMrkdwn).join('\n')}\n\`\`\``));
  const notes: string[] = [];
  if (rows.length > shown.length)
    notes.push(`${plural(rows.length - shown.length, 'more vantage')} not shown`);
  if (tables.length > MAX_TABLES)
    notes.push(`${plural(tables.length - MAX_TABLES, 'more table')} of ports not shown`);
  if (notes.length > 0) blocks.push(context(`…truncated: ${notes.join(', ')}; the thread has every vantage`));
  return blocks;
}

function cellOf(state: VantageProgressState, vantage: string): VantageCell {
  return Object.hasOwn(state.cells, vantage)
    ? (state.cells[vantage] ?? { kind: 'pending' })
    : { kind: 'pending' };
}

/** Done: silent, or every planned port finished. */
function cellDone(cell: VantageCell, ports: readonly number[] | null): boolean {
  if (cell.kind === 'pending') return false;
  if (cell.kind !== 'ports') return true;
  return ports?.every((port) => cell.done.some((mark) => mark.port === port)) ?? false;
}

/** The one channel message of a multi-vantage check while it runs; it fills in as vantages answer. */
export function renderVantageProgress(state: VantageProgressState): SlackMessage {
  const ports = state.ports ?? [];
  const rows = state.vantages.map((vantage) => progressRow(vantage, cellOf(state, vantage), ports));
  const done = state.vantages.filter((vantage) => cellDone(cellOf(state, vantage), state.ports)).length;
  const headline = `Checking ${slackCode(state.target, 260)} from ${plural(state.vantages.length, 'vantage')} for ${userMention(state.userId)}`;
  const status =
    state.ports === null
      ? 'Resolving the host and planning the ports…'
      : `${done} of ${plural(state.vantages.length, 'vantage')} done · evidence follows in the thread`;
  const blocks: Block[] = [section(headline), ...matrixBlocks(rows, ports), context(status, VANTAGE_LEGEND)];
  return fitMessage({ text: `${headline} — ${status}`, blocks });
}

function findingPlace(finding: VantageFinding): string {
  const names = finding.vantages.slice(0, 6).map(vantageName).join(', ');
  const more = finding.vantages.length > 6 ? ` +${finding.vantages.length - 6}` : '';
  const where = finding.port === null ? '' : `port ${finding.port} · `;
  return `${where}${names}${more}`;
}

const bySeverity = (findings: readonly VantageFinding[]): VantageFinding[] =>
  [...findings].sort((a, b) => compareSeverity(a.severity, b.severity) || (a.port ?? 0) - (b.port ?? 0));

/** ✅ when the vantages agree; otherwise the worst finding's severity. */
function comparisonIcon(comparison: VantageComparison): string {
  const worst = bySeverity(comparison.findings)[0];
  return worst ? severityIcon(worst.severity) : '✅';
}

/** The channel message once every vantage is final: matrix, comparison, the findings that matter most. */
export function renderVantageResult(
  target: string,
  outcomes: readonly VantageOutcome[],
  comparison: VantageComparison,
  options: VantageResultOptions,
): SlackMessage {
  const summary = slackText(comparison.summary, 600);
  const heading = `*${slackCode(target, 260)}* checked from ${plural(outcomes.length, 'vantage')} for ${userMention(options.userId)}\n${comparisonIcon(comparison)} ${summary}`;
  const blocks: Block[] = [section(heading), ...matrixBlocks(outcomes.map(outcomeRow), [])];
  const top = bySeverity(comparison.findings).slice(0, TOP_FINDINGS);
  if (top.length > 0) {
    const lines = top.map(
      (finding) =>
        `${severityIcon(finding.severity)} ${findingPlace(finding)} — ${slackText(finding.summary, 600)}`,
    );
    const more = comparison.findings.length - top.length;
    if (more > 0) lines.push(`_${plural(more, 'more finding')} in the thread_`);
    blocks.push(...packLines(lines).map(section));
  }
  blocks.push(context(VANTAGE_LEGEND, 'evidence per vantage and advice in the thread'));
  const names = outcomes.map((outcome) => slackText(outcome.vantage, 40)).join(', ');
  return fitMessage({ text: `smtp-check ${slackCode(target, 260)} from ${names}: ${summary}`, blocks });
}

/** Quoted text ends the sentence itself, so its own full stop would double. */
const withoutStop = (text: string): string => text.replace(/[.\s]+$/, '');

const workerCommand = (vantage: string): string => slackCode(`smtp-check worker --vantage ${vantage}`, 80);

/** One sentence saying why a vantage has no verdict, and what to do about it. */
function silentExplanation(
  outcome: Exclude<VantageOutcome, { kind: 'answered' }>,
  now: Date,
): { sentence: string; todo: string } {
  const name = vantageName(outcome.vantage);
  const start = `Start ${workerCommand(outcome.vantage)} in that network, with the same \`DATABASE_URL\` as the bot; \`${SLASH_COMMAND} vantages\` shows when it is live.`;
  switch (outcome.kind) {
    case 'no-answer': {
      const why = outcome.taken ? 'its worker took the check and did not finish' : 'no worker took the check';
      return {
        sentence: `No answer from ${name} within ${formatMs(outcome.deadlineMs)} (${lastSeenPhrase(outcome.lastSeen, now)}): ${why}.`,
        todo: outcome.taken
          ? `Look at that worker’s log: it may be stuck or have stopped. Restart it there with ${workerCommand(outcome.vantage)}.`
          : start,
      };
    }
    case 'no-worker':
      return {
        sentence: `No worker is live for ${name} (${lastSeenPhrase(outcome.lastSeen, now)}), so it was not asked.`,
        todo: start,
      };
    case 'refused':
      return {
        sentence: `${name} refused to probe this target: ${slackText(withoutStop(outcome.reason), 600)}.`,
        todo: 'Its worker’s `ALLOW_TARGETS` leaves this target out. If that network should be able to probe it, widen `ALLOW_TARGETS` on that worker and restart it.',
      };
    case 'failed':
      return {
        sentence: `${name}’s worker took the check and failed before it had any facts: ${slackCode(outcome.error, 600)}.`,
        todo: 'Look at that worker’s log in its network, then run the check again.',
      };
    default:
      return assertNever(outcome);
  }
}

/** Blocks a port's reply may use here so that every port of the vantage fits one message. */
function portBudget(portCount: number): number {
  return Math.max(2, Math.floor((SLACK_LIMITS.blocks - 1) / Math.max(1, portCount)));
}

function answeredEvidence(vantage: string, diagnosis: HostDiagnosis): SlackMessage {
  const verdict = `${verdictIcon(diagnosis.verdict.status)} ${slackText(diagnosis.verdict.summary, 600)}`;
  const heading = `*Evidence from ${vantageName(vantage)}* · ${slackCode(diagnosis.host, 260)} · checked ${formatTime(diagnosis.checkedAt)} in ${formatMs(diagnosis.durationMs)}\n${verdict}`;
  const blocks: Block[] = [section(heading)];
  const budget = portBudget(diagnosis.ports.length);
  for (const port of diagnosis.ports) {
    const details = renderPortDetails(port).blocks;
    if (details.length <= budget) {
      blocks.push(...details);
      continue;
    }
    blocks.push(
      ...details.slice(0, budget - 1),
      context(
        `…truncated: ${details.length - budget + 1} more parts for port ${port.port} in the JSON output`,
      ),
    );
  }
  if (diagnosis.ports.length === 0) blocks.push(section('_No port was probed._'));
  return fitMessage({
    text: `Evidence from ${slackText(vantage, 40)}: ${slackText(diagnosis.verdict.summary, 600)}`,
    blocks,
  });
}

/**
 * The thread reply for one vantage: its per-port evidence, or why it has none and what to do.
 * `now` is only for "last seen 3 min ago".
 */
export function renderVantageEvidence(outcome: VantageOutcome, now: Date = new Date()): SlackMessage {
  if (outcome.kind === 'answered') return answeredEvidence(outcome.vantage, outcome.diagnosis);
  const { sentence, todo } = silentExplanation(outcome, now);
  return fitMessage({ text: sentence, blocks: [section(sentence), section(`*What to do*\n${todo}`)] });
}

function adviceSection(finding: VantageFinding): Block {
  const head = `${severityIcon(finding.severity)} ${slackCode(finding.id, 40)} · ${findingPlace(finding)} — ${slackText(finding.summary, 600)}`;
  const steps = finding.advice.slice(0, 5).map((step) => `• ${slackText(step, 400)}`);
  return section([head, ...steps].join('\n'));
}

/** The thread reply with what comparing the vantages found, and what to do about each finding. */
export function renderVantageAdvice(comparison: VantageComparison): SlackMessage {
  const summary = slackText(comparison.summary, 600);
  const blocks: Block[] = [section(`*What the vantages say*\n${summary}`)];
  const findings = bySeverity(comparison.findings);
  for (const finding of findings.slice(0, MAX_ADVICE_FINDINGS)) blocks.push(adviceSection(finding));
  if (findings.length > MAX_ADVICE_FINDINGS) {
    blocks.push(
      context(`…truncated: ${findings.length - MAX_ADVICE_FINDINGS} more findings in the JSON output`),
    );
  }
  if (findings.length === 0) {
    blocks.push(section('Every vantage saw the same: no network blocks or changes what the others see.'));
  }
  return fitMessage({ text: `Compared from every vantage: ${summary}`, blocks });
}

const HOW_TO_ADD =
  'To add a vantage, run `smtp-check worker --vantage NAME` in that network with the bot’s `DATABASE_URL`. Without `DATABASE_URL` there is only the bot’s own vantage.';

function listLine(entry: VantageListEntry, now: Date): string {
  const parts: string[] = [];
  if (entry.local) parts.push('this bot’s own network');
  parts.push(entry.live ? 'live' : 'not live');
  if (!entry.local || entry.workers > 0)
    parts.push(entry.workers > 0 ? plural(entry.workers, 'worker') : 'no live worker');
  if (entry.versions.length > 0) {
    const label = entry.versions.length === 1 ? 'version' : 'versions';
    parts.push(
      `${label} ${entry.versions
        .slice(0, 4)
        .map((version) => slackCode(version, 40))
        .join(', ')}`,
    );
  }
  if (entry.lastSeen !== null) parts.push(`last heartbeat ${formatAgo(entry.lastSeen, now)}`);
  else if (!entry.local) parts.push('no heartbeat yet');
  const icon = entry.local ? '🏠' : entry.live ? '🟢' : '⚪';
  return `${icon} ${vantageName(entry.name)} — ${parts.join(' · ')}`;
}

/** The bot's own first, then live before not, then by name. */
function listOrder(a: VantageListEntry, b: VantageListEntry): number {
  return Number(b.local) - Number(a.local) || Number(b.live) - Number(a.live) || a.name.localeCompare(b.name);
}

/** The answer to `/smtp-check vantages`: every vantage, whether it is live, and how to add one. */
export function renderVantageList(vantages: readonly VantageListEntry[], now: Date): SlackMessage {
  if (vantages.length === 0) {
    const text = `No vantage is known yet. ${HOW_TO_ADD}`;
    return fitMessage({ text, blocks: [section(text)] });
  }
  const live = vantages.filter((entry) => entry.live).length;
  const heading = `*${plural(vantages.length, 'vantage')}*, ${live} live`;
  const lines = [...vantages].sort(listOrder).map((entry) => listLine(entry, now));
  const blocks: Block[] = [...packLines([heading, ...lines]).map(section), context(HOW_TO_ADD)];
  return fitMessage({ text: [heading, ...lines].join('\n'), blocks });
}
