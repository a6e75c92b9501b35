import type { SlackMessage } from '../render/slack-blocks.js';

/**
 * Where watch messages go: Slack in production, the console in console mode, a recorder in tests.
 * A method that throws means "not delivered": the tick keeps the announcement pending and tries
 * again on the next one.
 */
export interface AlertNotifier {
  /** Posts a top-level message in the channel; an incident's thread hangs under its ts. */
  postAlert(channel: string, message: SlackMessage): Promise<{ ts: string }>;
  postInThread(channel: string, threadTs: string, message: SlackMessage): Promise<{ ts: string }>;
  /** Replaces a message (blocks included). */
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
}
