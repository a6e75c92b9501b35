import { parseCheckRequest } from '../../check/index.js';
import type { CheckRequest } from '../../check/types.js';
import { WATCH_VERBS, type WatchVerb } from '../../render/slack-usage.js';

export type Command =
  | { kind: 'help'; problem?: string }
  | { kind: 'check'; request: CheckRequest }
  | { kind: 'watch'; verb: WatchVerb }
  | { kind: 'recheck' };

const isWatchVerb = (word: string): word is WatchVerb => (WATCH_VERBS as readonly string[]).includes(word);

/** What follows `/smtp-check` (or a mention of the bot), as one of the things the bot does. */
export function parseCommand(text: string): Command {
  const trimmed = text.trim();
  const first = (trimmed.split(/\s+/)[0] ?? '').toLowerCase();
  if (trimmed === '' || first === 'help' || first === '-h' || first === '--help') return { kind: 'help' };
  if (isWatchVerb(first)) return { kind: 'watch', verb: first };
  if (/^(recheck|re-check|rerun|re-run)$/.test(first)) return { kind: 'recheck' };
  const parsed = parseCheckRequest(trimmed);
  return parsed.ok ? { kind: 'check', request: parsed.request } : { kind: 'help', problem: parsed.error };
}
