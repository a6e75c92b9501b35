import type { HistorySample, HistorySeries, PortAlertState, PortAlertStates } from '../watch-model/index.js';
import {
  describeSchemaError,
  SCHEMA_VERSION,
  type StateTuple,
  type StoreData,
  storeDataSchema,
  storeDataV1Schema,
  type SeriesEntry,
  type WatchEntry,
} from './schema.js';
import type { HistoryLimits } from '../watch-model/watch-store.js';

// Converts between the domain's records and the data file's compact layout (src/store/schema.ts),
// and brings an older file up to the current layout.

export {
  SCHEMA_VERSION,
  type SeriesEntry,
  type StateTuple,
  type StoreData,
  type WatchEntry,
} from './schema.js';

const ms = (iso: string): number => Date.parse(iso);
const msOrNull = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
const iso = (time: number): string => new Date(time).toISOString();
const isoOrNull = (time: number | null): string | null => (time === null ? null : iso(time));

export function encodeState(s: PortAlertState): StateTuple {
  return [
    s.phase,
    s.streak,
    ms(s.since),
    msOrNull(s.pendingSince),
    s.class,
    s.usable ? 1 : 0,
    ms(s.checkedAt),
    s.daysLeft,
    s.alertable ? 1 : 0,
    msOrNull(s.announcedOutage),
    msOrNull(s.announcedAt),
    s.certBand,
  ];
}

export function encodeStates(states: PortAlertStates): Record<string, StateTuple> {
  const tuples: Record<string, StateTuple> = {};
  for (const [port, state] of Object.entries(states)) tuples[port] = encodeState(state);
  return tuples;
}

export function decodeStates(tuples: Record<string, StateTuple>): PortAlertStates {
  const states: PortAlertStates = {};
  for (const [port, tuple] of Object.entries(tuples)) states[Number(port)] = decodeState(tuple);
  return states;
}

export function decodeState(t: StateTuple): PortAlertState {
  return {
    phase: t[0],
    streak: t[1],
    since: iso(t[2]),
    pendingSince: isoOrNull(t[3]),
    class: t[4],
    usable: t[5] === 1,
    checkedAt: iso(t[6]),
    daysLeft: t[7],
    alertable: t[8] === 1,
    announcedOutage: isoOrNull(t[9]),
    announcedAt: isoOrNull(t[10]),
    certBand: t[11],
  };
}

export function emptyStoreData(): StoreData {
  return { version: SCHEMA_VERSION, watches: {}, history: {} };
}

export function watchKey(channel: string, host: string): string {
  return `${channel}/${host}`;
}

/** A vantage's series is keyed apart; the bot's own keeps the key it always had. */
export function seriesKey(host: string, port: number, vantage?: string): string {
  return vantage === undefined ? `${host}:${port}` : `${host}:${port}@${vantage}`;
}

/** How often, in observation time, series nobody updated for the history's age limit are deleted. */
export const PRUNE_EVERY_MS = 3_600_000;

/** Epoch second before which history drops a change, and a series last updated before it. */
export function historyHorizon(at: number, limits: HistoryLimits): number {
  return at - Math.floor(limits.maxAgeMs / 1000);
}

/**
 * The series after one more observation, within the limits. History keeps whole seconds. Always a
 * new array, the given one left as it was: the data file's writer (createStoreDataStringifier)
 * reuses the text of a series that is still the same array.
 */
export function appendToSeries(
  previous: SeriesEntry | undefined,
  sample: HistorySample,
  limits: HistoryLimits,
): SeriesEntry {
  const at = Math.floor(Date.parse(sample.at) / 1000);
  const oldest = historyHorizon(at, limits);
  const usable = sample.usable ? 1 : 0;
  const samples = `${previous?.[0] ?? ''}${usable}`.slice(-limits.maxSamples);
  const changes = [...(previous?.[2] ?? [])];
  const last = changes.at(-1);
  const muted = sample.muted === true;
  if (last === undefined || last[1] !== sample.class || last[2] !== usable || (last[3] === 1) !== muted) {
    changes.push(muted ? [at, sample.class, usable, 1] : [at, sample.class, usable]);
  }
  // The latest change always stays: it says since when the port is as it is. So does the last one
  // before the horizon: it says what the port was at the start of the kept history, which a
  // timeline would otherwise have to draw as unknown.
  const inForce = changes.findLastIndex((change) => change[0] < oldest);
  const kept = changes.filter(
    (change, i, all) => change[0] >= oldest || i === inForce || i === all.length - 1,
  );
  return [samples, at, kept.slice(-limits.maxChanges)];
}

