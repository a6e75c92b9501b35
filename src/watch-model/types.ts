import type { HostDiagnosis } from '../diagnose/types.js';
import type { PortClass } from '../probe/types.js';
import type { DomainWatchView } from './domain-watch.js';

// The watch domain's records: what a channel watches and what the alert state machine remembers
// per port. The store keeps exactly these; times are ISO 8601 strings so that every store
// implementation (the JSON file, a database) returns the same thing. No runtime imports here, so
// the store can use the constants below without loading the scheduler or the renderers.

/** A host a channel watches. A host watched by two channels is two watches. */
export interface Watch {
  channel: string;
  host: string;
  ports: number[];
  addedBy: string;
  addedAt: string;
  /**
   * The vantages (networks, by name) the host is watched from. Absent or empty: the bot's own
   * network only, as every watch was before vantages existed — so stored watches keep their meaning.
   */
  vantages?: string[];
}

/**
 * The alert state machine's phases: ok → suspect → blocked → recovering → ok. Suspect and
 * recovering hold a change that is not confirmed yet (see AlertConfig's observation counts).
 */
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
  /**
   * False while the port has never been seen usable: a port broken from the start never pages as
   * blocked; the day it first works is announced.
   */
  alertable: boolean;
  /** Start of the outage that was announced (an incident carries it); null when none is. */
  announcedOutage: string | null;
  /** Last time the outage was announced or a reminder was posted. */
  announcedAt: string | null;
  /** The certificate band last announced (or seen at the baseline); null when no certificate seen. */
  certBand: CertBand | null;
}

/**
 * Alert states of one watch, by port. For a watch from the bot's own network these are that
 * network's observations; for a watch from vantages they are the host-wide states the quorum
 * decides (what messages show and what was announced), and each vantage has its own (below).
 */
export type PortAlertStates = Record<number, PortAlertState>;

/** A watch's per-vantage port states, by vantage name (a watch from vantages only). */
export type VantageAlertStates = Record<string, PortAlertStates>;

export type { Incident, Mute } from './incident.js';

/** One observation of one host × port, as history keeps it. */
export interface HistorySample {
  at: string;
  class: PortClass;
  usable: boolean;
  /** Every watch of the host was muted then: re-tested, announced to nobody. */
  muted?: boolean;
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
  /** The vantage that observed it; absent for the bot's own network. */
  vantage?: string;
}

// What the renderers are given: the store's records reduced to what a message shows.

/** One port of a watch as the state machine sees it now. */
export interface PortStateView {
  port: number;
  phase: AlertPhase;
  class: PortClass;
  usable: boolean;
  since: string;
  checkedAt: string;
  daysLeft: number | null;
}

export interface WatchView {
  channel: string;
  host: string;
  ports: PortStateView[];
  addedBy: string;
  addedAt: string;
  mutedUntil: string | null;
  /** Start of the open incident's outage, when one is open. */
  incidentSince: string | null;
  /** The vantages it is watched from; absent for the bot's own network only. */
  vantages?: string[];
}

export interface PortHistoryView {
  port: number;
  state: PortStateView | null;
  /** '1' usable, '0' not usable, oldest first. */
  samples: string;
  changes: HistorySample[];
  /** The last observation (the timeline draws the last change up to it); null when none. */
  lastAt?: string | null;
  /** A watch from vantages: each vantage's series of the port, in the watch's order. */
  vantages?: Array<{ vantage: string; samples: string; changes?: HistorySample[]; lastAt?: string | null }>;
}

/** What watching a host again changed: ports added and ports no longer watched, by whom. */
export interface WatchChange {
  by: string;
  added: number[];
  removed: number[];
  /** Set when the vantages changed: the lists before and after (empty = the bot's own network). */
  vantages?: { before: string[]; after: string[] };
}

/** Why a vantage gave no verdict this time (see VantageOutcome): never a port verdict. */
export interface SilentVantage {
  vantage: string;
  kind: 'no-answer' | 'no-worker' | 'refused' | 'failed';
  /** The newest heartbeat of its workers, when known. */
  lastSeen: string | null;
  /** The worker's reason or error, already made safe; null when there is none. */
  detail: string | null;
}

/** One port of a watch from vantages, as each vantage sees it now. */
export interface VantagePortSight {
  port: number;
  /** Vantages where the port is confirmed blocked (what the quorum counts). */
  blocked: string[];
  /** Vantages where it failed lately, not confirmed yet. */
  failing: string[];
  open: string[];
  /** Vantages that have not observed it yet. */
  unseen: string[];
}

/** What the vantages of a watch saw, for a message that names them. */
export interface VantageReport {
  /** Vantages that must agree a port is blocked before it is announced. */
  quorum: number;
  ports: VantagePortSight[];
  silent: SilentVantage[];
}

/** A decision to announce: the events of one re-test of a host, with its evidence. */
export interface AlertNotice {
  host: string;
  events: AlertEvent[];
  ports: PortStateView[];
  /** The re-test that raised the events (evidence and advice). */
  diagnosis: HostDiagnosis;
  /** Set when the last blocked port recovered: the outage is over. */
  resolved?: { since: string; at: string } | null;
  /** A watch from vantages: what each one saw (the alert names them). */
  vantages?: VantageReport;
}

/** An incident that is over: its alert is replaced by this. */
export interface ResolvedNotice {
  host: string;
  since: string;
  resolvedAt: string;
  ports: PortStateView[];
}

/** What a watch command has to say: a chat adapter draws it (render/alerts renderWatchReply). */
export type WatchReply =
  /** The request was refused; `error` says why and what to type (Slack mrkdwn, input escaped). */
  | { kind: 'refused'; error: string }
  /**
   * A watch was added, or changed when `change` is set. `silent`: vantages of the watch that gave
   * no baseline (no live worker, no answer); the watch is kept and they join when they answer.
   */
  | {
      kind: 'watching';
      watch: WatchView;
      diagnosis: HostDiagnosis;
      change: WatchChange | null;
      silent?: SilentVantage[];
    }
  | { kind: 'unwatched'; host: string; by: string }
  | { kind: 'muted'; host: string; until: string; by: string }
  | { kind: 'unmuted'; host: string; by: string }
  | { kind: 'list'; channel: string; watches: WatchView[]; now: string; domains?: DomainWatchView[] }
  /** A domain watch was added, or its baseline accepted again when `updated`. */
  | { kind: 'watching-domain'; watch: DomainWatchView; updated: boolean }
  | { kind: 'unwatched-domain'; domain: string; by: string }
  | { kind: 'muted-domain'; domain: string; until: string; by: string }
  | { kind: 'unmuted-domain'; domain: string; by: string }
  | { kind: 'history'; host: string; ports: PortHistoryView[]; now: string };

/** What a change of a port's alert state announces. */
export type AlertEvent =
  | { kind: 'became-blocked'; port: number; class: PortClass; since: string }
  | { kind: 'still-blocked'; port: number; class: PortClass; since: string; at: string }
  | {
      kind: 'recovered';
      port: number;
      class: PortClass;
      blockedSince: string;
      recoveredAt: string;
      /** The port had failed since the watch began: it works for the first time, not again. */
      firstTime: boolean;
    }
  | { kind: 'cert-expiring'; port: number; band: CertBand; daysLeft: number };
