import type { AlertNotice, ResolvedNotice } from './types.js';

/**
 * Where watch decisions go: an adapter draws them (Slack blocks, console text) and posts them. A
 * method that throws means "not delivered": the tick keeps the announcement pending and tries
 * again on the next one.
 */
export interface AlertNotifier {
  /** Posts a top-level alert in the channel; an incident's thread hangs under its ts. */
  postAlert(channel: string, alert: AlertNotice): Promise<{ ts: string }>;
  /** Posts what changed during an open incident in its thread. */
  postInThread(channel: string, threadTs: string, update: AlertNotice): Promise<{ ts: string }>;
  /** Replaces the incident's alert message with its resolution. */
  markResolved(channel: string, alertTs: string, resolved: ResolvedNotice): Promise<void>;
}
