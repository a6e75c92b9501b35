import { renderAlert, renderIncidentUpdate, renderResolvedAlert } from '../../render/alerts.js';
import {
  renderDomainAlert,
  renderDomainIncidentUpdate,
  renderDomainResolvedAlert,
} from '../../render/domain-alerts.js';
import type { AlertNotifier } from '../../watch/index.js';
import type { Chat } from './chat.js';
import { postRecoveryPicture, type RecoveryPictureSource } from './history-picture.js';

/**
 * Watch alerts go through the same Chat as checks: Slack's Web API, or the console's printer.
 * The watch tick decides what to say; this adapter draws it. With `pictures`, a recovery in an
 * incident thread is followed by the picture of its day.
 */
export function chatNotifier(chat: Chat, pictures?: RecoveryPictureSource): AlertNotifier {
  const notifier: AlertNotifier = {
    postAlert: (channel, alert, options = {}) => chat.post(channel, renderAlert(alert), options),
    postInThread: async (channel, threadTs, update, options = {}) => {
      const posted = await chat.post(channel, renderIncidentUpdate(update), { ...options, threadTs });
      if (pictures) await postRecoveryPicture(chat, pictures, channel, threadTs, update);
      return posted;
    },
    markResolved: (channel, ts, resolved) => chat.update({ channel, ts }, renderResolvedAlert(resolved)),
    postDomainAlert: (channel, alert, options = {}) => chat.post(channel, renderDomainAlert(alert), options),
    postDomainInThread: (channel, threadTs, update, options = {}) =>
      chat.post(channel, renderDomainIncidentUpdate(update), { ...options, threadTs }),
    markDomainResolved: (channel, ts, resolved) =>
      chat.update({ channel, ts }, renderDomainResolvedAlert(resolved)),
  };
  const findPost = chat.findPost?.bind(chat);
  if (findPost) notifier.findPost = findPost;
  return notifier;
}
