import { cleanText } from '../text/sanitize.js';
import {
  buildTimeline,
  columnGroups,
  GROUP_LABEL,
  type RowModel,
  type TimelineGroup,
  type TimelineInput,
  type TimelineModel,
} from './timeline-model.js';
import { formatUptime, timelineTitle, windowWords } from './timeline-text.js';
import { axisTicks, formatLocal } from './zoned-time.js';

// The timeline picture as SVG, a pure function of the history: one row per port (and network),
// time left to right, a column's colour the worst class group seen in it, a black mark above the
// row for each incident, the share of time usable on the right. Sized for Slack's image preview on
// a phone: 1000 px wide with large type, so it still reads when shrunk to a third.

/**
 * Okabe–Ito colours, told apart with every common colour-vision deficiency; "no data" is a light
 * hatch, so it never reads as a state.
 */
export const TIMELINE_COLOURS: Record<Exclude<TimelineGroup, 'no-data'>, string> = {
  usable: '#009E73',
  degraded: '#F0E442',
  blocked: '#D55E00',
  'no-answer': '#CC79A7',
  'not-probed': '#999999',
  muted: '#56B4E9',
};
export const NO_DATA_COLOUR = '#EEEEEE';
export const INCIDENT_COLOUR = '#000000';

/** Where things are, in SVG units (1 unit = 1 PNG pixel). */
export const TIMELINE_LAYOUT = {
  width: 1000,
  pad: 24,
  barX: 216,
  barWidth: 640,
  /** Columns of the bar: 4 px each. */
  columns: 160,
  firstRowY: 116,
  rowPitch: 74,
  /** The incident mark, from the row's top. */
  markY: 2,
  markHeight: 8,
  /** The bar, from the row's top. */
  barY: 14,
  barHeight: 44,
} as const;

const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';
const INK = '#1A1A1A';
const MUTED_INK = '#555555';

