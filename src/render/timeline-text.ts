import { formatDuration } from './alerts.js';
import { cleanText, escapeMrkdwn, slackCode } from '../text/sanitize.js';
import { type SlackMessage, section } from './slack-blocks.js';
import { classLabel } from './slack-format.js';
import { fitMessage } from './slack-limits.js';
import type { RowModel, TimelineModel } from './timeline-model.js';
import { formatLocal } from './zoned-time.js';
import { plural } from '../text/plural.js';

// The timeline's facts in words: what the picture shows, for the message text (screen readers,
// notifications, the fallback when no picture can be posted), the image's alt text and the
// terminal. Read from the same model as the SVG.

/** "99.2%"; never rounds up to 100% while any time was not usable; "—" without data. */
export function formatUptime(uptime: number | null): string {
  if (uptime === null) return '—';
  if (uptime >= 1) return '100%';
  const tenths = Math.floor(uptime * 1_000) / 10;
  return `${tenths.toFixed(1)}%`;
}

export function timelineTitle(model: Pick<TimelineModel, 'host'>): string {
  return `History of ${cleanText(model.host, 120)}`;
}

/** "30 days to 2 Jun 14:02", "24 hours to 2 Jun 14:02". */
export function windowWords(model: Pick<TimelineModel, 'from' | 'to' | 'timeZone'>): string {
  const hours = Math.round((model.to - model.from) / 3_600_000);
  const span = hours >= 48 ? plural(Math.round(hours / 24), 'day') : plural(Math.max(1, hours), 'hour');
  return `${span} to ${formatLocal(model.to, model.timeZone)}`;
}

/** One row's facts in a sentence: uptime, incidents (the longest with its start), the state now. */
export function rowFacts(row: RowModel, model: TimelineModel): string {
  const zone = model.timeZone;
  if (row.uptime === null) return `${row.label}: no data in this window`;
  const parts = [`${row.label}: usable ${formatUptime(row.uptime)} of the time`];
  const windowMs = model.to - model.from;
  if (row.knownMs < windowMs - 60_000) {
    const firstKnown = row.spans.find((span) => span.group !== 'no-data');
    if (firstKnown && firstKnown.start > model.from) {
      parts[0] += ` (data from ${formatLocal(firstKnown.start, zone)})`;
    } else {
      parts[0] += ` (data for ${formatDuration(row.knownMs)} of it)`;
    }
  }
  if (row.incidents.length === 0) parts.push('no incidents');
  else {
    const length = (start: number, end: number | null): number => (end ?? model.to) - start;
    const longest = [...row.incidents].sort((a, b) => length(b.start, b.end) - length(a.start, a.end))[0]!;
    const open = row.incidents.find((incident) => incident.end === null);
    const longestWords = `${row.incidents.length > 1 ? 'longest ' : ''}${formatDuration(length(longest.start, longest.end))} from ${formatLocal(longest.start, zone)}${longest.end === null ? ', still going' : ''}`;
    parts.push(`${plural(row.incidents.length, 'incident')} (${longestWords})`);
    if (open && open !== longest) parts.push(`one open since ${formatLocal(open.start, zone)}`);
  }
  parts.push(
    row.now === null
      ? 'no recent data'
      : `now ${row.now.usable ? 'usable' : 'not usable'}: ${classLabel(row.now.class)}`,
  );
  return parts.join(' · ');
}

/** Plain text, one line per row after a heading: the image's alt text and the terminal's report. */
export function timelineFacts(model: TimelineModel): string[] {
  return [
    `${timelineTitle(model)}, ${windowWords(model)} (${model.timeZone})`,
    ...model.rows.map((row) => rowFacts(row, model)),
  ];
}

/** Slack's alt text for an image: the facts, within its 1 000 characters. */
export function timelineAltText(model: TimelineModel): string {
  const text = `Timeline picture. ${timelineFacts(model).join('. ')}.`;
  return cleanText(text, 1_000);
}

/**
 * The message that goes with the picture (Slack mrkdwn): the same facts as the picture, so a
 * screen reader, a notification or a client that hides images loses nothing. `lead` comes first
 * when given (already mrkdwn).
 */
export function timelineComment(model: TimelineModel, lead?: string): string {
  const heading = `*History of ${slackCode(model.host, 260)}* — ${escapeMrkdwn(windowWords(model))}, times in ${escapeMrkdwn(model.timeZone)}`;
  const rows = model.rows.map((row) => `• ${escapeMrkdwn(rowFacts(row, model))}`);
  return [...(lead ? [lead] : []), heading, ...rows].join('\n');
}

/** The scope a picture needs in Slack; installs made before pictures existed lack it. */
export const PICTURE_SCOPE = 'files:write';

/**
 * Why the history comes as text: the app may not upload files (say which scope to add and where),
 * or Slack refused this one upload.
 */
export function pictureRefusedNote(code: string, scopeMissing: boolean): string {
  if (scopeMissing) {
    return `I couldn’t post the history picture: Slack answered ${slackCode(code, 60)}. The app needs the \`${PICTURE_SCOPE}\` bot scope — an admin adds it under *OAuth & Permissions → Bot Token Scopes* (manifest.yml lists it) and reinstalls the app. Here is the history as text.`;
  }
  return `I couldn’t post the history picture (Slack answered ${slackCode(code, 60)}); here is the history as text.`;
}

/** A text history with the note on top saying why there is no picture. */
export function withPictureNote(message: SlackMessage, note: string): SlackMessage {
  return fitMessage({ text: `${note}\n${message.text}`, blocks: [section(`⚠️ ${note}`), ...message.blocks] });
}
