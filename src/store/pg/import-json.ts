import { VANTAGE_NAME_PATTERN } from '../../diagnose/vantage-types.js';
import { STATE_TUPLE_FIELDS } from '../schema.js';
import { decodeState, type StateTuple, type StoreData } from '../store-data.js';
import type { Queryable } from '../../database/transaction.js';
import { incidentRow, muteRow, SQL, seriesRow, stateRow, watchRow } from './watch-rows.js';
import { toJsonb } from '../../database/jsonb.js';
import { DOMAIN_SQL, domainWatchRow } from './domain-watch-rows.js';

// Moving from the JSON data file to PostgreSQL: everything the file holds, written in the
// caller's transaction. What the database already has wins: a watch that is there keeps its own
// state, incident and mute, and a series that is there keeps its own history, so running the
// import again changes nothing.

export interface ImportCounts {
  watches: number;
  alertStates: number;
  incidents: number;
  mutes: number;
  series: number;
  /** Watches of the file already in the database, left as they are. */
  watchesPresent: number;
  /** History series of the file already in the database, left as they are. */
  seriesPresent: number;
  /** Domain watches, with their baseline, last state, incident and mute. */
  domainWatches: number;
  /** Domain watches of the file already in the database, left as they are. */
  domainWatchesPresent: number;
}

/**
 * `host:port` of a history series (`host:port@vantage` for another vantage than the bot's); a host
 * may hold colons (IPv6), the port is after the last. The port is as written: see validPort.
 */
function splitSeriesKey(key: string): { host: string; port: number; vantage: string } | null {
  const match = /^(.+):(\d{1,5})(?:@([a-z0-9-]+))?$/.exec(key);
  if (!match?.[1]) return null;
  const vantage = match[3] ?? '';
  return vantage === '' || VANTAGE_NAME_PATTERN.test(vantage)
    ? { host: match[1], port: Number(match[2]), vantage }
    : null;
}

const validPort = (port: number): boolean => Number.isInteger(port) && port >= 1 && port <= 65_535;

/** The instants both a JavaScript Date and PostgreSQL's timestamptz hold: the years 1 to 9999. */
const FIRST_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');
const inYears = (ms: number): boolean => Number.isFinite(ms) && ms >= FIRST_MS && ms <= LAST_MS;

