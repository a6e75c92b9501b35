import { VANTAGE_NAME_PATTERN } from '../../diagnose/vantage-types.js';
import { MAX_VANTAGES } from '../../vantage/vantage-limit.js';
import { SLASH_COMMAND } from '../../text/slash-command.js';

export { limitVantages, MAX_VANTAGES } from '../../vantage/vantage-limit.js';

/** Which networks a check or a watch asks: every known vantage, or the ones named. */
export type VantageSelection = { kind: 'all' } | { kind: 'named'; names: string[] };

const TOO_MANY = `at most ${MAX_VANTAGES} vantages per check, not counting the own network (always probed too)`;

/**
 * Splits `host [ports] from aws-eu,office` (or `from all`) into the words before `from` and the
 * vantages after it. Names are separated by commas or spaces and compared in lower case. No
 * `from` leaves the words as they are, with no selection (the bot's own network). `own`: the own
 * network's name, which may be named and does not count toward MAX_VANTAGES.
 */
export function splitVantageWords(
  words: string[],
  options: { own?: string } = {},
): { words: string[]; selection: VantageSelection | null } | { error: string } {
  // The first word is the host, even a host called "from".
  const at = words.findIndex((word, index) => index > 0 && word.toLowerCase() === 'from');
  if (at < 0) return { words, selection: null };
  const names = words
    .slice(at + 1)
    .join(',')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) {
    return { error: '`from` needs the networks to probe from, as in `from aws-eu,office` or `from all`' };
  }
  if (names.includes('all')) {
    if (names.length > 1) return { error: '`from all` asks every vantage; leave out the other names' };
    return { words: words.slice(0, at), selection: { kind: 'all' } };
  }
  const bad = names.find((name) => !VANTAGE_NAME_PATTERN.test(name));
  if (bad !== undefined) {
    return {
      error: `\`${bad.slice(0, 40)}\` is not a vantage name: lower-case letters, digits and hyphens, as in aws-eu (\`${SLASH_COMMAND} vantages\` lists them)`,
    };
  }
  const unique = [...new Set(names)];
  const others = unique.filter((name) => name !== options.own).length;
  if (others > MAX_VANTAGES) return { error: `${TOO_MANY}; got ${others}` };
  return { words: words.slice(0, at), selection: { kind: 'named', names: unique } };
}
