import type { PortClass } from '../probe/types.js';
import type { AlertPhase, CertBand, Incident, PortAlertState, Watch } from '../watch/index.js';

// The on-disk layout. lowdb rewrites the whole file on every write, so records are compact: watches
// keyed by channel and host, history as a sample string and a short change list per host × port.

export const SCHEMA_VERSION = 2;

/**
 * A port's alert state as a tuple with times in epoch milliseconds: a third of the size of the
 * object form, which matters when 4 000 of them are rewritten on every write.
 */
export type StateTuple = [
  phase: AlertPhase,
  streak: number,
  since: number,
  pendingSince: number | null,
  portClass: PortClass,
  usable: 0 | 1,
  checkedAt: number,
  daysLeft: number | null,
  alertable: 0 | 1,
  announcedOutage: number | null,
  announcedAt: number | null,
  certBand: CertBand | null,
];

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

export interface WatchEntry extends Watch {
  /** By port. */
  alerts: Record<string, StateTuple>;
  incident: Omit<Incident, 'channel' | 'host'> | null;
  mute: { until: string; by: string } | null;
}

/** [samples ('1'/'0', oldest first), last observation (epoch seconds), changes [epoch s, class, usable 1/0]]. */
export type SeriesEntry = [samples: string, lastAt: number, changes: Array<[number, PortClass, 0 | 1]>];

export interface StoreData {
  version: typeof SCHEMA_VERSION;
  /** Keyed by watchKey(channel, host). */
  watches: Record<string, WatchEntry>;
  /** Keyed by seriesKey(host, port). */
  history: Record<string, SeriesEntry>;
}

export function emptyStoreData(): StoreData {
  return { version: SCHEMA_VERSION, watches: {}, history: {} };
}

export function watchKey(channel: string, host: string): string {
  return `${channel}/${host}`;
}

export function seriesKey(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Version 1 (before alerts existed) kept a plain list of watches. */
interface StoreDataV1 {
  version: 1;
  watches: Array<{ channel: string; host: string; ports: number[]; user: string; createdAt: string }>;
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[n] turns version n into version n + 1. */
const MIGRATIONS: Record<number, Migration> = {
  1: (data) => {
    const v1 = data as unknown as StoreDataV1;
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
  if (version === 1 && !Array.isArray(data['watches'])) {
    return { ok: false, reason: 'schema version 1 expects a "watches" list' };
  }
  for (let from = version; from < SCHEMA_VERSION; from += 1) {
    const migrate = MIGRATIONS[from];
    if (migrate === undefined) return { ok: false, reason: `no migration from schema version ${from}` };
    data = migrate(data);
  }
  const problem = layoutProblem(data);
  if (problem !== null) return { ok: false, reason: problem };
  return {
    ok: true,
    data: data as unknown as StoreData,
    migratedFrom: version === SCHEMA_VERSION ? null : version,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function layoutProblem(data: Record<string, unknown>): string | null {
  const { watches, history } = data;
  if (!isRecord(watches)) return '"watches" is not an object';
  if (!isRecord(history)) return '"history" is not an object';
  for (const [key, entry] of Object.entries(watches)) {
    if (
      !isRecord(entry) ||
      typeof entry['channel'] !== 'string' ||
      typeof entry['host'] !== 'string' ||
      !Array.isArray(entry['ports']) ||
      !isRecord(entry['alerts']) ||
      !Object.values(entry['alerts']).every((state) => Array.isArray(state) && state.length === 12)
    ) {
      return `watch "${key}" is malformed`;
    }
  }
  for (const [key, series] of Object.entries(history)) {
    if (!Array.isArray(series) || typeof series[0] !== 'string' || !Array.isArray(series[2])) {
      return `history "${key}" is malformed`;
    }
  }
  return null;
}