/** Characters PostgreSQL cannot keep in text or jsonb: NUL, and half a UTF-16 surrogate pair. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The dotted path of the first string in `value` PostgreSQL cannot store, or null. */
function unstorableAt(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return [...path, key];
    const found = unstorableAt(item, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** The alert state tuple's times (epoch milliseconds). */
const TUPLE_TIMES = new Set<string>(['since', 'pendingSince', 'checkedAt', 'announcedOutage', 'announcedAt']);

/** Problems of one watch's states by port (`alerts`, or one vantage's): keys that are not one port each. */
function stateKeyProblems(where: string, states: Record<string, StateTuple>): string[] {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const [key, tuple] of Object.entries(states)) {
    const port = Number(key);
    if (!validPort(port)) {
      problems.push(`${where}, alert state of port "${key}": ${key} is not a port (1–65535)`);
      continue;
    }
    const first = seen.get(port);
    if (first !== undefined) {
      problems.push(
        `${where}, alert states "${first}" and "${key}": both are port ${port}, which has one state`,
      );
    }
    seen.set(port, key);
    for (const [index, field] of STATE_TUPLE_FIELDS.entries()) {
      const value = tuple[index];
      if (TUPLE_TIMES.has(field) && typeof value === 'number' && !inYears(value)) {
        problems.push(
          `${where}, alert state of port ${key}, field "${field}": ${value} is not a time in the years 1–9999`,
        );
      }
    }
  }
  return problems;
}

/** Every problem of the data that its layout allows but the tables refuse, in the file's order. */
function importProblems(data: StoreData): string[] {
  const problems: string[] = [];
  const watchAt = new Map<string, string>();
  for (const [key, entry] of Object.entries(data.watches)) {
    const where = `watch ${JSON.stringify(key)}`;
    const unstorable = unstorableAt(entry);
    if (unstorable) {
      problems.push(
        `${where}, field "${unstorable.join('.')}": holds a NUL character or half a surrogate pair, which PostgreSQL cannot store`,
      );
    }
    const id = JSON.stringify([entry.channel, entry.host]);
    const first = watchAt.get(id);
    if (first !== undefined) {
      problems.push(
        `watches ${JSON.stringify(first)} and ${JSON.stringify(key)}: both are channel ${JSON.stringify(entry.channel)}, host ${JSON.stringify(entry.host)}, which a channel watches once`,
      );
    }
    watchAt.set(id, key);
    problems.push(...stateKeyProblems(where, entry.alerts));
    for (const [vantage, states] of Object.entries(entry.vantageAlerts ?? {})) {
      problems.push(...stateKeyProblems(`${where}, vantage ${JSON.stringify(vantage)}`, states));
    }
    const times: Array<[string, string | null]> = [
      ['addedAt', entry.addedAt],
      ['incident.openedAt', entry.incident?.openedAt ?? null],
      ['incident.since', entry.incident?.since ?? null],
      ['incident.lastReminderAt', entry.incident?.lastReminderAt ?? null],
      ['incident.resolvedAt', entry.incident?.resolvedAt ?? null],
      ['mute.until', entry.mute?.until ?? null],
    ];
    for (const [field, time] of times) {
      if (time !== null && !inYears(Date.parse(time))) {
        problems.push(`${where}, field "${field}": ${time} is not a time in the years 1–9999`);
      }
    }
  }
  for (const [key, entry] of Object.entries(data.domainWatches ?? {})) {
    const unstorable = unstorableAt(entry);
    if (unstorable) {
      problems.push(
        `domain watch ${JSON.stringify(key)}, field "${unstorable.join('.')}": holds a NUL character or half a surrogate pair, which PostgreSQL cannot store`,
      );
    }
  }
  const seriesAt = new Map<string, string>();
  for (const [key, entry] of Object.entries(data.history)) {
    const where = `history ${JSON.stringify(key)}`;
    const series = splitSeriesKey(key);
    if (series === null) {
      problems.push(`${where} is not keyed "host:port" (or "host:port@vantage")`);
      continue;
    }
    if (!validPort(series.port)) {
      problems.push(`${where}: ${series.port} is not a port (1–65535)`);
      continue;
    }
    const unstorable = unstorableAt({ host: series.host, entry });
    if (unstorable) {
      problems.push(
        `${where}: holds a NUL character or half a surrogate pair, which PostgreSQL cannot store`,
      );
    }
    const id = JSON.stringify([series.host, series.port, series.vantage]);
    const first = seriesAt.get(id);
    if (first !== undefined) {
      problems.push(
        `history ${JSON.stringify(first)} and ${JSON.stringify(key)}: both are the series of port ${series.port} of ${series.host}${series.vantage ? ` from ${series.vantage}` : ''}`,
      );
    }
    seriesAt.set(id, key);
    if (!inYears(entry[1] * 1000)) {
      problems.push(`${where}, field "lastAt": ${entry[1]} is not a time in the years 1–9999`);
    }
    const change = entry[2].findIndex(([at]) => !inYears(at * 1000));
    if (change !== -1) {
      problems.push(
        `${where}, change ${change + 1}: ${entry[2][change]?.[0]} is not a time in the years 1–9999`,
      );
    }
  }
  return problems;
}

/**
 * What in the data cannot go into the tables although the file's layout allows it (a port key
 * that is no port, a watch or a port twice, a time or a character PostgreSQL cannot keep), or
 * null: the first problem, naming its entry, and how many more there are. Checked before anything
 * is written.
 */
export function importProblem(data: StoreData): string | null {
  const [first, ...more] = importProblems(data);
  if (first === undefined) return null;
  return more.length === 0
    ? first
    : `${first} (and ${more.length} more ${more.length === 1 ? 'problem' : 'problems'})`;
}

/** Run importProblem() first: a series whose key is not host:port is not imported. */
export async function importStoreData(client: Queryable, data: StoreData): Promise<ImportCounts> {
  const entries = Object.values(data.watches);
  const inserted = await client.query<{ channel: string; host: string }>(SQL.insertNewWatches, [
    JSON.stringify(entries.map(watchRow)),
  ]);
  const isNew = new Set(inserted.rows.map((row) => JSON.stringify([row.channel, row.host])));
  const added = entries.filter((e) => isNew.has(JSON.stringify([e.channel, e.host])));

  const states = added.flatMap((e) => [
    ...Object.entries(e.alerts).map(([port, tuple]) =>
      stateRow(e.channel, e.host, Number(port), decodeState(tuple)),
    ),
    ...Object.entries(e.vantageAlerts ?? {}).flatMap(([vantage, byPort]) =>
      Object.entries(byPort).map(([port, tuple]) =>
        stateRow(e.channel, e.host, Number(port), decodeState(tuple), vantage),
      ),
    ),
  ]);
  const incidents = added.flatMap((e) => (e.incident ? [incidentRow(e.channel, e.host, e.incident)] : []));
  const mutes = added.flatMap((e) => (e.mute ? [muteRow(e.channel, e.host, e.mute)] : []));
  if (states.length > 0) await client.query(SQL.insertStates, [JSON.stringify(states)]);
  if (incidents.length > 0) await client.query(SQL.upsertIncidents, [JSON.stringify(incidents)]);
  if (mutes.length > 0) await client.query(SQL.upsertMutes, [JSON.stringify(mutes)]);

  const series = Object.entries(data.history).flatMap(([key, entry]) => {
    const where = splitSeriesKey(key);
    return where === null ? [] : [seriesRow(where.host, where.port, entry, where.vantage)];
  });
  const newSeries = await client.query(SQL.insertNewSeries, [JSON.stringify(series)]);

  const domains = Object.values(data.domainWatches ?? {});
  const newDomains =
    domains.length === 0
      ? { rowCount: 0 }
      : await client.query(DOMAIN_SQL.insertNew, [toJsonb(domains.map(domainWatchRow))]);

  return {
    watches: added.length,
    alertStates: states.length,
    incidents: incidents.length,
    mutes: mutes.length,
    series: newSeries.rowCount ?? 0,
    watchesPresent: entries.length - added.length,
    seriesPresent: series.length - (newSeries.rowCount ?? 0),
    domainWatches: newDomains.rowCount ?? 0,
    domainWatchesPresent: domains.length - (newDomains.rowCount ?? 0),
  };
}
