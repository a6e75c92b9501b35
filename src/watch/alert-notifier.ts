import type { DomainAlertNotice, DomainResolvedNotice } from '../watch-model/domain-watch.js';
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
  // A domain watch's messages. Optional so that a notifier made for host watches alone (a bench,
  // a test's fake) still is one; where they are absent, a domain's announcement is not delivered
  // and stays pending, as one the chat refused.
  /** Posts a domain watch's alert in the channel; its incident's thread hangs under its ts. */
  postDomainAlert?(
    channel: string,
    alert: DomainAlertNotice,
    options?: { key?: string },
  ): Promise<{ ts: string }>;
  /** Posts what changed during a domain's open incident (its recovery included) in its thread. */
  postDomainInThread?(
    channel: string,
    threadTs: string,
    update: DomainAlertNotice,
    options?: { key?: string },
  ): Promise<{ ts: string }>;
  /** Replaces a domain incident's alert message with its resolution. */
  markDomainResolved?(channel: string, alertTs: string, resolved: DomainResolvedNotice): Promise<void>;
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
