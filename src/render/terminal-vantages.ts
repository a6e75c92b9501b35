import { assertNever } from '../util/assert-never.js';
import { compareSeverity, formatMs } from '../diagnose/index.js';
import type { PortDiagnosis, Severity } from '../diagnose/types.js';
import type { VantageComparison, VantageFinding, VantageOutcome } from '../diagnose/vantage-types.js';
import { fitColumns, wrapColumns } from './display-width.js';
import { cleanText } from '../text/sanitize.js';
import type { TerminalStyle } from './terminal.js';
import { type MatrixRow, matrixPorts, matrixTables, silentWords } from './vantage-matrix.js';

// The section `smtp-check host --from aws-eu,office` prints after the local report: the ports ×
// vantages matrix and what comparing the vantages found. Every line fits the terminal's width,
// and everything a server or a worker said passes cleanText first.

export interface VantagesTerminalOptions extends TerminalStyle {
  /** The terminal's columns (80 when unknown); no line is wider. */
  width: number;
}

type Mark = 'ok' | 'warn' | 'fail' | 'skip';

const MARK_COLOR: Record<Mark, string> = { ok: '32', warn: '33', fail: '31', skip: '2' };
const SEVERITY_COLOR: Record<Severity, string> = { critical: '31', warning: '33', info: '36' };
/** ok and fail say themselves; the legend explains the rest in one line of an 80-column terminal. */
const LEGEND = 'warn = usable, something to fix · skip = target policy · - = not probed there';
const NAME_COLUMNS = 16;
const INDENT = '  ';
const ADVICE_INDENT = '           ';

function paint(style: TerminalStyle, code: string, text: string): string {
  return style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** The same reading as the Slack icons, in words a terminal shows in any font. */
function markOf(port: PortDiagnosis): Mark {
  if (port.class === 'denied-by-policy') return 'skip';
  if (!port.usable) return 'fail';
  return port.findings.some((finding) => finding.severity !== 'info') ? 'warn' : 'ok';
}

function rowOf(outcome: VantageOutcome, style: TerminalStyle): MatrixRow {
  if (outcome.kind !== 'answered') return { vantage: outcome.vantage, silent: silentWords(outcome.kind) };
  const marks = new Map(
    outcome.diagnosis.ports.map((port) => {
      const mark = markOf(port);
      return [port.port, paint(style, MARK_COLOR[mark], mark)];
    }),
  );
  return { vantage: outcome.vantage, marks };
}

/** Why a silent vantage has no verdict, and what to do, in one sentence. */
function silentLine(outcome: Exclude<VantageOutcome, { kind: 'answered' }>): string {
  const name = cleanText(outcome.vantage, 40);
  const seen = (lastSeen: string | null): string =>
    lastSeen === null ? 'never seen' : `last seen ${cleanText(lastSeen, 40)}`;
  const start = `start \`smtp-check worker --vantage ${name}\` in that network with the bot's DATABASE_URL`;
  switch (outcome.kind) {
    case 'no-answer':
      return outcome.taken
        ? `${name}: no answer within ${formatMs(outcome.deadlineMs)} (${seen(outcome.lastSeen)}): its worker took the check and did not finish; look at that worker's log`
        : `${name}: no answer within ${formatMs(outcome.deadlineMs)} (${seen(outcome.lastSeen)}): no worker took the check; ${start}`;
    case 'no-worker':
      return `${name}: no live worker (${seen(outcome.lastSeen)}), so it was not asked; ${start}`;
    case 'refused':
      return `${name}: its worker's ALLOW_TARGETS refused the target: ${cleanText(outcome.reason, 400)}`;
    case 'failed':
      return `${name}: its worker failed before it had any facts: ${cleanText(outcome.error, 400)}`;
    default:
      return assertNever(outcome);
  }
}

function findingLines(finding: VantageFinding, style: TerminalStyle, width: number): string[] {
  const label = paint(style, SEVERITY_COLOR[finding.severity], finding.severity.toUpperCase().padEnd(8));
  const where = finding.port === null ? '' : `${finding.port} `;
  const names = cleanText(finding.vantages.join(', '), 200);
  const head = `${INDENT}${label} ${where}${finding.id}: ${cleanText(finding.summary, 400)} [${names}]`;
  const lines = wrapColumns(head, width, ADVICE_INDENT);
  for (const step of finding.advice) {
    lines.push(...wrapColumns(`${ADVICE_INDENT}→ ${cleanText(step, 400)}`, width, `${ADVICE_INDENT}  `));
  }
  return lines;
}

/** The vantages section of the terminal report; starts with a blank line, ends with a newline. */
export function renderVantagesTerminal(
  outcomes: readonly VantageOutcome[],
  comparison: VantageComparison,
  options: VantagesTerminalOptions,
): string {
  const width = Math.max(20, options.width);
  const rows = outcomes.map((outcome) => rowOf(outcome, options));
  const out: string[] = ['', paint(options, '1', 'Vantages')];
  out.push(...wrapColumns(`${INDENT}${cleanText(comparison.summary, 600)}`, width, INDENT));
  const tables = matrixTables(rows, matrixPorts([], rows), {
    maxColumns: width - INDENT.length,
    nameColumns: NAME_COLUMNS,
    missing: '-',
  });
  for (const table of tables) out.push('', ...table.map((line) => `${INDENT}${line}`));
  out.push(...wrapColumns(`${INDENT}${LEGEND}`, width, INDENT));
  const silent = outcomes.filter((outcome) => outcome.kind !== 'answered');
  if (silent.length > 0) out.push('');
  for (const outcome of silent)
    out.push(...wrapColumns(`${INDENT}${silentLine(outcome)}`, width, `${INDENT}  `));

  const findings = [...comparison.findings].sort(
    (a, b) => compareSeverity(a.severity, b.severity) || (a.port ?? 0) - (b.port ?? 0),
  );
  out.push('', paint(options, '1', 'Compared'));
  if (findings.length === 0) out.push(`${INDENT}Every vantage saw the same.`);
  for (const finding of findings) out.push(...findingLines(finding, options, width));
  // Wrapped lines fit already; a table narrower terminals cannot hold is cut rather than wrapped.
  return `${out.map((line) => (line.includes('\u001b') ? line : fitColumns(line, width))).join('\n')}\n`;
}
