import type { Logger } from '../../log.js';
import type { SlackMessage } from '../../render/slack-blocks.js';
import type { Chat, PostedMessage } from './chat.js';

export interface LiveMessage {
  /** Shows a newer state; updates are coalesced, so a burst of ports costs one or two calls. */
  show(message: SlackMessage): void;
  /** Waits for any update in flight, then sends the final state; nothing after it can overwrite it. */
  finish(message: SlackMessage): Promise<void>;
}

/**
 * A message that is updated as work progresses. One update at a time, latest state wins: Slack
 * rate-limits chat.update, and an older progress update landing after the final one would undo it.
 */
export function createLiveMessage(chat: Chat, target: PostedMessage, logger: Logger): LiveMessage {
  let pending: SlackMessage | null = null;
  let running: Promise<void> | null = null;
  let finished = false;

  const pump = async (): Promise<void> => {
    while (pending !== null) {
      const message = pending;
      pending = null;
      try {
        await chat.update(target, message);
      } catch (error) {
        // A lost progress update is cosmetic: the final update re-sends everything.
        logger.warn('progress update failed', { error, channel: target.channel, ts: target.ts });
      }
    }
    running = null;
  };

  return {
    show(message) {
      if (finished) return;
      pending = message;
      running ??= pump();
    },
    async finish(message) {
      finished = true;
      pending = null;
      if (running) await running;
      await chat.update(target, message);
    },
  };
}
