import { slackText } from '../text/sanitize.js';
import { type Block, section, type SlackMessage } from './slack-blocks.js';
import { fitMessage } from './slack-limits.js';

export const WATCH_VERBS = ['watch', 'unwatch', 'list', 'mute', 'history'] as const;
export type WatchVerb = (typeof WATCH_VERBS)[number];

// `&lt;host&gt;`: Slack reads a bare `<host>` as markup, even inside a code span.
export const USAGE_LINES = [
  '`/smtp-check smtp.example.com` — probe 25, 465, 587 and 2525 (plus the provider’s own ports)',
  '`/smtp-check smtp.example.com 25,587` — only these ports',
  '`/smtp-check smtp.example.com:2587` — one port',
  '`/smtp-check you@example.com` — the domain’s MX hosts',
  '`/smtp-check smtp.example.com from aws-eu,office` — probe from those networks too (`from all`: every vantage), to see whose network blocks a port',
  '`/smtp-check vantages` — the networks the bot can probe from, and when each was last heard from',
  '`/smtp-check help` — this message',
  'In a check’s thread: `@smtp-check recheck` probes again and says what changed',
];

export const WATCH_USAGE_LINES = [
  '`/smtp-check watch &lt;host&gt; [ports] [from office,aws-eu]` — re-test it on a schedule (from those networks) and alert this channel when a working port becomes blocked',
  '`/smtp-check unwatch &lt;host&gt;` — stop watching it here',
  '`/smtp-check list` — this channel’s watched hosts and their state',
  '`/smtp-check mute &lt;host&gt; 2h` — keep re-testing but say nothing for a while (`off` lifts it)',
  '`/smtp-check history &lt;host&gt;` — per port: state, since when, recent changes, uptime bar',
];

export const usageSection = (): Block =>
  section(`*What to type*\n${USAGE_LINES.map((line) => `• ${line}`).join('\n')}`);

export const watchUsageSection = (): Block =>
  section(`*Watches*\n${WATCH_USAGE_LINES.map((line) => `• ${line}`).join('\n')}`);

/** The ephemeral answer to `help` and to anything that cannot be read; problem is echoed escaped. */
export function renderUsage(problem?: string): SlackMessage {
  const blocks: Block[] = [];
  if (problem) blocks.push(section(`*I couldn’t read that:* ${slackText(problem, 500)}`));
  blocks.push(usageSection(), watchUsageSection());
  const text = problem ? `I couldn’t read that: ${slackText(problem, 500)}` : 'How to use /smtp-check';
  return fitMessage({ text, blocks });
}

/** A watch command in a setup without a watch store (tests, embedders): say so, not silence. */
export function renderWatchesUnavailable(verb: WatchVerb): SlackMessage {
  const text = `\`${verb}\` needs watches, and this bot runs without them. For now, run \`/smtp-check host\` whenever you want a fresh look.`;
  return fitMessage({ text, blocks: [section(text)] });
}
