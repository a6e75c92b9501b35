import { parseCheckWords, parseDomainWords } from '../../check/index.js';
import type { PostureRequest } from '../../posture/types.js';
import type { CheckRequest } from '../../check/types.js';
import { VANTAGE_NAME_PATTERN } from '../../diagnose/vantage-types.js';
import { WATCH_VERBS, type WatchVerb } from '../../render/slack-usage.js';
import { MAX_VANTAGES, splitVantageWords, type VantageSelection } from './vantage-words.js';
import { SLASH_COMMAND } from '../../text/slash-command.js';

/**
 * A watch command with its words split out; the watch use cases validate host, ports and duration.
 * `vantages`: the networks to watch from (`from office,aws-eu`, or `from all`); absent: the bot's own.
 */
export type WatchCommand =
  | { verb: 'watch'; host: string; ports: string; vantages?: string[] | 'all' }
  | { verb: 'unwatch'; host: string }
  | { verb: 'list' }
  | { verb: 'mute'; host: string; duration: string }
  | { verb: 'history'; host: string }
  /** `watch domain example.com [selector s1,s2]`: the words after `domain`, read by the watch use case. */
  | { verb: 'watch'; subject: 'domain'; words: string[] }
  | { verb: 'unwatch'; subject: 'domain'; domain: string }
  | { verb: 'mute'; subject: 'domain'; domain: string; duration: string };

export type Command =
  | { kind: 'help'; problem?: string }
  /** `from` names the vantages to probe from besides the bot's own network; absent: its own only. */
  | { kind: 'check'; request: CheckRequest; from?: VantageSelection }
  | { kind: 'vantages' }
  /** `domain example.com [selector s1,s2] [ip A]`: the domain's sending posture from DNS. */
  | { kind: 'domain'; request: PostureRequest }
  | { kind: 'watch'; command: WatchCommand }
  | { kind: 'recheck' };

const isWatchVerb = (word: string): word is WatchVerb => (WATCH_VERBS as readonly string[]).includes(word);

// Plain words: renderUsage escapes the problem (it may echo what was typed) and sets host names in code.
const USAGE: Record<WatchVerb, string> = {
  watch: `watch needs a host, as in ${SLASH_COMMAND} watch smtp.example.com (ports optional: 25,587; networks optional: from office,aws-eu)`,
  unwatch: `unwatch needs a host, as in ${SLASH_COMMAND} unwatch smtp.example.com`,
  list: '',
  mute: `mute needs a host and a duration, as in ${SLASH_COMMAND} mute smtp.example.com 2h (or off)`,
  history: `history needs a host, as in ${SLASH_COMMAND} history smtp.example.com`,
};

/**
 * The words after `from` in `watch host [ports] from office,aws-eu` (commas or spaces between
 * names; `all` alone means every vantage known when the watch is added).
 */
function parseVantages(words: string[]): { vantages: string[] | 'all' } | { problem: string } {
  const names = words
    .join(',')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) {
    return {
      problem: `from needs the networks to watch from, as in ${SLASH_COMMAND} watch smtp.example.com from office,aws-eu (or from all)`,
    };
  }
  if (names.includes('all')) {
    return names.length === 1
      ? { vantages: 'all' }
      : {
          problem:
            'from all means every network: type it alone, or name the networks, as in from office,aws-eu',
        };
  }
  const bad = names.find((name) => !VANTAGE_NAME_PATTERN.test(name));
  if (bad !== undefined) {
    return {
      problem: `${bad} is not a network name: names are lower-case letters, digits and inner hyphens (at most 32), as in from office,aws-eu`,
    };
  }
  const unique = [...new Set(names)];
  if (unique.length > MAX_VANTAGES) {
    return {
      problem: `a watch asks at most ${MAX_VANTAGES} networks (got ${unique.length}): name the ones whose mail matters most`,
    };
  }
  return { vantages: unique };
}

