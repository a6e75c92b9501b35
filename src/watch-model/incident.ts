// An incident and a mute, shared by host watches (types.ts) and domain watches (domain-watch.ts):
// a leaf of its own, so neither of those files imports the other back.

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
