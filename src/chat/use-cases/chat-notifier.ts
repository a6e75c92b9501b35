import { renderAlert, renderIncidentUpdate, renderResolvedAlert } from '../../render/alerts.js';
import type { AlertNotifier } from '../../watch/index.js';
import type { Chat } from './chat.js';

/**
 * Watch alerts go through the same Chat as checks: Slack's Web API, or the console's printer.
 * The watch tick decides what to say; this adapter draws it.
 */
export function chatNotifier(chat: Chat): AlertNotifier {
  const notifier: AlertNotifier = {
    postAlert: (channel, alert, options = {}) => chat.post(channel, renderAlert(alert), options),
    postInThread: (channel, threadTs, update, options = {}) =>
      chat.post(channel, renderIncidentUpdate(update), { ...options, threadTs }),
    markResolved: (channel, ts, resolved) => chat.update({ channel, ts }, renderResolvedAlert(resolved)),
  };
  const findPost = chat.findPost?.bind(chat);
  if (findPost) notifier.findPost = findPost;
  return notifier;
}
