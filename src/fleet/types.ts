import type { Incident, PortAlertStates, VantageAlertStates } from '../watch-model/types.js';

// What a scheduled tick needs from the fleet: which hosts this replica re-tests, and whether an
// announcement may be posted. A single process answers "all of them" and "yes"
// (createLocalCoordinator); replicas sharing PostgreSQL answer from the database
// (createPgFleetCoordinator).

export interface FleetCoordinator {
  /** Who this replica is, in the database's claims (host name, pid, a random part). */
  readonly replica: string;
  /**
   * Opens this replica's share of the tick of `slot` (the schedule's slot time, the same on every
   * replica) over the hosts it sees watched, in the order it would re-test them.
   */
  openTick(slot: Date, hosts: string[]): Promise<TickClaims>;
  readonly posts: PostLedger;
}

export interface TickClaims {
  /**
   * The next host this replica re-tests in this tick; null when none is left for it. Rejects with
   * StoreError when the database fails: the tick ends there and the next one starts afresh.
   */
  next(): Promise<string | null>;
  /** The host was re-tested: no replica claims it again in this tick. */
  done(host: string): Promise<void>;
  /** Stops renewing this replica's leases. Hosts not done are left for their leases to expire. */
  close(): Promise<void>;
}

/** What a watch announcement is, for the ledger: one post per (channel, host, kind, slot). */
export const POST_KINDS = ['alert', 'notice', 'update', 'reminder', 'recovery'] as const;
export type PostKind = (typeof POST_KINDS)[number];

export interface PostIntent {
  channel: string;
  host: string;
  kind: PostKind;
  /** What makes this post unique within its kind: the outage start, a reminder's slot, the events. */
  slot: string;
  /** Short stable id of (channel, host, kind, slot), carried in the Slack message's metadata. */
  key: string;
}

export type PostDecision =
  /** Nobody posted it: post now. */
  | { action: 'post' }
  /**
   * An earlier attempt may have reached Slack (its answer was lost, or the replica died): look
   * for the message tagged with the key, posted since `since`, before posting again.
   */
  | { action: 'look-up'; since: Date }
  /** It was posted already (by this replica or another): use its ts, post nothing. */
  | { action: 'adopt'; ts: string }
  /** Another replica is posting it right now: say nothing this tick. */
  | { action: 'busy' };

/** A post Slack accepted (or that was found in the channel), by its key. */
export interface PostedKey {
  key: string;
  ts: string;
}

/** A watch's alert states as the tick saves them (see WatchStore.saveAlertStates). */
export interface WatchStatesWrite {
  channel: string;
  host: string;
  states: PortAlertStates;
  incident?: Incident | null;
  /** A watch from vantages: every vantage's states (see WatchStore.saveAlertStates). */
  vantages?: VantageAlertStates;
}

export interface PostLedger {
  /** Records the intent to post (before posting) and says what to do. Rejects with StoreError. */
  begin(intent: PostIntent): Promise<PostDecision>;
  /**
   * Saves the states that announce `posts` and records the posts as posted — in one transaction
   * when the store is the fleet's database. `save` is the store's own write, for the other cases.
   * Until this succeeds the posts stay pending, and a later tick looks them up.
   */
  commit(posts: PostedKey[], write: WatchStatesWrite, save: () => Promise<void>): Promise<void>;
  /** The post was not confirmed: a later tick retries it, looking it up first. */
  release(key: string): Promise<void>;
}
