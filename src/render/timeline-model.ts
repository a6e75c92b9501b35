import { type ClassGroup, PORT_CLASS_TABLE } from '../diagnose/index.js';
import type { PortClass } from '../probe/types.js';
import type { HistorySample } from '../watch-model/types.js';

// What a timeline picture of a watched host shows, worked out from its history before anything is
// drawn: per row (one port seen from one network), spans of time in one class group, the share of
// time the port was usable, and its incidents. Pure; the SVG, the message text and the tests all
// read the same model, so the picture and the words cannot disagree.

/** One series: a port of the host, seen from one network. */
export interface TimelineRow {
  port: number;
  /** The network the probes ran from ("office", "aws-eu"); null for the bot's own. */
  vantage: string | null;
  /** Class changes, oldest first: each holds until the next one (the store's change list). */
  changes: readonly HistorySample[];
  /** The last observation; null when the series has none. */
  lastAt: string | null;
}

export interface TimelineInput {
  host: string;
  /** The window drawn, ISO times; `to` is usually now. */
  from: string;
  to: string;
  /** CHECK_TIMEZONE (an IANA name); times on the axis and in the text are in it. */
  timeZone: string;
  rows: readonly TimelineRow[];
  /**
   * How long after its last observation a series still counts as in its last state; later than
   * that the time is "no data" (the bot stopped re-testing it). Default STALE_AFTER_MS.
   */
  staleAfterMs?: number;
}

/**
 * What a stretch of time is drawn as: a class group, muted (every watch of the host was muted:
 * re-tested, announced to nobody), or no data (before the kept history, or stale).
 */
export type TimelineGroup = ClassGroup | 'muted' | 'no-data';

/** Drawing order of severity: a column shows the worst group seen in it. */
export const GROUP_SEVERITY: Record<TimelineGroup, number> = {
  'no-data': 0,
  usable: 1,
  muted: 2,
  'not-probed': 2,
  degraded: 3,
  'no-answer': 4,
  blocked: 5,
};

/** What each group is called in the legend and the text. */
export const GROUP_LABEL: Record<TimelineGroup, string> = {
  usable: 'usable',
  degraded: 'degraded',
  blocked: 'blocked',
  'no-answer': 'no answer',
  'not-probed': 'not probed',
  muted: 'muted',
  'no-data': 'no data',
};

/** A re-test every 15 minutes that missed a few ticks is still the same state; a day without one is not. */
export const STALE_AFTER_MS = 2 * 3_600_000;

export interface Span {
  start: number;
  end: number;
  group: TimelineGroup;
  /** Whether mail could go through (the probe's verdict); false for no data. */
  usable: boolean;
  class: PortClass | null;
}

/** A stretch of time a port that had worked was not usable. */
export interface TimelineIncident {
  start: number;
  /** Null while it lasts. */
  end: number | null;
  /** The class it started with. */
  class: PortClass;
}

export interface RowModel {
  port: number;
  vantage: string | null;
  /** "25", or "25 · aws-eu" for another network. */
  label: string;
  /** Consecutive, covering the window. */
  spans: Span[];
  /** Usable time over time with data, 0…1; null when the window has no data for this row. */
  uptime: number | null;
  /** Milliseconds of the window with data. */
  knownMs: number;
  /** Incidents overlapping the window, oldest first. */
  incidents: TimelineIncident[];
  /** The state at the end of the window; null when there is no data then. */
  now: { class: PortClass; usable: boolean } | null;
}

export interface TimelineModel {
  host: string;
  from: number;
  to: number;
  timeZone: string;
  rows: RowModel[];
}

export function groupOf(portClass: PortClass): ClassGroup {
  return PORT_CLASS_TABLE[portClass].group;
}

export function rowLabel(row: { port: number; vantage: string | null }): string {
  return row.vantage === null ? String(row.port) : `${row.port} · ${row.vantage}`;
}

/**
 * The row's time line from `from` to `to`: before the first kept change nothing is known (the
 * history was pruned, or the watch is younger), after the last observation the last state holds
 * for staleAfterMs.
 */
