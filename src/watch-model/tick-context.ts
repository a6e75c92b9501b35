import type {
  HistorySample,
  HistorySeries,
  Incident,
  Mute,
  PortAlertStates,
  VantageAlertStates,
} from './types.js';

// What a scheduled tick reads of one re-tested host before it reconciles the host's watches, and
// what it writes afterwards: each in one call of the store (WatchStore.loadTickContext and
// saveTickResult), so a store on a database answers a host in a couple of statements instead of
// one per port and per record.

/** A history series of the host: a port, from a vantage (absent: the bot's own network). */
export interface SeriesRef {
  port: number;
  vantage?: string;
}

export interface TickContextRequest {
  host: string;
  /** The channels whose watch of the host the tick reconciles. */
  channels: string[];
  /** The series the tick appends to. */
  series: SeriesRef[];
}

/** One watch as the tick found it; a watch that is gone reads as one with nothing stored. */
export interface WatchTickState {
  /** Its own port states (see WatchStore.getAlertStates). */
  states: PortAlertStates;
  /** Each vantage's port states (see WatchStore.getVantageStates); {} when none. */
  vantages: VantageAlertStates;
  incident: Incident | null;
  mute: Mute | null;
}

/** Everything a tick needs of one host, read at once. */
export interface TickContext {
  host: string;
  /** Every channel asked for. */
  watches: Map<string, WatchTickState>;
  /** The series asked for that exist, as stored (see WatchStore.getHistory). */
  history: HistorySeries[];
}

/** One observation appended to a series (see WatchStore.appendHistory). */
export interface HistoryAppend extends SeriesRef {
  sample: HistorySample;
}

/** A watch's states as WatchStore.saveAlertStates saves them. */
export interface WatchStatesSave {
  channel: string;
  states: PortAlertStates;
  /** An Incident to open or update it, null to close it, undefined to leave it. */
  incident?: Incident | null;
  /** Every vantage's states (replacing them all), undefined to leave them. */
  vantages?: VantageAlertStates;
}

/** What a tick keeps of one host. */
export interface TickResult {
  host: string;
  /** In order; several appends to one series land one after the other. */
  history: HistoryAppend[];
  watches: WatchStatesSave[];
}
