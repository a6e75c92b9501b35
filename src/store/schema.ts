import { z } from 'zod';
import { VANTAGE_NAME_PATTERN } from '../diagnose/vantage-types.js';
import { PORT_CLASSES } from '../probe/types.js';
import type { HistorySample, Mute, PortAlertState, Watch } from '../watch-model/index.js';
import { ALERT_PHASES, CERT_BANDS } from '../watch-model/types.js';
import { domainWatchSchema } from './domain-schema.js';
import { incidentSchema, isoTime, nonEmpty } from './record-schemas.js';

export { incidentSchema };

// The one definition of what a watch store holds, checked when it is loaded: a record that does
// not fit is refused with where it is and what is wrong, instead of failing later when a message
// is drawn from it. The record schemas (object form) are what any store implementation keeps; the
// file schemas below them are the JSON data file's compact layout.

const portNumber = z.number().int().min(1).max(65_535);
const portClass = z.enum(PORT_CLASSES);
const alertPhase = z.enum(ALERT_PHASES);
const certBand = z.enum(CERT_BANDS);
const vantageName = z.string().regex(VANTAGE_NAME_PATTERN, 'a vantage name');

export const watchSchema = z.object({
  channel: nonEmpty,
  host: nonEmpty,
  ports: z.array(portNumber),
  addedBy: z.string(),
  addedAt: isoTime,
  vantages: z.array(vantageName).optional(),
}) satisfies z.ZodType<Watch>;

export const portAlertStateSchema = z.object({
  phase: alertPhase,
  streak: z.number().int().min(0),
  since: isoTime,
  pendingSince: isoTime.nullable(),
  class: portClass,
  usable: z.boolean(),
  checkedAt: isoTime,
  daysLeft: z.number().nullable(),
  alertable: z.boolean(),
  announcedOutage: isoTime.nullable(),
  announcedAt: isoTime.nullable(),
  certBand: certBand.nullable(),
}) satisfies z.ZodType<PortAlertState>;

export const muteSchema = z.object({
  channel: nonEmpty,
  host: nonEmpty,
  until: isoTime,
  by: z.string(),
}) satisfies z.ZodType<Mute>;

export const historySampleSchema = z.object({
  at: isoTime,
  class: portClass,
  usable: z.boolean(),
  muted: z.boolean().optional(),
}) satisfies z.ZodType<HistorySample>;

// The data file's layout. lowdb rewrites the whole file on every write, so records are compact:
// an alert state is a tuple with epoch-millisecond times (a third of the object form's size, which
// matters when 4 000 of them are rewritten each time), history a sample string and a change list.

const epochMs = z.number().int();
const flag = z.union([z.literal(0), z.literal(1)]);

/** Field names of the alert state tuple, by position: error messages name the field. */
export const STATE_TUPLE_FIELDS = [
  'phase',
  'streak',
  'since',
  'pendingSince',
  'class',
  'usable',
  'checkedAt',
  'daysLeft',
  'alertable',
  'announcedOutage',
  'announcedAt',
  'certBand',
] as const;

export const stateTupleSchema = z.tuple([
  alertPhase,
  z.number().int().min(0),
  epochMs,
  epochMs.nullable(),
  portClass,
  flag,
  epochMs,
  z.number().nullable(),
  flag,
  epochMs.nullable(),
  epochMs.nullable(),
  certBand.nullable(),
]);
export type StateTuple = z.infer<typeof stateTupleSchema>;

const statesByPort = z.record(z.string().regex(/^\d{1,5}$/, 'a port number'), stateTupleSchema);

export const watchEntrySchema = watchSchema.extend({
  /** By port: the watch's own states (host-wide for a watch from vantages). */
  alerts: statesByPort,
  /**
   * By vantage, then port: a watch from vantages only. Optional, so a file written before
   * vantages existed is read as it is: its watches are from the bot's own network.
   */
  vantageAlerts: z.record(vantageName, statesByPort).optional(),
  incident: incidentSchema.omit({ channel: true, host: true }).nullable(),
  mute: muteSchema.omit({ channel: true, host: true }).nullable(),
});
export type WatchEntry = z.infer<typeof watchEntrySchema>;

