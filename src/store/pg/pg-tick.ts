import type pg from 'pg';
import type {
  HistorySample,
  HistorySeries,
  TickContext,
  TickContextRequest,
  TickResult,
  VantageAlertStates,
  WatchTickState,
} from '../../watch-model/index.js';
import type { HistoryLimits } from '../../watch-model/watch-store.js';
import { appendToSeries, type SeriesEntry, toHistorySeries } from '../store-data.js';
import { fromJsonRow, TICK_SQL } from './tick-rows.js';
import {
  INCIDENT_COLUMNS,
  type IncidentRow,
  incidentRow,
  MUTE_COLUMNS,
  STATE_COLUMNS,
  type StateRow,
  stateRow,
  toIncident,
  toState,
} from './watch-rows.js';

// A scheduled tick's host on PostgreSQL in two statements: loadTickContext reads the watches'
// states, incidents and mutes and the history series in one, saveTickResult writes the appended
// series and the states in one. Without them a host cost about 29 statements (a transaction of
// five per appended port, three reads and a transaction of five per watch).
//
// History is read-modify-write: the read keeps each series' row version, and the write replaces
// a series only if it is still that version. A series another writer changed meanwhile (a watch
// command's baseline, a replica that took the host over) is appended again the careful way —
// appendHistory, which locks the row — so every observation lands once.