function parseWatch(host: string, rest: string[]): Command {
  const at = rest.findIndex((word) => word.toLowerCase() === 'from');
  const ports = (at === -1 ? rest : rest.slice(0, at)).join(',');
  if (at === -1) return { kind: 'watch', command: { verb: 'watch', host, ports } };
  const from = parseVantages(rest.slice(at + 1));
  if ('problem' in from) return { kind: 'help', problem: from.problem };
  return { kind: 'watch', command: { verb: 'watch', host, ports, vantages: from.vantages } };
}

/** `watch|unwatch|mute domain …`: a sending domain's watch, apart from a host's. */
function parseDomainWatch(verb: WatchVerb, words: string[]): Command | null {
  const [domain, ...rest] = words;
  if (verb === 'watch') return { kind: 'watch', command: { verb, subject: 'domain', words } };
  if (verb !== 'unwatch' && verb !== 'mute') return null;
  if (domain === undefined || (verb === 'mute' && rest.length === 0)) {
    return {
      kind: 'help',
      problem:
        verb === 'mute'
          ? `mute domain needs a domain and a duration, as in ${SLASH_COMMAND} mute domain example.com 2h (or off)`
          : `unwatch domain needs a domain, as in ${SLASH_COMMAND} unwatch domain example.com`,
    };
  }
  return verb === 'mute'
    ? { kind: 'watch', command: { verb, subject: 'domain', domain, duration: rest.join(' ') } }
    : { kind: 'watch', command: { verb, subject: 'domain', domain } };
}

function parseWatchCommand(verb: WatchVerb, words: string[]): Command {
  const [host, ...rest] = words;
  if (host?.toLowerCase() === 'domain') {
    const domainWatch = parseDomainWatch(verb, rest);
    if (domainWatch) return domainWatch;
  }
  if (verb === 'list') return { kind: 'watch', command: { verb } };
  if (host === undefined || (verb === 'mute' && rest.length === 0)) {
    return { kind: 'help', problem: USAGE[verb] };
  }
  switch (verb) {
    case 'watch':
      return parseWatch(host, rest);
    case 'mute':
      return { kind: 'watch', command: { verb, host, duration: rest.join(' ') } };
    case 'unwatch':
      return { kind: 'watch', command: { verb, host } };
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

/**
 * What follows `/smtp-check` (or a mention of the bot), as one of the things the bot does.
 * `localVantage`: the bot's own network, which a check may name besides MAX_VANTAGES others.
 */
export function parseCommand(text: string, options: { localVantage?: string } = {}): Command {
  const trimmed = text.trim();
  const words = trimmed.split(/\s+/);
  const [first = '', ...rest] = words;
  const verb = first.toLowerCase();
  if (trimmed === '') return { kind: 'help' };
  // Before anything else reads the words: a password typed into a watch (`watch host --password=…`)
  // is as exposed as one typed into a check, and is never echoed back as a bad port or host.
  const refusal = credentialRefusal(words);
  if (refusal) return refusal;
  if (verb === 'help' || verb === '-h' || verb === '--help') return { kind: 'help' };
  if (isWatchVerb(verb)) return parseWatchCommand(verb, rest);
  if (/^(recheck|re-check|rerun|re-run)$/.test(verb)) return { kind: 'recheck' };
  if (verb === 'vantages' && rest.length === 0) return { kind: 'vantages' };
  if (verb === 'domain') {
    const parsed = parseDomainWords(rest);
    return 'error' in parsed
      ? { kind: 'help', problem: parsed.error }
      : { kind: 'domain', request: parsed.request };
  }
  const split = splitVantageWords(words, options.localVantage ? { own: options.localVantage } : {});
  if ('error' in split) return { kind: 'help', problem: split.error };
  const parsed = parseCheckWords(split.words, {
    command: SLASH_COMMAND,
    trailing: words.slice(split.words.length).join(' '),
  });
  if (!parsed.ok) return { kind: 'help', problem: parsed.error };
  return split.selection
    ? { kind: 'check', request: parsed.request, from: split.selection }
    : { kind: 'check', request: parsed.request };
}