/** Field names of a history series tuple, by position. */
export const SERIES_FIELDS = ['samples', 'lastAt', 'changes'] as const;

/** [samples ('1'/'0', oldest first), last observation (epoch seconds), changes [epoch s, class, usable 1/0, muted 1?]]. */
export const seriesEntrySchema = z.tuple([
  z.string().regex(/^[01]*$/, "only '0' and '1'"),
  z.number().int(),
  // [epoch s, class, usable 1/0] and, from the change on which every watch of the host was muted
  // until the next change, a fourth element 1.
  z.array(z.tuple([z.number().int(), portClass, flag, z.literal(1).optional()])),
]);
export type SeriesEntry = z.infer<typeof seriesEntrySchema>;

export const SCHEMA_VERSION = 2;

export const storeDataSchema = z.object({
  version: z.literal(SCHEMA_VERSION),
  /** Keyed by `${channel}/${host}`. */
  watches: z.record(z.string(), watchEntrySchema),
  /** Keyed by `${host}:${port}`, or `${host}:${port}@${vantage}` for another vantage than the bot's. */
  history: z.record(z.string(), seriesEntrySchema),
  /**
   * Keyed by `${channel}/${domain}`. Optional, so a file written before domain watches is read as
   * it is, and a file without any keeps the layout it always had.
   */
  domainWatches: z.record(z.string(), domainWatchSchema).optional(),
});
export type StoreData = z.infer<typeof storeDataSchema>;

/** Version 1 (before alerts existed) kept a plain list of watches. */
export const storeDataV1Schema = z.object({
  version: z.literal(1),
  watches: z.array(
    z.object({
      channel: nonEmpty,
      host: nonEmpty,
      ports: z.array(portNumber),
      user: z.string(),
      createdAt: isoTime,
    }),
  ),
});

/** Where in the file an issue is, in words: `watch "C0/smtp.example.com", port 25, field "class"`. */
function place(path: readonly PropertyKey[]): string {
  const [section, key, ...rest] = path.map(String);
  const words: string[] = [];
  if (section === 'watches' && key !== undefined) {
    // Version 1 kept watches in a list: name the entry by its place in it.
    words.push(typeof path[1] === 'number' ? `watch ${path[1] + 1}` : `watch ${JSON.stringify(key)}`);
    const [field, port, position] = rest;
    if (field === 'alerts' && port !== undefined) {
      words.push(`alert state of port ${port}`);
      if (position !== undefined) {
        words.push(`field "${STATE_TUPLE_FIELDS[Number(position)] ?? position}"`);
      }
    } else if (field !== undefined) {
      words.push(`field "${rest.join('.')}"`);
    }
  } else if (section === 'domainWatches' && key !== undefined) {
    words.push(`domain watch ${JSON.stringify(key)}`);
    if (rest.length > 0) words.push(`field "${rest.join('.')}"`);
  } else if (section === 'history' && key !== undefined) {
    words.push(`history ${JSON.stringify(key)}`);
    const [position, change, part] = rest;
    if (position !== undefined) words.push(`field "${SERIES_FIELDS[Number(position)] ?? position}"`);
    if (change !== undefined) words.push(`change ${Number(change) + 1}`);
    if (part !== undefined) words.push(`item ${Number(part) + 1}`);
  } else if (section !== undefined) {
    words.push(`field "${path.map(String).join('.')}"`);
  } else {
    words.push('the top level');
  }
  return words.join(', ');
}

/** The first problem of a failed parse, for a person: where it is, what was found, what was expected. */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'it does not match the expected layout';
  const found =
    'input' in issue && issue.input !== undefined
      ? ` (found ${JSON.stringify(issue.input)?.slice(0, 60) ?? String(issue.input)})`
      : '';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return `${place(issue.path)} is invalid${found}: ${issue.message}${more}`;
}