type Query = <R extends pg.QueryResultRow>(
  doing: string,
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

export interface PgTickOptions {
  query: Query;
  /** The store's own append (one transaction, the row locked), for a series changed since the read. */
  appendHistory(host: string, port: number, sample: HistorySample, vantage?: string): Promise<void>;
  /** Deletes stale series when it is time to (see PRUNE_EVERY_MS), after series were written at `at`. */
  pruneAfter(at: number): Promise<void>;
  limits: HistoryLimits;
}

/** A series as the tick read it: its entry (undefined: no row) and the row's version. */
interface ReadSeries {
  entry: SeriesEntry | undefined;
  version: string | null;
}

interface ReadRow {
  states: Record<string, unknown>[];
  incidents: Record<string, unknown>[];
  mutes: Record<string, unknown>[];
  series: Array<{
    port: number;
    vantage: string;
    samples: string;
    last_at: string;
    changes: SeriesEntry[2];
    version: string;
  }>;
}

const keyOf = (port: number, vantage: string): string => `${port} ${vantage}`;

export function createPgTick(options: PgTickOptions) {
  const { query, limits } = options;
  // What each context read of the series, kept out of the context the tick sees.
  const seriesRead = new WeakMap<TickContext, Map<string, ReadSeries>>();

  async function loadTickContext({ host, channels, series }: TickContextRequest): Promise<TickContext> {
    const { rows } = await query<ReadRow>('reading a host for a tick', TICK_SQL.read, [
      host,
      channels,
      series.map((ref) => ref.port),
      series.map((ref) => ref.vantage ?? ''),
    ]);
    const row = rows[0] ?? { states: [], incidents: [], mutes: [], series: [] };
    const watches = new Map<string, WatchTickState>(
      channels.map((channel) => [channel, { states: {}, vantages: {}, incident: null, mute: null }]),
    );
    for (const json of row.states) {
      const state = fromJsonRow<StateRow>(json, STATE_COLUMNS);
      const watch = watches.get(state.channel);
      if (watch === undefined) continue;
      if (state.vantage === '') {
        watch.states[state.port] = toState(state);
        continue;
      }
      const byPort = watch.vantages[state.vantage] ?? {};
      byPort[state.port] = toState(state);
      watch.vantages[state.vantage] = byPort;
    }
    for (const json of row.incidents) {
      const incident = toIncident(fromJsonRow<IncidentRow>(json, INCIDENT_COLUMNS));
      const watch = watches.get(incident.channel);
      if (watch !== undefined) watch.incident = incident;
    }
    for (const json of row.mutes) {
      const mute = fromJsonRow<{ channel: string; until: Date; muted_by: string }>(json, MUTE_COLUMNS);
      const watch = watches.get(mute.channel);
      if (watch !== undefined) {
        watch.mute = { channel: mute.channel, host, until: mute.until.toISOString(), by: mute.muted_by };
      }
    }
    const read = new Map<string, ReadSeries>(
      series.map((ref) => [keyOf(ref.port, ref.vantage ?? ''), { entry: undefined, version: null }]),
    );
    const history: HistorySeries[] = [];
    for (const found of row.series) {
      const entry: SeriesEntry = [found.samples, Date.parse(found.last_at) / 1000, found.changes];
      read.set(keyOf(found.port, found.vantage), { entry, version: found.version });
      history.push(
        toHistorySeries(host, found.port, entry, found.vantage === '' ? undefined : found.vantage),
      );
    }
    const context: TickContext = { host, watches, history };
    seriesRead.set(context, read);
    return context;
  }

  async function saveTickResult(result: TickResult, context?: TickContext): Promise<void> {
    const { host } = result;
    const read = context?.host === host ? seriesRead.get(context) : undefined;
    // Each series with its appends in order; those the context read are computed here.
    const bySeries = new Map<string, { port: number; vantage: string; samples: HistorySample[] }>();
    for (const { port, vantage = '', sample } of result.history) {
      const key = keyOf(port, vantage);
      const series = bySeries.get(key) ?? { port, vantage, samples: [] };
      series.samples.push(sample);
      bySeries.set(key, series);
    }
    const computed = [...bySeries.entries()].flatMap(([key, { port, vantage, samples }]) => {
      const known = read?.get(key);
      if (known === undefined) return [];
      const entry = samples.reduce<SeriesEntry | undefined>(
        (previous, sample) => appendToSeries(previous, sample, limits),
        known.entry,
      ) as SeriesEntry;
      return [{ key, port, vantage, entry, version: known.version }];
    });

    const written = new Set<string>();
    if (computed.length > 0 || result.watches.length > 0) {
      const { rows } = await query<{ port: number; vantage: string }>(
        'saving a host after a tick',
        TICK_SQL.write,
        writeValues(result, computed),
      );
      for (const row of rows) written.add(keyOf(row.port, row.vantage));
    }
    // The series not written: not read by this context, or changed by another writer since.
    await Promise.all(
      [...bySeries.entries()]
        .filter(([key]) => !written.has(key))
        .map(async ([, { port, vantage, samples }]) => {
          for (const sample of samples) {
            await options.appendHistory(host, port, sample, vantage === '' ? undefined : vantage);
          }
        }),
    );
    const lastAt = Math.max(...computed.filter(({ key }) => written.has(key)).map(({ entry }) => entry[1]));
    if (Number.isFinite(lastAt)) await options.pruneAfter(lastAt);
  }

  return { loadTickContext, saveTickResult };
}

/** The write's parameters (see TICK_SQL.write). */
function writeValues(
  result: TickResult,
  series: Array<{ port: number; vantage: string; entry: SeriesEntry; version: string | null }>,
): unknown[] {
  const { host } = result;
  const vantageRows = (channel: string, vantages: VantageAlertStates) =>
    Object.entries(vantages).flatMap(([vantage, byPort]) =>
      Object.entries(byPort).map(([port, state]) => stateRow(channel, host, Number(port), state, vantage)),
    );
  return [
    host,
    JSON.stringify(
      result.watches.map((save) => ({
        channel: save.channel,
        all_vantages: save.vantages !== undefined,
        close_incident: save.incident === null,
      })),
    ),
    JSON.stringify(
      result.watches.flatMap((save) => [
        ...Object.entries(save.states).map(([port, state]) =>
          stateRow(save.channel, host, Number(port), state),
        ),
        ...vantageRows(save.channel, save.vantages ?? {}),
      ]),
    ),
    JSON.stringify(
      result.watches.flatMap((save) =>
        save.incident ? [incidentRow(save.channel, host, save.incident)] : [],
      ),
    ),
    JSON.stringify(
      series.map(({ port, vantage, entry, version }) => ({
        port,
        vantage,
        samples: entry[0],
        last_at: new Date(entry[1] * 1000).toISOString(),
        changes: entry[2],
        version,
      })),
    ),
  ];
}
