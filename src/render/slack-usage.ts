import { slackText } from '../text/sanitize.js';
import { type Block, section, type SlackMessage } from './slack-blocks.js';
import { fitMessage } from './slack-limits.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

export const WATCH_VERBS = ['watch', 'unwatch', 'list', 'mute', 'history'] as const;
export type WatchVerb = (typeof WATCH_VERBS)[number];

// `&lt;host&gt;`: Slack reads a bare `<host>` as markup, even inside a code span.
export const USAGE_LINES = [
  `\`${SLASH_COMMAND} smtp.example.com\` — probe 25, 465, 587 and 2525 (plus the provider’s own ports)`,
  `\`${SLASH_COMMAND} smtp.example.com 25,587\` — only these ports`,
  `\`${SLASH_COMMAND} smtp.example.com:2587\` — one port`,
  `\`${SLASH_COMMAND} you@example.com\` — the domain’s MX hosts`,
  `\`${SLASH_COMMAND} smtp.example.com from aws-eu,office\` — probe from those networks too (\`from all\`: every vantage), to see whose network blocks a port`,
  `\`${SLASH_COMMAND} domain example.com [selector s1,s2] [ip 203.0.113.5]\` — the domain’s SPF, DKIM, DMARC, BIMI and MX, MTA-STS, DNSSEC and DANE, reverse DNS and blocklists, the mailbox providers’ sender rules, and the records to publish`,
  `\`${SLASH_COMMAND} vantages\` — the networks the bot can probe from, and when each was last heard from`,
  `\`${SLASH_COMMAND} help\` — this message`,
  'In a check’s thread: `@smtp-check recheck` probes again and says what changed',
];

export const WATCH_USAGE_LINES = [
  `\`${SLASH_COMMAND} watch &lt;host&gt; [ports] [from office,aws-eu]\` — re-test it on a schedule (from those networks) and alert this channel when a working port becomes blocked`,
  `\`${SLASH_COMMAND} unwatch &lt;host&gt;\` — stop watching it here`,
  `\`${SLASH_COMMAND} list\` — this channel’s watched hosts and their state`,
  `\`${SLASH_COMMAND} mute &lt;host&gt; 2h\` — keep re-testing but say nothing for a while (\`off\` lifts it)`,
  `\`${SLASH_COMMAND} history &lt;host&gt;\` — per port: state, since when, recent changes, uptime bar`,
  `\`${SLASH_COMMAND} watch domain &lt;domain&gt; [selector s1,s2]\` — re-check its SPF, DKIM, DMARC and MX on the schedule and alert this channel when they get worse than today (again: accept what DNS says now as the baseline)`,
  `\`${SLASH_COMMAND} unwatch domain &lt;domain&gt;\` · \`${SLASH_COMMAND} mute domain &lt;domain&gt; 2h\` — stop watching it here · keep re-checking but say nothing for a while`,
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
  const text = problem ? `I couldn’t read that: ${slackText(problem, 500)}` : `How to use ${SLASH_COMMAND}`;
  return fitMessage({ text, blocks });
}

/** A watch command in a setup without a watch store (tests, embedders): say so, not silence. */
export function renderWatchesUnavailable(verb: WatchVerb): SlackMessage {
  const text = `\`${verb}\` needs watches, and this bot runs without them. For now, run \`${SLASH_COMMAND} host\` whenever you want a fresh look.`;
  return fitMessage({ text, blocks: [section(text)] });
}
