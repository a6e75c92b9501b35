import { renderAlert, renderIncidentUpdate, renderResolvedAlert } from '../../render/alerts.js';
import type { AlertNotifier } from '../../watch/index.js';
import type { Chat } from './chat.js';

/**
 * Watch alerts go through the same Chat as checks: Slack's Web API, or the console's printer.
 * The watch tick decides what to say; this adapter draws it.
 */
export function chatNotifier(chat: Chat): AlertNotifier {
  return {
    postAlert: (channel, alert) => chat.post(channel, renderAlert(alert)),
    postInThread: (channel, threadTs, update) =>
      chat.post(channel, renderIncidentUpdate(update), { threadTs }),
    markResolved: (channel, ts, resolved) => chat.update({ channel, ts }, renderResolvedAlert(resolved)),
  };
}
