import { slackText } from './sanitize.js';
import { type Block, context, section, type SlackMessage } from './slack-blocks.js';
import { fitMessage } from './slack-limits.js';

export const WATCH_VERBS = ['watch', 'unwatch', 'list', 'mute', 'history'] as const;
export type WatchVerb = (typeof WATCH_VERBS)[number];

export const USAGE_LINES = [
  '`/smtp-check smtp.example.com` — probe 25, 465, 587 and 2525 (plus the provider’s own ports)',
  '`/smtp-check smtp.example.com 25,587` — only these ports',
  '`/smtp-check smtp.example.com:2587` — one port',
  '`/smtp-check you@example.com` — the domain’s MX hosts',
  '`/smtp-check help` — this message',
  'In a check’s thread: `@smtp-check recheck` probes again and says what changed',
];

/** The ephemeral answer to `help` and to anything that cannot be read; problem is echoed escaped. */
export function renderUsage(problem?: string): SlackMessage {
  const blocks: Block[] = [];
  if (problem) blocks.push(section(`*I couldn’t read that:* ${slackText(problem, 500)}`));
  blocks.push(section(`*What to type*\n${USAGE_LINES.map((line) => `• ${line}`).join('\n')}`));
  blocks.push(context(`Coming with watches: ${WATCH_VERBS.map((verb) => `\`${verb}\``).join(', ')}`));
  const text = problem ? `I couldn’t read that: ${slackText(problem, 500)}` : 'How to use /smtp-check';
  return fitMessage({ text, blocks });
}

/** The placeholder for watch commands and the Watch button until watches exist. */
export function renderComingWithWatches(verb: WatchVerb): SlackMessage {
  const text = `\`${verb}\` is coming with watches (scheduled re-tests and alerts). For now, run \`/smtp-check host\` whenever you want a fresh look.`;
  return fitMessage({ text, blocks: [section(text)] });
}