export function rowSpans(row: TimelineRow, from: number, to: number, staleAfterMs: number): Span[] {
  const spans: Span[] = [];
  const push = (start: number, end: number, sample: HistorySample | null): void => {
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (e <= s) return;
    const group: TimelineGroup =
      sample === null ? 'no-data' : sample.muted === true ? 'muted' : groupOf(sample.class);
    const last = spans.at(-1);
    if (last && last.group === group && last.class === (sample?.class ?? null) && last.end === s) {
      last.end = e;
      return;
    }
    spans.push({ start: s, end: e, group, usable: sample?.usable ?? false, class: sample?.class ?? null });
  };
  const changes = row.changes.map((change) => ({ ...change, time: Date.parse(change.at) }));
  const first = changes[0];
  const lastAt = row.lastAt === null ? null : Date.parse(row.lastAt);
  if (first === undefined || lastAt === null) {
    push(from, to, null);
    return spans;
  }
  push(from, first.time, null);
  const stateEnd = lastAt + staleAfterMs >= to ? to : lastAt;
  for (const [index, change] of changes.entries()) {
    const next = changes[index + 1];
    push(change.time, Math.min(next?.time ?? stateEnd, stateEnd), change);
  }
  push(stateEnd, to, null);
  return spans;
}

/**
 * Not-usable stretches that followed a usable one, as the alerts count them: a port that has never
 * worked has no incident. Worked out from the whole kept history, then cut to the window.
 */
export function rowIncidents(row: TimelineRow, from: number, to: number): TimelineIncident[] {
  const incidents: TimelineIncident[] = [];
  let workedBefore = false;
  let open: TimelineIncident | null = null;
  for (const change of row.changes) {
    const time = Date.parse(change.at);
    if (change.usable) {
      if (open !== null) {
        open.end = time;
        incidents.push(open);
        open = null;
      }
      workedBefore = true;
    } else if (open === null && workedBefore) {
      open = { start: time, end: null, class: change.class };
    }
  }
  if (open !== null) incidents.push(open);
  return incidents.filter((incident) => incident.start < to && (incident.end ?? to) > from);
}

export function buildRow(row: TimelineRow, from: number, to: number, staleAfterMs: number): RowModel {
  const spans = rowSpans(row, from, to, staleAfterMs);
  const known = spans.filter((span) => span.group !== 'no-data');
  const knownMs = known.reduce((sum, span) => sum + (span.end - span.start), 0);
  const usableMs = known
    .filter((span) => span.usable)
    .reduce((sum, span) => sum + (span.end - span.start), 0);
  const last = spans.at(-1);
  return {
    port: row.port,
    vantage: row.vantage,
    label: rowLabel(row),
    spans,
    uptime: knownMs > 0 ? usableMs / knownMs : null,
    knownMs,
    incidents: rowIncidents(row, from, to),
    now: last && last.class !== null ? { class: last.class, usable: last.usable } : null,
  };
}

export function buildTimeline(input: TimelineInput): TimelineModel {
  const from = Date.parse(input.from);
  const to = Math.max(from + 1, Date.parse(input.to));
  const stale = input.staleAfterMs ?? STALE_AFTER_MS;
  return {
    host: input.host,
    from,
    to,
    timeZone: input.timeZone,
    rows: input.rows.map((row) => buildRow(row, from, to, stale)),
  };
}

/**
 * The worst group in each of `count` equal columns of the window, so that a 15-minute outage in a
 * 30-day picture still shows as a column of its own instead of a sub-pixel sliver. A column with
 * any data never shows "no data".
 */
export function columnGroups(
  spans: readonly Span[],
  from: number,
  to: number,
  count: number,
): TimelineGroup[] {
  const columns: TimelineGroup[] = Array.from({ length: count }, () => 'no-data');
  const width = (to - from) / count;
  for (const span of spans) {
    if (span.group === 'no-data') continue;
    const first = Math.max(0, Math.floor((span.start - from) / width));
    // A span ending exactly on a column's edge does not reach into it.
    const last = Math.min(count - 1, Math.ceil((span.end - from) / width) - 1);
    for (let column = first; column <= last; column += 1) {
      const current = columns[column] ?? 'no-data';
      if (GROUP_SEVERITY[span.group] > GROUP_SEVERITY[current]) columns[column] = span.group;
    }
  }
  return columns;
}

/**
 * The window a history picture shows: the kept history (at most maxMs back from `to`), but never
 * less than minMs, so a young watch is not stretched over a few minutes.
 */
export function historyWindow(
  rows: readonly TimelineRow[],
  to: string,
  options: { maxMs: number; minMs: number },
): { from: string; to: string } {
  const end = Date.parse(to);
  const firsts = rows.flatMap((row) => (row.changes[0] ? [Date.parse(row.changes[0].at)] : []));
  const earliest = firsts.length > 0 ? Math.min(...firsts) : end;
  const start = Math.min(end - options.minMs, Math.max(end - options.maxMs, earliest));
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}
