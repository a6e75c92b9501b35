import type { HomeView, SlackMessage } from '../render/slack-blocks.js';
import { escapeControls } from '../render/sanitize.js';
import type { Chat, PostedMessage } from '../slack/use-cases/index.js';
import { blocksToText, type TextOptions } from './blocks-to-text.js';

export interface ConsoleChat extends Chat {
  /** The last top-level message posted (a check's parent), for `recheck` and `config`. */
  lastParent(): PostedMessage | null;
  /** Prints an ephemeral answer (what response_url would show). */
  printEphemeral(message: SlackMessage): void;
}

/**
 * A Chat that prints what would be posted: each message numbered, updates and thread replies
 * pointing at the message they belong to, ephemerals marked as such.
 */
export function createConsoleChat(write: (text: string) => void, options: TextOptions = {}): ConsoleChat {
  let counter = 0;
  const numbers = new Map<string, number>();
  let last: PostedMessage | null = null;

  const show = (title: string, message: SlackMessage): void => {
    // Messages quote what was typed and what servers said; whatever a renderer let through, no
    // control character reaches the terminal from here.
    write(
      `── ${title}\n${escapeControls(blocksToText(message.blocks, options), { keepNewlines: true })}\n\n`,
    );
  };
  const numberOf = (ts: string): string => `#${numbers.get(ts) ?? '?'}`;

  return {
    async post(channel, message, { threadTs } = {}) {
      counter += 1;
      const ts = `1700000000.${String(counter).padStart(6, '0')}`;
      numbers.set(ts, counter);
      const posted = { channel, ts };
      if (threadTs) show(`message #${counter}, reply in the thread of ${numberOf(threadTs)}`, message);
      else {
        last = posted;
        show(`message #${counter} in #${channel}`, message);
      }
      return posted;
    },
    async update(target, message) {
      show(`message ${numberOf(target.ts)} updated`, message);
    },
    async postEphemeral(_channel, _userId, message) {
      show('only you can see this', message);
    },
    async publishHome(_userId, view: HomeView) {
      show('App Home', { text: '', blocks: view.blocks });
    },
    lastParent: () => last,
    printEphemeral: (message) => show('only you can see this', message),
  };
}
