import { VANTAGE_NAME_PATTERN } from '../../diagnose/vantage-types.js';
import { decodeState, type StoreData } from '../store-data.js';
import type { Queryable } from './transaction.js';
import { incidentRow, muteRow, SQL, seriesRow, stateRow, watchRow } from './watch-rows.js';

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
}

/**
 * `host:port` of a history series (`host:port@vantage` for another vantage than the bot's); a host
 * may hold colons (IPv6), the port is after the last.
 */
function splitSeriesKey(key: string): { host: string; port: number; vantage: string } | null {
  const match = /^(.+):(\d{1,5})(?:@([a-z0-9-]+))?$/.exec(key);
  const port = Number(match?.[2]);
  if (!match?.[1] || port < 1 || port > 65_535) return null;
  const vantage = match[3] ?? '';
  return vantage === '' || VANTAGE_NAME_PATTERN.test(vantage) ? { host: match[1], port, vantage } : null;
}

/** What in the data cannot go into the tables although the file's layout allows it, or null. */
export function importProblem(data: StoreData): string | null {
  const key = Object.keys(data.history).find((k) => splitSeriesKey(k) === null);
  return key === undefined
    ? null
    : `history ${JSON.stringify(key)} is not keyed "host:port" (or "host:port@vantage")`;
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

  return {
    watches: added.length,
    alertStates: states.length,
    incidents: incidents.length,
    mutes: mutes.length,
    series: newSeries.rowCount ?? 0,
    watchesPresent: entries.length - added.length,
    seriesPresent: series.length - (newSeries.rowCount ?? 0),
  };
}
