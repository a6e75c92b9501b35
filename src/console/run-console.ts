import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Admit } from '../check/admission.js';
import type { RunCheck } from '../check/types.js';
import { createLogger, type Logger } from '../log.js';
import { type CheckResults, createUseCases, type Requester } from '../chat/use-cases/index.js';
import type { WatchCommands } from '../watch/index.js';
import { type ConsoleChat, createConsoleChat } from './console-chat.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  runCheck: RunCheck;
  logger?: Logger;
  results?: CheckResults;
  /** Port allow-list and rate limits for chat-started checks. */
  admit?: Admit;
  /** The watch use cases: `watch`, `unwatch`, `list`, `mute`, `history` and `home` work with them. */
  watches?: WatchCommands;
  /**
   * Where messages are printed. Pass the one the scheduler's notifier uses (see consoleChatFor), so
   * alerts and commands share one message numbering and an alert's thread points at the right #.
   */
  chat?: ConsoleChat;
  /** Ends the console as end of input would (its output has nowhere to go). */
  stop?: AbortSignal;
  /** Prompt shown when input is a terminal. */
  prompt?: string;
}

export const CONSOLE_USER = 'U0CONSOLE';
export const CONSOLE_CHANNEL = 'console';

const INTRO = [
  'smtp-check console: type `/smtp-check host` (or just `host`), `help`,',
  '`recheck` or `config` for the last check, `watch host`, `list`, `home`,',
  '`quit` to leave. Scheduled re-tests print their alerts here.',
  '',
  '',
].join('\n');

/** Width of a terminal; 80 when it does not say. */
function columnsOf(output: { columns?: number }): number {
  return typeof output.columns === 'number' && output.columns > 0 ? output.columns : 80;
}

/**
 * The console's Chat, printing to output, with the console user shown as `you`. On a terminal,
 * lines are wrapped to its width; into a pipe or a file they are left whole.
 */
export function consoleChatFor(output: Writable & { isTTY?: boolean; columns?: number }): ConsoleChat {
  return createConsoleChat((text) => void output.write(text), {
    users: { [CONSOLE_USER]: 'you' },
    ...(output.isTTY === true ? { columns: () => columnsOf(output) } : {}),
  });
}

/**
 * A local stand-in for Slack: reads commands line by line (a prompt on a terminal), runs them
 * through the same use cases as the bot, and prints what would be posted. Each line finishes
 * before the next is read, so the output reads in order. Resolves at end of input.
 */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const write = (text: string): void => {
    options.output.write(text);
  };
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const chat = options.chat ?? consoleChatFor(options.output);
  const useCases = createUseCases({
    chat,
    runCheck: options.runCheck,
    logger,
    ...(options.results ? { results: options.results } : {}),
    ...(options.admit ? { admit: options.admit } : {}),
    ...(options.watches ? { watches: options.watches } : {}),
  });
  const requester: Requester = {
    channelId: CONSOLE_CHANNEL,
    userId: CONSOLE_USER,
    respond: async (message) => chat.printEphemeral(message),
  };
  const interactive = (options.input as { isTTY?: boolean }).isTTY === true;
  const lines = createInterface({
    input: options.input,
    ...(interactive ? { output: options.output, prompt: options.prompt ?? 'smtp-check> ' } : {}),
    terminal: interactive,
  });

  let stopped = false;
  const stop = (): void => {
    stopped = true;
    lines.close();
  };
  if (options.stop?.aborted) stop();
  else options.stop?.addEventListener('abort', stop, { once: true });

  const handle = async (line: string): Promise<boolean> => {
    const text = line.trim();
    if (text === '') return true;
    if (/^(quit|exit|\\q)$/i.test(text)) return false;
    const words = text.replace(/^\/smtp-check\b/, '').trim();
    const last = chat.lastParent();
    if (/^(recheck|re-check|rerun|re-run)$/i.test(words)) {
      if (last) await useCases.rerun(requester, last);
      else write('Nothing to re-check yet: run `/smtp-check host` first.\n\n');
    } else if (/^(config|show config)$/i.test(words)) {
      if (last) await useCases.showConfig(requester, last);
      else write('No check yet: run `/smtp-check host` first.\n\n');
    } else if (/^home$/i.test(words)) {
      await useCases.homeOpened(CONSOLE_USER);
    } else {
      await useCases.command(requester, words);
    }
    return true;
  };

  if (interactive) {
    write(INTRO);
    lines.prompt();
  }
  for await (const line of lines) {
    if (stopped || !(await handle(line))) break;
    if (interactive) lines.prompt();
  }
  lines.close();
  options.stop?.removeEventListener('abort', stop);
  await useCases.inFlight.idle();
}
