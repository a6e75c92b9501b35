import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HomeView, SlackMessage } from '../render/slack-blocks.js';
import { displayWidth, wrapColumns } from '../render/display-width.js';
import { escapeControls } from '../text/sanitize.js';
import type { Chat, PostedMessage } from '../chat/use-cases/index.js';
import { section } from '../render/slack-blocks.js';
import { blocksToText, type TextOptions } from '../render/blocks-to-text.js';

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
export interface ConsoleChatOptions extends TextOptions {
  /**
   * The terminal's width when printing to one (read at every message, so a resize is followed):
   * lines are wrapped to fit. Code lines (indented four spaces: configuration to copy) are left whole.
   */
  columns?: () => number;
}

function fitTerminal(text: string, columns: number): string {
  return text
    .split('\n')
    .flatMap((line) =>
      line.startsWith('    ') || displayWidth(line) < columns
        ? [line]
        : wrapColumns(line, columns - 1, '    '),
    )
    .join('\n');
}

export function createConsoleChat(
  write: (text: string) => void,
  options: ConsoleChatOptions = {},
): ConsoleChat {
  let counter = 0;
  const numbers = new Map<string, number>();
  let last: PostedMessage | null = null;

  const show = (title: string, message: SlackMessage): void => {
    // Messages quote what was typed and what servers said; whatever a renderer let through, no
    // control character reaches the terminal from here.
    const text = escapeControls(blocksToText(message.blocks, options), { keepNewlines: true });
    write(`── ${title}\n${options.columns ? fitTerminal(text, options.columns()) : text}\n\n`);
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
    // A terminal shows no pictures: the PNG goes to a temporary file, and its path is printed.
    async uploadImage(channel, image, { threadTs } = {}) {
      const directory = await mkdtemp(join(tmpdir(), 'smtp-check-'));
      const path = join(directory, image.filename.replace(/[^\w.-]+/g, '-'));
      await writeFile(path, image.png);
      const where = threadTs ? `picture, in the thread of ${numberOf(threadTs)}` : `picture in #${channel}`;
      show(where, { text: image.comment, blocks: [section(`${image.comment}\n🖼 ${path}`)] });
    },
    lastParent: () => last,
    printEphemeral: (message) => show('only you can see this', message),
  };
}
