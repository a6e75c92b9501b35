import type { VantageOutcome } from '../diagnose/vantage-types.js';
import { displayWidth, fitColumns } from './display-width.js';
import { cleanText } from '../text/sanitize.js';

// The ports × vantages matrix shared by Slack and the terminal: one row per vantage, one column
// per port. A row is either a mark per port or, for a vantage that gave no verdict, a few words
// across the port columns, so a silent vantage can never be read as a port verdict. Rows rather
// than columns per vantage: a port number is at most five characters, a vantage name up to 32,
// so putting names at the left keeps the table narrow enough for a phone.

/** What a vantage that gave no verdict did instead. */
export type SilentKind = Exclude<VantageOutcome['kind'], 'answered'>;

/** One vantage: a mark per port it has a result for, or the words that say why it has none. */
export type MatrixRow =
  | { vantage: string; marks: ReadonlyMap<number, string> }
  | { vantage: string; silent: string };

export interface MatrixLayout {
  /** No line is wider than this (in terminal columns). */
  maxColumns: number;
  /** Vantage names are cut to this many columns (with "…"). */
  nameColumns: number;
  /** Shown for a port this vantage has no mark for. */
  missing: string;
}

/** The words a silent vantage's row shows in place of port verdicts; a Record, so no kind is left out. */
const SILENT_WORDS: Record<SilentKind, string> = {
  'no-answer': 'no answer',
  'no-worker': 'no worker',
  refused: 'refused',
  failed: 'failed',
};

export const silentWords = (kind: SilentKind): string => SILENT_WORDS[kind];

/** Every port any row has a mark for, after the planned ones, in order of first appearance. */
export function matrixPorts(planned: readonly number[], rows: readonly MatrixRow[]): number[] {
  const order = [...planned];
  for (const row of rows) {
    if (!('marks' in row)) continue;
    for (const port of row.marks.keys()) if (!order.includes(port)) order.push(port);
  }
  return order;
}

const GAP = '  ';

const padColumns = (text: string, columns: number): string =>
  text + ' '.repeat(Math.max(0, columns - displayWidth(text)));

/** A vantage name as a table cell: cleaned (it is validated, but a cell must not carry controls), cut. */
function nameCell(vantage: string, columns: number): string {
  return padColumns(
    fitColumns(cleanText(vantage, 64).replace(/`/g, "'").replace(/\s/g, ' '), columns),
    columns,
  );
}

/** Splits the ports into groups whose tables each fit maxColumns; a port too wide still gets a group. */
function portGroups(ports: readonly number[], markWidth: (port: number) => number, room: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let used = 0;
  for (const port of ports) {
    const width = GAP.length + markWidth(port);
    if (current.length > 0 && used + width > room) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(port);
    used += width;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The matrix as plain-text tables (lines without markup), each at most layout.maxColumns wide.
 * When the ports do not fit one table, they are split over several, each repeating the names.
 * Vantage names are cleaned; marks and silent words are the caller's and must be safe already.
 */
export function matrixTables(
  rows: readonly MatrixRow[],
  ports: readonly number[],
  layout: MatrixLayout,
): string[][] {
  const nameColumns = Math.min(
    layout.nameColumns,
    Math.max(1, ...rows.map((row) => displayWidth(cleanText(row.vantage, 64)))),
  );
  const markWidths = new Map<number, number>();
  for (const port of ports) {
    const marks = rows.flatMap((row) => ('marks' in row ? [row.marks.get(port) ?? layout.missing] : []));
    markWidths.set(port, Math.max(String(port).length, ...marks.map(displayWidth)));
  }
  const widthOf = (port: number): number => markWidths.get(port) ?? String(port).length;
  const room = layout.maxColumns - nameColumns;
  const groups = ports.length > 0 ? portGroups(ports, widthOf, room) : [[]];
  return groups.map((group) => {
    const header =
      padColumns('', nameColumns) +
      group.map((port) => GAP + padColumns(String(port), widthOf(port))).join('');
    const lines = rows.map((row) => {
      const name = nameCell(row.vantage, nameColumns);
      if ('silent' in row) return name + GAP + fitColumns(row.silent, Math.max(1, room - GAP.length));
      const cells = group.map(
        (port) => GAP + padColumns(row.marks.get(port) ?? layout.missing, widthOf(port)),
      );
      return name + cells.join('');
    });
    return [header, ...lines].map((line) => line.trimEnd());
  });
}
