import { createInterface } from 'node:readline';
import type { VantageProbes } from '../vantage/types.js';
import { type Readable, Writable } from 'node:stream';
import { runCli } from '../cli/run-cli.js';
import type { SessionTests } from '../cli/session-tests.js';
import { escapeControls } from '../text/sanitize.js';
import type { Admit, AsyncAdmit } from '../check/admission.js';
import type { RunCheck } from '../check/types.js';
import { createLogger, type Logger } from '../log.js';
import { type CheckResults, createUseCases, type Requester } from '../chat/use-cases/index.js';
import type { WatchCommands } from '../watch/index.js';
import type { CheckDomain } from '../posture-report/index.js';
import { type ConsoleChat, createConsoleChat } from './console-chat.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  runCheck: RunCheck;
  logger?: Logger;
  results?: CheckResults;
  /** Port allow-list and rate limits for chat-started checks. */
  admit?: Admit | AsyncAdmit;
  /** The watch use cases: `watch`, `unwatch`, `list`, `mute`, `history` and `home` work with them. */
  watches?: WatchCommands;
  /** Probing from other networks (DATABASE_URL and workers); without it only the bot's own. */
  vantages?: VantageProbes;
  /** The bot's own vantage name (VANTAGE_NAME). */
  localVantage?: string;
  /**
   * Where messages are printed. Pass the one the scheduler's notifier uses (see consoleChatFor), so
   * alerts and commands share one message numbering and an alert's thread points at the right #.
   */
  chat?: ConsoleChat;
  /** Ends the console as end of input would (its output has nowhere to go). */
  stop?: AbortSignal;
  /** Prompt shown when input is a terminal. */
  prompt?: string;
  /** CHECK_TIMEZONE, for the times in history pictures (UTC when unset). */
  timeZone?: string;
  /** The domain report (`domain example.com`). */
  checkDomain?: CheckDomain;
  /**
   * The terminal's credential and send tests (`host --user NAME`, `--from A --to B`). The console
   * runs on the operator's own terminal, so it may ask for a password (no echo) as the CLI does;
   * without this option such a command gets the chat's refusal.
   */
  sessionTests?: SessionTests;
}

/** A command asking for a credential or send test: it runs as the terminal command would. */
const SESSION_TEST_WORD = /(^|\s)(--user|--from|--to)(=|\s|$)/i;

export const CONSOLE_USER = 'U0CONSOLE';
export const CONSOLE_CHANNEL = 'console';

const INTRO = [
  `smtp-check console: type \`${SLASH_COMMAND} host\` (or just \`host\`), \`help\`,`,
  '`recheck` or `config` for the last check, `domain example.com`, `watch host`,',
  '`list`, `home`, `host --user NAME` to test a login, `quit` to leave.',
  'Scheduled re-tests print their alerts here.',
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
    ...(options.vantages ? { vantages: options.vantages } : {}),
    ...(options.localVantage ? { localVantage: options.localVantage } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.checkDomain ? { checkDomain: options.checkDomain } : {}),
  });
  const requester: Requester = {
    channelId: CONSOLE_CHANNEL,
    userId: CONSOLE_USER,
    respond: async (message) => chat.printEphemeral(message),
  };
  const interactive = (options.input as { isTTY?: boolean }).isTTY === true;
  // readline echoes what is typed to its output; while a password is asked for, nothing is echoed.
  let echo = true;
  const shown = options.output as Writable & { columns?: number };
  const echoOutput = Object.defineProperty(
    new Writable({
      write(chunk, _encoding, done) {
        if (echo) shown.write(chunk);
        done();
      },
    }),
    'columns',
    { get: () => shown.columns },
  );
  const lines = createInterface({
    input: options.input,
    ...(interactive ? { output: echoOutput, prompt: options.prompt ?? 'smtp-check> ' } : {}),
    terminal: interactive,
  });
  const askPassword = (user: string): Promise<string | null> =>
    new Promise((resolve) => {
      write(`Password for ${escapeControls(user)} (not shown): `);
      echo = false;
      lines.question('', (answer) => {
        echo = true;
        write('\n');
        resolve(answer === '' ? null : answer);
      });
    });
  const sessionTests: SessionTests | null = options.sessionTests
    ? {
        ...options.sessionTests,
        password: async (user) =>
          (await options.sessionTests?.password(user)) ?? (interactive ? askPassword(user) : null),
      }
    : null;

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
      else write(`Nothing to re-check yet: run \`${SLASH_COMMAND} host\` first.\n\n`);
    } else if (/^(config|show config)$/i.test(words)) {
      if (last) await useCases.showConfig(requester, last);
      else write(`No check yet: run \`${SLASH_COMMAND} host\` first.\n\n`);
    } else if (/^home$/i.test(words)) {
      await useCases.homeOpened(CONSOLE_USER);
    } else if (sessionTests && SESSION_TEST_WORD.test(words)) {
      // Output gone (a closed pipe) ends the console; the test's own output is then dropped too.
      await runCli(
        words.split(/\s+/),
        { stdout: options.output, stderr: options.output, noColor: true },
        options.runCheck,
        sessionTests,
      );
      write('\n');
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
