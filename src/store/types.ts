import type { PortClass } from '../probe/types.js';

// The records a watch store keeps. Times are ISO 8601 strings so that every implementation (JSON
// file today, a database later) stores and returns the same thing.

/** A host a channel watches. A host watched by two channels is two watches. */
export interface Watch {
  channel: string;
  host: string;
  ports: number[];
  addedBy: string;
  addedAt: string;
}

/** The alert state machine's phases (DESIGN §7): ok → suspect → blocked → recovering → ok. */
export const ALERT_PHASES = ['ok', 'suspect', 'blocked', 'recovering'] as const;
export type AlertPhase = (typeof ALERT_PHASES)[number];

/** Certificate expiry bands; an alert fires when a port moves to a worse band (21 and 7 days). */
export const CERT_BANDS = ['ok', 'expiring', 'critical', 'expired'] as const;
export type CertBand = (typeof CERT_BANDS)[number];

/** One port of one watch, as the alert state machine left it after the last observation. */
export interface PortAlertState {
  phase: AlertPhase;
  /** Consecutive observations that disagree with the confirmed condition (suspect / recovering). */
  streak: number;
  /** When the confirmed condition began: first failing observation of an outage, or first good one. */
  since: string;
  /** First observation of the streak that may change the condition (suspect / recovering). */
  pendingSince: string | null;
  /** The last observation. */
  class: PortClass;
  usable: boolean;
  checkedAt: string;
  daysLeft: number | null;
  /** False while the port has never been seen usable: a port broken from the start never pages. */
  alertable: boolean;
  /** Start of the outage that was announced (an incident carries it); null when none is. */
  announcedOutage: string | null;
  /** Last time the outage was announced or a reminder was posted. */
  announcedAt: string | null;
  /** The certificate band last announced (or seen at the baseline); null when no certificate seen. */
  certBand: CertBand | null;
}

/** Alert states of one watch, by port. */
export type PortAlertStates = Record<number, PortAlertState>;

/** An open incident: the alert message in the channel and its thread. One per watch at most. */
export interface Incident {
  channel: string;
  host: string;
  /** Slack ts of the alert message; the thread hangs under it. */
  alertTs: string;
  threadTs: string;
  openedAt: string;
  /** Start of the outage (earliest first failing observation). */
  since: string;
  lastReminderAt: string | null;
  /** 'resolving': recovery was posted in the thread, the alert still has to be marked resolved. */
  status: 'open' | 'resolving';
  resolvedAt: string | null;
}

export interface Mute {
  channel: string;
  host: string;
  until: string;
  by: string;
}

/** One observation of one host × port, as history keeps it. */
export interface HistorySample {
  at: string;
  class: PortClass;
  usable: boolean;
}

/**
 * History of one host × port, bounded: the last `samples` observations as a usable/unusable
 * string (one character each, oldest first) and the last class changes with their times.
 */
export interface HistorySeries {
  host: string;
  port: number;
  /** '1' usable, '0' not usable, oldest first. */
  samples: string;
  lastAt: string;
  changes: HistorySample[];
}

export interface HistoryLimits {
  /** Observations kept for the uptime bar. */
  maxSamples: number;
  /** Class changes kept. */
  maxChanges: number;
  /** Changes older than this are dropped, and a series not updated for this long is deleted. */
  maxAgeMs: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  maxSamples: 48,
  maxChanges: 10,
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

  getAlertStates(channel: string, host: string): Promise<PortAlertStates>;
  /**
   * Saves the watch's port states and, in the same write, its incident: an Incident to open or
   * update it, null to close it, undefined to leave it. Ignored when the watch no longer exists.
   */
  saveAlertStates(
    channel: string,
    host: string,
    states: PortAlertStates,
    incident?: Incident | null,
  ): Promise<void>;
  getIncident(channel: string, host: string): Promise<Incident | null>;
  listIncidents(): Promise<Incident[]>;

  getMute(channel: string, host: string): Promise<Mute | null>;
  /** Sets the mute of a watched host; null lifts it. */
  setMute(channel: string, host: string, mute: Mute | null): Promise<void>;

  /** Appends an observation to the host × port series, enforcing the history limits. */
  appendHistory(host: string, port: number, sample: HistorySample): Promise<void>;
  getHistory(host: string, port: number): Promise<HistorySeries | null>;

  /** Waits for pending writes and releases the file. */
  close(): Promise<void>;
}