export function toHistorySeries(
  host: string,
  port: number,
  series: SeriesEntry,
  vantage?: string,
): HistorySeries {
  return {
    host,
    port,
    ...(vantage === undefined ? {} : { vantage }),
    samples: series[0],
    lastAt: new Date(series[1] * 1000).toISOString(),
    changes: series[2].map(([at, cls, usable, muted]) => ({
      at: new Date(at * 1000).toISOString(),
      class: cls,
      usable: usable === 1,
      ...(muted === 1 ? { muted: true } : {}),
    })),
  };
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[n] turns version n into version n + 1. */
const MIGRATIONS: Record<number, Migration> = {
  1: (data) => {
    const v1 = storeDataV1Schema.parse(data);
    const watches: Record<string, WatchEntry> = {};
    for (const w of v1.watches) {
      watches[watchKey(w.channel, w.host)] = {
        channel: w.channel,
        host: w.host,
        ports: w.ports,
        addedBy: w.user,
        addedAt: w.createdAt,
        alerts: {},
        incident: null,
        mute: null,
      };
    }
    return { version: 2, watches, history: {} };
  },
};

/** Why the content cannot be used, or the data at the current version. */
export type LoadResult =
  | { ok: true; data: StoreData; migratedFrom: number | null }
  | { ok: false; reason: string };

/** Checks the layout and migrates older versions. Never guesses: anything unexpected is refused. */
export function loadStoreData(raw: unknown): LoadResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const held = Array.isArray(raw) ? 'a list' : (JSON.stringify(raw) ?? String(raw)).slice(0, 40);
    return {
      ok: false,
      reason: `the top level is not a JSON object: it holds ${held}, not smtp-check's watch data`,
    };
  }
  let data = raw as Record<string, unknown>;
  const version = data['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, reason: 'it has no valid "version" field' };
  }
  if (version > SCHEMA_VERSION) {
    return {
      ok: false,
      reason: `it was written by a newer smtp-check (schema version ${version}, this one reads up to ${SCHEMA_VERSION})`,
    };
  }
  if (version === 1) {
    const v1 = storeDataV1Schema.safeParse(data, { reportInput: true });
    if (!v1.success) return { ok: false, reason: `schema version 1: ${describeSchemaError(v1.error)}` };
  }
  for (let from = version; from < SCHEMA_VERSION; from += 1) {
    const migrate = MIGRATIONS[from];
    if (migrate === undefined) return { ok: false, reason: `no migration from schema version ${from}` };
    data = migrate(data);
  }
  const parsed = storeDataSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) return { ok: false, reason: describeSchemaError(parsed.error) };
  return {
    ok: true,
    data: parsed.data,
    migratedFrom: version === SCHEMA_VERSION ? null : version,
  };
}

/** Where a history series' text (`"key":[…]`) sits in the text last made, and what it held then. */
interface WrittenSeries {
  key: string;
  samples: string;
  at: number;
  changes: SeriesEntry[2];
  count: number;
  lastChange: SeriesEntry[2][number] | undefined;
  start: number;
  end: number;
}

/**
 * JSON.stringify(data), the same text, for a data file that is rewritten whole on every change.
 * Serialising the history is most of a write (4 000 series at 1 000 watches), while a write changes
 * one series or none: the store replaces a series on every append and never edits one in place, so
 * a series that is still the same array under the same key, holding the same samples, time and
 * change list (as long, and ending with the same change), is copied from the text made the last
 * time. Everything else (the watches, a new or
 * replaced series, a value of another shape) goes through JSON.stringify as before.
 */
export function createStoreDataStringifier(): (data: StoreData) => string {
  let last: { text: string; series: Map<SeriesEntry, WrittenSeries> } | null = null;

  return (data) => {
    const history: unknown = data.history;
    if (
      history === null ||
      typeof history !== 'object' ||
      Array.isArray(history) ||
      !Object.prototype.propertyIsEnumerable.call(data, 'history')
    ) {
      last = null;
      return JSON.stringify(data);
    }
    const written = new Map<SeriesEntry, WrittenSeries>();
    const texts: string[] = [];
    // Offsets within the history's text, then moved to the whole text's once it is known.
    const placed: WrittenSeries[] = [];
    let length = 1;
    for (const key of Object.keys(history)) {
      const value: unknown = (history as Record<string, unknown>)[key];
      let text: string | undefined;
      if (Array.isArray(value) && value.length === 3 && Array.isArray(value[2])) {
        const tuple = value as SeriesEntry;
        const [samples, at, changes] = tuple;
        const known = last?.series.get(tuple);
        text =
          known !== undefined &&
          known.key === key &&
          known.samples === samples &&
          known.at === at &&
          known.changes === changes &&
          known.count === changes.length &&
          known.lastChange === changes.at(-1)
            ? last?.text.slice(known.start, known.end)
            : `${JSON.stringify(key)}:${JSON.stringify(tuple)}`;
        if (text !== undefined) {
          const start = length + (texts.length > 0 ? 1 : 0);
          const end = start + text.length;
          const entry = {
            key,
            samples,
            at,
            changes,
            count: changes.length,
            lastChange: changes.at(-1),
            start,
            end,
          };
          written.set(tuple, entry);
          placed.push(entry);
        }
      } else {
        const json = JSON.stringify(value);
        if (json !== undefined) text = `${JSON.stringify(key)}:${json}`;
      }
      if (text === undefined) continue;
      length += text.length + (texts.length > 0 ? 1 : 0);
      texts.push(text);
    }

    // The top level as JSON.stringify writes it, the history's text in its place.
    let result = '{';
    let historyAt = 0;
    for (const name of Object.keys(data)) {
      const isHistory = name === 'history';
      const value = isHistory
        ? `{${texts.join(',')}}`
        : JSON.stringify((data as Record<string, unknown>)[name]);
      if (value === undefined) continue;
      result += `${result.length > 1 ? ',' : ''}${JSON.stringify(name)}:`;
      if (isHistory) historyAt = result.length;
      result += value;
    }
    result += '}';
    for (const entry of placed) {
      entry.start += historyAt;
      entry.end += historyAt;
    }
    last = { text: result, series: written };
    return result;
  };
}