/** Text for an SVG text node or attribute: cleaned of controls, XML-escaped. */
export function xmlText(text: string, maxChars = 200): string {
  return cleanText(text, maxChars)
    .replace(/[\n\t]/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const fillOf = (group: TimelineGroup): string =>
  group === 'no-data' ? 'url(#no-data)' : TIMELINE_COLOURS[group];

function xOf(model: TimelineModel, time: number): number {
  const { barX, barWidth } = TIMELINE_LAYOUT;
  return barX + ((time - model.from) / (model.to - model.from)) * barWidth;
}

const round = (n: number): string => String(Math.round(n * 10) / 10);

/** Adjacent columns of one colour become one rectangle: a steady month is one rect, not 160. */
function barRects(row: RowModel, model: TimelineModel, y: number): string[] {
  const { barX, barWidth, columns, barHeight } = TIMELINE_LAYOUT;
  const groups = columnGroups(row.spans, model.from, model.to, columns);
  const step = barWidth / columns;
  const rects: string[] = [];
  let start = 0;
  for (let column = 1; column <= groups.length; column += 1) {
    if (column < groups.length && groups[column] === groups[start]) continue;
    const group = groups[start] ?? 'no-data';
    rects.push(
      `<rect class="span" data-group="${group}" x="${barX + start * step}" y="${y}" width="${(column - start) * step}" height="${barHeight}" fill="${fillOf(group)}"/>`,
    );
    start = column;
  }
  return rects;
}

function incidentMarks(row: RowModel, model: TimelineModel, y: number): string[] {
  const { markHeight } = TIMELINE_LAYOUT;
  return row.incidents.map((incident) => {
    const start = xOf(model, Math.max(incident.start, model.from));
    const end = xOf(model, Math.min(incident.end ?? model.to, model.to));
    // Short enough to vanish in a month: still a visible mark.
    const width = Math.max(4, end - start);
    const x = Math.min(start, TIMELINE_LAYOUT.barX + TIMELINE_LAYOUT.barWidth - width);
    const when = `${formatLocal(incident.start, model.timeZone)} – ${incident.end === null ? 'now' : formatLocal(incident.end, model.timeZone)}`;
    return `<rect class="incident" data-start="${new Date(incident.start).toISOString()}" x="${round(x)}" y="${y}" width="${round(width)}" height="${markHeight}" fill="${INCIDENT_COLOUR}"><title>${xmlText(`incident on ${row.label}: ${when}`)}</title></rect>`;
  });
}

/** The port, and under it the network when it is not the bot's own (cut to fit the label column). */
function rowLabelSvg(row: RowModel, middle: number): string[] {
  const { pad } = TIMELINE_LAYOUT;
  const port = (y: number) =>
    `<text class="label" x="${pad}" y="${y}" font-size="28" font-weight="bold" fill="${INK}">${row.port}</text>`;
  if (row.vantage === null) return [port(middle)];
  const vantage = row.vantage.length > 14 ? `${row.vantage.slice(0, 13)}…` : row.vantage;
  return [
    port(middle - 10),
    `<text class="vantage" x="${pad}" y="${middle + 16}" font-size="20" fill="${MUTED_INK}">${xmlText(vantage, 40)}</text>`,
  ];
}

function rowSvg(row: RowModel, model: TimelineModel, index: number): string {
  const { firstRowY, rowPitch, barY, barHeight, markY, pad, width, barX, barWidth } = TIMELINE_LAYOUT;
  const top = firstRowY + index * rowPitch;
  const middle = top + barY + barHeight / 2 + 9;
  return [
    `<g class="row" data-port="${row.port}"${row.vantage === null ? '' : ` data-vantage="${xmlText(row.vantage, 40)}"`}>`,
    `<title>${xmlText(row.label, 60)}</title>`,
    ...rowLabelSvg(row, middle),
    ...barRects(row, model, top + barY),
    `<rect x="${barX}" y="${top + barY}" width="${barWidth}" height="${barHeight}" fill="none" stroke="#BBBBBB" stroke-width="1"/>`,
    ...incidentMarks(row, model, top + markY),
    `<text class="uptime" x="${width - pad}" y="${middle}" font-size="26" text-anchor="end" fill="${INK}">${formatUptime(row.uptime)}</text>`,
    '</g>',
  ].join('');
}

/** Legend entries in rows that fit the width (text width estimated from the font size). */
function legend(top: number): { svg: string; bottom: number } {
  const { pad, width } = TIMELINE_LAYOUT;
  const size = 22;
  const entries: Array<{ label: string; swatch: string }> = (
    ['usable', 'degraded', 'blocked', 'no-answer', 'not-probed', 'muted', 'no-data'] as const
  ).map((group) => ({
    label: GROUP_LABEL[group],
    swatch: `<rect x="0" y="-18" width="22" height="22" fill="${fillOf(group)}" stroke="#BBBBBB"/>`,
  }));
  entries.push({
    label: 'incident',
    swatch: `<rect x="0" y="-11" width="22" height="8" fill="${INCIDENT_COLOUR}"/>`,
  });
  const parts: string[] = [];
  let x = pad;
  let y = top + size;
  for (const entry of entries) {
    const entryWidth = 22 + 8 + entry.label.length * size * 0.6 + 26;
    if (x + entryWidth > width - pad && x > pad) {
      x = pad;
      y += size + 14;
    }
    parts.push(
      `<g class="legend" transform="translate(${Math.round(x)} ${y})">${entry.swatch}<text x="30" y="0" font-size="${size}" fill="${INK}">${xmlText(entry.label)}</text></g>`,
    );
    x += entryWidth;
  }
  return { svg: parts.join(''), bottom: y + 14 };
}

/** The picture of a model already built (the message text reads the same model). */
export function timelineModelSvg(model: TimelineModel): string {
  const { width, pad, firstRowY, rowPitch, barX, barWidth } = TIMELINE_LAYOUT;
  const rowsBottom = firstRowY + Math.max(1, model.rows.length) * rowPitch;
  const ticks = axisTicks(model.from, model.to, model.timeZone);
  const axisY = rowsBottom + 4;
  const axis = ticks.map((tick) => {
    const x = round(xOf(model, tick.time));
    return `<line x1="${x}" y1="${axisY - 6}" x2="${x}" y2="${axisY + 4}" stroke="${MUTED_INK}" stroke-width="2"/><text class="tick" x="${x}" y="${axisY + 28}" font-size="20" text-anchor="middle" fill="${MUTED_INK}">${xmlText(tick.label)}</text>`;
  });
  const key = legend(axisY + 52);
  const height = key.bottom + pad;
  const title = timelineTitle(model);
  const subtitle = `${windowWords(model)} · times in ${model.timeZone} · % = share of time usable`;
  const rows =
    model.rows.length > 0
      ? model.rows.map((row, index) => rowSvg(row, model, index))
      : [`<text x="${pad}" y="${firstRowY + 40}" font-size="26" fill="${INK}">No ports are watched.</text>`];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="${FONT}" shape-rendering="crispEdges">`,
    `<title>${xmlText(title, 300)}</title>`,
    '<defs><pattern id="no-data" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
    `<rect width="8" height="8" fill="${NO_DATA_COLOUR}"/><rect width="2" height="8" fill="#D0D0D0"/></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="#FFFFFF"/>`,
    `<text x="${pad}" y="46" font-size="32" font-weight="bold" fill="${INK}">${xmlText(title, 80)}</text>`,
    `<text x="${pad}" y="84" font-size="22" fill="${MUTED_INK}">${xmlText(subtitle, 120)}</text>`,
    ...rows,
    `<line x1="${barX}" y1="${axisY}" x2="${barX + barWidth}" y2="${axisY}" stroke="${MUTED_INK}" stroke-width="2"/>`,
    ...axis,
    key.svg,
    '</svg>',
  ].join('\n');
}

/** The timeline picture of a host's history, as SVG text. */
export function renderTimelineSvg(input: TimelineInput): string {
  return timelineModelSvg(buildTimeline(input));
}
