import {
  appendToSeries,
  decodeStates,
  encodeStates,
  historyHorizon,
  PRUNE_EVERY_MS,
  seriesKey,
  toHistorySeries,
  type StoreData,
  type WatchEntry,
  watchKey,
} from './store-data.js';
import type {
  HistorySample,
  Incident,
  Mute,
  PortAlertStates,
  VantageAlertStates,
  Watch,
  WatchTickState,
} from '../watch-model/index.js';
import { StoreError } from '../database/store-error.js';
import { dataDomainWatches } from './data-domain-watches.js';
import type { HistoryLimits, WatchStore } from '../watch-model/watch-store.js';

export interface DataWatchStoreOptions {
  location: string;
  /** The current data (a getter: the lowdb store swaps it when it rolls back a failed write). */
  data: () => StoreData;
  /** Makes every change made so far durable. Mutations happen synchronously before it is called. */
  commit: () => Promise<void>;
  release: () => Promise<void>;
  limits: HistoryLimits;
}

/** The WatchStore operations over the in-memory layout, shared by the lowdb and memory stores. */
export function createDataWatchStore(options: DataWatchStoreOptions): WatchStore {
  const { location, commit, limits } = options;
  let closed = false;
  let lastPruneMs = Number.NEGATIVE_INFINITY;

  const data = (): StoreData => {
    if (closed) throw new StoreError(`the store at ${location} is closed`, { file: location });
    return options.data();
  };
  const entry = (channel: string, host: string): WatchEntry | undefined =>
    data().watches[watchKey(channel, host)];
  const toWatch = (e: WatchEntry): Watch => ({
    channel: e.channel,
    host: e.host,
    ports: [...e.ports],
    addedBy: e.addedBy,
    addedAt: e.addedAt,
    ...(e.vantages && e.vantages.length > 0 ? { vantages: [...e.vantages] } : {}),
  });
  const toIncident = (e: WatchEntry): Incident | null =>
    e.incident === null ? null : { channel: e.channel, host: e.host, ...e.incident };

  /** saveAlertStates in memory; false when the watch does not exist. */
  const saveStates = (
    channel: string,
    host: string,
    states: PortAlertStates,
    incident?: Incident | null,
    vantages?: VantageAlertStates,
  ): boolean => {
    const e = entry(channel, host);
    if (e === undefined) return false;
    e.alerts = encodeStates(states);
    if (vantages !== undefined) {
      // A watch from the bot's own network keeps the layout it always had: no vantageAlerts key.
      // A vantage without states is not kept, as in a table that has no rows for it.
      const named = Object.entries(vantages)
        .filter(([, byPort]) => Object.keys(byPort).length > 0)
        .map(([name, byPort]) => [name, encodeStates(byPort)] as const);
      if (named.length === 0) delete e.vantageAlerts;
      else e.vantageAlerts = Object.fromEntries(named);
    }
    if (incident === null) e.incident = null;
    else if (incident !== undefined) {
      const { channel: _channel, host: _host, ...rest } = incident;
      e.incident = structuredClone(rest);
    }
    return true;
  };
  /** appendHistory in memory. */
  const append = (host: string, port: number, sample: HistorySample, vantage?: string): void => {
    const history = data().history;
    const key = seriesKey(host, port, vantage);
    const series = appendToSeries(history[key], sample, limits);
    history[key] = series;
    if (series[1] * 1000 - lastPruneMs >= PRUNE_EVERY_MS) {
      lastPruneMs = series[1] * 1000;
      const oldest = historyHorizon(series[1], limits);
      for (const [k, s] of Object.entries(history)) if (s[1] < oldest) delete history[k];
    }
  };
  const vantageStatesOf = (e: WatchEntry | undefined): VantageAlertStates => {
    const states: VantageAlertStates = {};
    for (const [vantage, tuples] of Object.entries(e?.vantageAlerts ?? {}))
      states[vantage] = decodeStates(tuples);
    return states;
  };

  return {
    location,
    ...dataDomainWatches(data, commit),

    async listWatches(filter = {}) {
      return Object.values(data().watches)
        .filter((e) => filter.channel === undefined || e.channel === filter.channel)
        .filter((e) => filter.host === undefined || e.host === filter.host)
        .map(toWatch);
    },

    async getWatch(channel, host) {
      const e = entry(channel, host);
      return e === undefined ? null : toWatch(e);
    },

    async saveWatch(watch) {
      const key = watchKey(watch.channel, watch.host);
      const previous = data().watches[key];
      data().watches[key] = {
        ...toWatch(watch as WatchEntry),
        alerts: previous?.alerts ?? {},
        ...(previous?.vantageAlerts ? { vantageAlerts: previous.vantageAlerts } : {}),
        incident: previous?.incident ?? null,
        mute: previous?.mute ?? null,
      };
      await commit();
    },

    async removeWatch(channel, host) {
      const key = watchKey(channel, host);
      if (data().watches[key] === undefined) return false;
      delete data().watches[key];
      await commit();
      return true;
    },

    async getAlertStates(channel, host) {
      return decodeStates(entry(channel, host)?.alerts ?? {});
    },

    async getVantageStates(channel, host) {
      return vantageStatesOf(entry(channel, host));
    },

    async saveAlertStates(channel, host, states, incident, vantages) {
      if (saveStates(channel, host, states, incident, vantages)) await commit();
    },

    async getIncident(channel, host) {
      const e = entry(channel, host);
      return e === undefined ? null : structuredClone(toIncident(e));
    },

    async listIncidents() {
      return Object.values(data().watches)
        .map(toIncident)
        .filter((incident): incident is Incident => incident !== null)
        .map((incident) => structuredClone(incident));
    },

    async getMute(channel, host) {
      const e = entry(channel, host);
      return e?.mute ? { channel, host, ...e.mute } : null;
    },

    async setMute(channel, host, mute: Mute | null) {
      const e = entry(channel, host);
      if (e === undefined) return;
      e.mute = mute === null ? null : { until: mute.until, by: mute.by };
      await commit();
    },

    async appendHistory(host, port, sample: HistorySample, vantage) {
      append(host, port, sample, vantage);
      await commit();
    },

    async getHistory(host, port, vantage) {
      const series = data().history[seriesKey(host, port, vantage)];
      return series === undefined ? null : toHistorySeries(host, port, series, vantage);
    },

    async loadTickContext({ host, channels, series }) {
      const { history: stored } = data();
      const watches = new Map<string, WatchTickState>();
      for (const channel of channels) {
        const e = entry(channel, host);
        watches.set(channel, {
          states: decodeStates(e?.alerts ?? {}),
          vantages: vantageStatesOf(e),
          incident: e === undefined ? null : structuredClone(toIncident(e)),
          mute: e?.mute ? { channel, host, ...e.mute } : null,
        });
      }
      const history = series.flatMap(({ port, vantage }) => {
        const found = stored[seriesKey(host, port, vantage)];
        return found === undefined ? [] : [toHistorySeries(host, port, found, vantage)];
      });
      return { host, watches, history };
    },

    async saveTickResult({ host, history, watches }) {
      data(); // a closed store refuses even an empty result
      for (const { port, vantage, sample } of history) append(host, port, sample, vantage);
      const saved = watches.map((save) =>
        saveStates(save.channel, host, save.states, save.incident, save.vantages),
      );
      // Everything in memory first, then one write (the lowdb file rolls it all back if it fails).
      if (history.length > 0 || saved.includes(true)) await commit();
    },

    async close() {
      if (closed) return;
      await options.release();
      closed = true;
    },
  };
}
