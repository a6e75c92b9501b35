import type {
  HistorySample,
  HistorySeries,
  Incident,
  Mute,
  PortAlertStates,
  VantageAlertStates,
  Watch,
} from './types.js';
import type { TickContext, TickContextRequest, TickResult } from './tick-context.js';
import type { DomainWatch, DomainWatchState } from './domain-watch.js';

// The store's interface. It keeps the watch domain's records (types.ts beside it) as they are.

export interface HistoryLimits {
  /** Observations kept for the uptime bar. */
  maxSamples: number;
  /**
   * Class changes kept: enough for a month's timeline of a port that changes a few times a day; a
   * port flapping more than that shows its older days as "no data".
   */
  maxChanges: number;
  /** Changes older than this are dropped, and a series not updated for this long is deleted. */
  maxAgeMs: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  maxSamples: 48,
  maxChanges: 100,
  maxAgeMs: 30 * 24 * 3_600_000,
};

/**
 * Where watches, alert state, incidents, mutes and history live. Every write is durable when its
 * promise resolves; a failed write rejects with StoreError and leaves the previous state.
 */
export interface WatchStore {
  /** The data file, or ":memory:". */
  readonly location: string;
  listWatches(filter?: { channel?: string; host?: string }): Promise<Watch[]>;
  getWatch(channel: string, host: string): Promise<Watch | null>;
  /** Adds or replaces the watch of (channel, host); its alert state, incident and mute are kept. */
  saveWatch(watch: Watch): Promise<void>;
  /** Removes the watch with its alert state, incident and mute. False when there was none. */
  removeWatch(channel: string, host: string): Promise<boolean>;

  /** The watch's own port states (host-wide for a watch from vantages; see PortAlertStates). */
  getAlertStates(channel: string, host: string): Promise<PortAlertStates>;
  /** Each vantage's port states of a watch from vantages; {} for a watch from the bot's network. */
  getVantageStates(channel: string, host: string): Promise<VantageAlertStates>;
  /**
   * Saves the watch's port states and, in the same write, its incident: an Incident to open or
   * update it, null to close it, undefined to leave it — and its vantages' states: an object
   * replaces them all (a vantage left out is dropped), undefined leaves them. Ignored when the
   * watch no longer exists.
   */
  saveAlertStates(
    channel: string,
    host: string,
    states: PortAlertStates,
    incident?: Incident | null,
    vantages?: VantageAlertStates,
  ): Promise<void>;
  getIncident(channel: string, host: string): Promise<Incident | null>;
  listIncidents(): Promise<Incident[]>;

  getMute(channel: string, host: string): Promise<Mute | null>;
  /** Sets the mute of a watched host; null lifts it. */
  setMute(channel: string, host: string, mute: Mute | null): Promise<void>;

  /**
   * Appends an observation to the host × port series of a vantage (absent: the bot's own network,
   * the series every watch kept before vantages), enforcing the history limits.
   */
  appendHistory(host: string, port: number, sample: HistorySample, vantage?: string): Promise<void>;
  getHistory(host: string, port: number, vantage?: string): Promise<HistorySeries | null>;

  /**
   * Everything a scheduled tick needs of one host, in one read: each channel's watch of it (its
   * states, its vantages' states, its incident and mute) and the history series it appends to.
   */
  loadTickContext(request: TickContextRequest): Promise<TickContext>;
  /**
   * What a scheduled tick keeps of one host, in one write where the store can: every append as
   * appendHistory makes it and every watch's states as saveAlertStates saves them (a watch gone is
   * ignored). `context`, this tick's read of the host, spares reading the series again; an append
   * still lands on the series as it is when another writer changed it since. A failure rejects
   * with StoreError and may leave part of it written, as separate calls would.
   */
  saveTickResult(result: TickResult, context?: TickContext): Promise<void>;

  /** Watched sending domains (records of their own: see domain-watch.ts). */
  listDomainWatches(filter?: { channel?: string; domain?: string }): Promise<DomainWatch[]>;
  getDomainWatch(channel: string, domain: string): Promise<DomainWatch | null>;
  /**
   * Adds or replaces the domain watch of (channel, domain) with its state; a stored mute is kept
   * (the record's own is used for a new watch).
   */
  saveDomainWatch(watch: DomainWatch): Promise<void>;
  /** What a tick keeps of a domain watch. False, and nothing written, when the watch is gone. */
  saveDomainWatchState(channel: string, domain: string, state: DomainWatchState): Promise<boolean>;
  /** Removes the domain watch with its state, incident and mute. False when there was none. */
  removeDomainWatch(channel: string, domain: string): Promise<boolean>;
  /** Sets the mute of a watched domain; null lifts it. Ignored when the domain is not watched. */
  setDomainMute(channel: string, domain: string, mute: DomainWatch['mute']): Promise<void>;

  /** Waits for pending writes and releases the file. */
  close(): Promise<void>;
}

/** The domain-watch part of a store, which each implementation builds apart from its host watches. */
export type DomainWatchMethods = Pick<
  WatchStore,
  | 'listDomainWatches'
  | 'getDomainWatch'
  | 'saveDomainWatch'
  | 'saveDomainWatchState'
  | 'removeDomainWatch'
  | 'setDomainMute'
>;
