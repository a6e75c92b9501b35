import { parseCheckWords } from '../../check/index.js';
import type { CheckRequest } from '../../check/types.js';
import { WATCH_VERBS, type WatchVerb } from '../../render/slack-usage.js';
import { splitVantageWords, type VantageSelection } from './vantage-words.js';

/** A watch command with its words split out; the watch use cases validate host, ports and duration. */
export type WatchCommand =
  | { verb: 'watch'; host: string; ports: string }
  | { verb: 'unwatch'; host: string }
  | { verb: 'list' }
  | { verb: 'mute'; host: string; duration: string }
  | { verb: 'history'; host: string };

export type Command =
  | { kind: 'help'; problem?: string }
  /** `from` names the vantages to probe from; absent means the bot's own network only. */
  | { kind: 'check'; request: CheckRequest; from?: VantageSelection }
  | { kind: 'vantages' }
  | { kind: 'watch'; command: WatchCommand }
  | { kind: 'recheck' };

const isWatchVerb = (word: string): word is WatchVerb => (WATCH_VERBS as readonly string[]).includes(word);

// Plain words: renderUsage escapes the problem (it may echo what was typed) and sets host names in code.
const USAGE: Record<WatchVerb, string> = {
  watch: 'watch needs a host, as in /smtp-check watch smtp.example.com (ports optional: 25,587)',
  unwatch: 'unwatch needs a host, as in /smtp-check unwatch smtp.example.com',
  list: '',
  mute: 'mute needs a host and a duration, as in /smtp-check mute smtp.example.com 2h (or off)',
  history: 'history needs a host, as in /smtp-check history smtp.example.com',
};

function parseWatchCommand(verb: WatchVerb, words: string[]): Command {
  const [host, ...rest] = words;
  if (verb === 'list') return { kind: 'watch', command: { verb } };
  if (host === undefined || (verb === 'mute' && rest.length === 0)) {
    return { kind: 'help', problem: USAGE[verb] };
  }
  switch (verb) {
    case 'watch':
      return { kind: 'watch', command: { verb, host, ports: rest.join(',') } };
    case 'mute':
      return { kind: 'watch', command: { verb, host, duration: rest.join(' ') } };
    case 'unwatch':
    case 'history':
      return { kind: 'watch', command: { verb, host } };
  }
}

/** Words of the terminal's credential and send tests (`--user`, `--from`, `--to`) and password-like words. */
const CREDENTIAL_WORD = /^(--user|--from|--to|--pass(word)?|-u)(=|$)/i;
const PASSWORD_WORD =
  /^(--pass(word)?(=.+)?|SMTP_PASSWORD=.+|pass(word)?[=:].+|smtps?:\/\/[^/@\s]*:[^/@\s]+@.*)$/i;

/**
 * A credential or send test asked for in chat: refused, because the password would sit in the
 * channel's history; a password already typed gets a warning to change it.
 */
function credentialRefusal(words: string[]): Command | null {
  const passwordSeen = words.some(
    (word, index) => PASSWORD_WORD.test(word) || /^--pass(word)?$/i.test(words[index - 1] ?? ''),
  );
  if (!passwordSeen && !words.some((word) => CREDENTIAL_WORD.test(word))) return null;
  const terminal =
    'Credential and send tests run only in the terminal, where the password never enters chat: npx smtp-check HOST --user NAME (the password comes from a prompt or SMTP_PASSWORD), and --from ADDRESS --to ADDRESS to send a test message.';
  return {
    kind: 'help',
    problem: passwordSeen
      ? `⚠️ That command looks like it carried a password: change that password now, since chat keeps what is typed. ${terminal}`
      : terminal,
  };
}

/** What follows `/smtp-check` (or a mention of the bot), as one of the things the bot does. */
export function parseCommand(text: string): Command {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const verb = first.toLowerCase();
  if (trimmed === '' || verb === 'help' || verb === '-h' || verb === '--help') return { kind: 'help' };
  if (isWatchVerb(verb)) return parseWatchCommand(verb, rest);
  if (/^(recheck|re-check|rerun|re-run)$/.test(verb)) return { kind: 'recheck' };
  if (verb === 'vantages' && rest.length === 0) return { kind: 'vantages' };
  const refusal = credentialRefusal(trimmed.split(/\s+/));
  if (refusal) return refusal;
  const split = splitVantageWords(trimmed.split(/\s+/));
  if ('error' in split) return { kind: 'help', problem: split.error };
  const parsed = parseCheckWords(split.words);
  if (!parsed.ok) return { kind: 'help', problem: parsed.error };
  return split.selection
    ? { kind: 'check', request: parsed.request, from: split.selection }
    : { kind: 'check', request: parsed.request };
}
