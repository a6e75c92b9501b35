import type { AlertNotice, ResolvedNotice } from '../watch-model/types.js';

/**
 * Where watch decisions go: an adapter draws them (Slack blocks, console text) and posts them. A
 * method that throws means "not delivered": the tick keeps the announcement pending and tries
 * again on the next one. `key` names the announcement (see the post ledger): the adapter tags the
 * message with it, so findPost can tell whether a post whose answer was lost reached the channel.
 */
export interface AlertNotifier {
  /** Posts a top-level alert in the channel; an incident's thread hangs under its ts. */
  postAlert(channel: string, alert: AlertNotice, options?: { key?: string }): Promise<{ ts: string }>;
  /** Posts what changed during an open incident in its thread. */
  postInThread(
    channel: string,
    threadTs: string,
    update: AlertNotice,
    options?: { key?: string },
  ): Promise<{ ts: string }>;
  /** Replaces the incident's alert message with its resolution. */
  markResolved(channel: string, alertTs: string, resolved: ResolvedNotice): Promise<void>;
  /**
   * The message posted earlier with `key` (since `since`, in the thread of threadTs when given), or
   * null. Absent where a post cannot be lost: such an announcement is simply posted again.
   */
  findPost?(
    channel: string,
    key: string,
    options: { since: Date; threadTs?: string },
  ): Promise<{ ts: string } | null>;
}
