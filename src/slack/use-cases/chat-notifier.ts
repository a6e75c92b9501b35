import type { AlertNotifier } from '../../watch/index.js';
import type { Chat } from './chat.js';

/** Watch alerts go through the same Chat as checks: Slack's Web API, or the console's printer. */
export function chatNotifier(chat: Chat): AlertNotifier {
  return {
    postAlert: (channel, message) => chat.post(channel, message),
    postInThread: (channel, threadTs, message) => chat.post(channel, message, { threadTs }),
    updateMessage: (channel, ts, message) => chat.update({ channel, ts }, message),
  };
}
