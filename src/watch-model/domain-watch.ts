import type { DmarcPolicy, SpfResult } from '../posture/types.js';
import type { Incident, Mute } from './incident.js';

// A watched sending domain: what DNS said of it (SPF, DMARC, DKIM, MX) reduced to the few facts a
// change of which is worth a page, the baseline they are compared with, and the incident a
// degradation opens. A record of its own, keyed by channel and domain: a host watch of
// smtp.example.com and a domain watch of example.com (or of the same name) never share a state,
// an incident or a post.

/** The report's verdict, as the snapshot keeps it (the report's own type sits on the same floor). */
export type PostureSnapshotVerdict = 'ok' | 'warning' | 'critical';

/** What a DKIM selector showed: a key, a withdrawn key (`p=` empty), or nothing. */
export type DkimSight = 'found' | 'revoked' | 'missing';

/**
 * The facts of a domain report a watch compares. A part that is null could not be told (the
 * lookup failed: a timeout, SERVFAIL): a tick keeps the last known value for it, so a DNS failure
 * is never a change.
 */
export interface PostureSnapshot {
  checkedAt: string;
  verdict: PostureSnapshotVerdict;
  spf: {
    /** What a receiver concludes for an address no mechanism matches. */
    worstCase: SpfResult;
    /** How the root record ends: `-all`, `~all`, `?all`, `+all`, `redirect=<domain>`; null when it does not (or there is no record). */
    ending: string | null;
  } | null;
  dmarc: {
    present: boolean;
    policy: DmarcPolicy | null;
    pct: number;
  } | null;
  /** By selector; a selector whose lookup failed is left out. */
  dkim: Record<string, DkimSight>;
  mx: {
    nullMx: boolean;
    /** The MX hosts' names, by priority; empty with implicit: no MX records at all. */
    hosts: string[];
  } | null;
  /**
   * Each blocklist question of this report, `<subject> <zone>`: listed, clear, or unknown (no
   * answer, or the list refused). Absent in snapshots taken before blocklists were checked.
   */
  blocklists?: Record<string, TransportSight>;
  /** Each MX host where DANE is in effect (signed TLSA): whether the port-25 chain matched. */
  dane?: Record<string, TransportSight>;
  /** Each MX host under an MTA-STS policy in testing or enforce mode: covered with a valid certificate or not. */
  mtaSts?: Record<string, TransportSight>;
  /**
   * The MTA-STS policy fetched and the record's id: senders fetch the policy again only when the id
   * changes. Null when no policy could be read; absent in snapshots from before.
   */
  mtaStsPolicy?: { id: string; policy: string } | null;
}

/**
 * A transport part of one subject: `bad` is listed / does not match / not covered; `unknown` could
 * not be told this time (no answer, port 25 not reachable from here) and keeps the last sight.
 */
export type TransportSight = 'good' | 'bad' | 'unknown';

export const POSTURE_ASPECTS = ['spf', 'dmarc', 'dkim', 'mx', 'blocklist', 'dane', 'mta-sts'] as const;
export type PostureAspect = (typeof POSTURE_ASPECTS)[number];

/** One way the domain is worse than its baseline, in words. */
export interface PostureDegradation {
  /**
   * Stable: `spf-permerror`, `spf-all`, `dmarc-record`, `dmarc-policy`, `dmarc-pct`,
   * `dkim:<selector>`, `mx`, `dnsbl:<subject> <zone>`, `dane:<mx host>`, `mta-sts:<mx host>`.
   */
  id: string;
  aspect: PostureAspect;
  /** The sentence ("DMARC policy weakened: reject → none"). */
  text: string;
  before: string;
  after: string;
}

/** A degradation that cleared, with what came back in words ("DMARC policy back to reject"). */
export interface PostureRecovery {
  id: string;
  aspect: PostureAspect;
  text: string;
}

/** What a tick of a domain watch keeps between ticks (the mute is kept apart: a person sets it). */
export interface DomainWatchState {
  /** Taken when the watch was added, or when it was last accepted (watching the domain again). */
  baseline: PostureSnapshot;
  /** The last observation, unknown parts filled from the one before. */
  last: PostureSnapshot;
  /** The degradations the channel was last told about; empty when none are announced. */
  announced: PostureDegradation[];
  /** First observation of the degradations now seen; null while there are none. */
  degradedSince: string | null;
  /** The open incident: its host is the domain. */
  incident: Incident | null;
}

/** A sending domain a channel watches. */
export interface DomainWatch {
  channel: string;
  /** Lower case, no trailing dot. */
  domain: string;
  /** DKIM selectors asked for besides the usual ones and the baseline's. */
  selectors: string[];
  addedBy: string;
  addedAt: string;
  state: DomainWatchState;
  mute: Pick<Mute, 'until' | 'by'> | null;
}

/** A decision to announce a domain's change: an alert, or an update in its incident's thread. */
export interface DomainAlertNotice {
  domain: string;
  /** Degradations new since the last announcement. */
  worse: PostureDegradation[];
  /** Every degradation seen now. */
  degradations: PostureDegradation[];
  recovered: PostureRecovery[];
  /** The report's advice for what is wrong now, most severe first (already in words). */
  advice: string[];
  /** Set when the last degradation cleared: the incident is over. */
  resolved?: { since: string; at: string } | null;
}

export interface DomainResolvedNotice {
  domain: string;
  since: string;
  resolvedAt: string;
}

/** A domain watch as a list shows it. */
export interface DomainWatchView {
  channel: string;
  domain: string;
  addedBy: string;
  addedAt: string;
  baseline: PostureSnapshot;
  last: PostureSnapshot;
  degradations: PostureDegradation[];
  mutedUntil: string | null;
  incidentSince: string | null;
}
