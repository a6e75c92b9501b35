import { slackCode } from './sanitize.js';
import { context, type HomeView, section, type SlackMessage } from './slack-blocks.js';
import { fitBlocks, fitMessage, SLACK_LIMITS } from './slack-limits.js';
import { USAGE_LINES, WATCH_VERBS } from './slack-usage.js';

// Short messages for the paths where the normal flow cannot happen.

/** Where the bot cannot post (not a member, private channel, DM): how to fix it. */
export function renderNotInChannel(): SlackMessage {
  const text =
    'I can’t post in this conversation, so only you see this. To get the live message and thread here, invite me with `/invite @smtp-check` (in a DM, run the command in a channel instead). Running the check anyway.';
  return fitMessage({ text, blocks: [section(text)] });
}

/** A check that could not finish; the reason is short, the details are in the log. */
export function renderCheckFailed(target: string, reason: string): SlackMessage {
  const text = `The check of ${slackCode(target, 260)} failed: ${slackCode(reason, 300)}. The details are in the bot’s log.`;
  return fitMessage({ text, blocks: [section(`❌ ${text}`)] });
}

/** The check was not started: a port outside the allowed list, or a rate limit. */
export function renderNotAdmitted(reason: string): SlackMessage {
  const text = `I didn’t run that check: ${reason.replace(/\.$/, '')}.`;
  return fitMessage({ text, blocks: [section(`✋ ${text}`)] });
}

/** Slack refused what the bot tried to post. */
export function renderSlackRefused(code: string): SlackMessage {
  const text = `Slack refused my message (${slackCode(code, 80)}), so the result could not be posted. The details are in the bot’s log.`;
  return fitMessage({ text, blocks: [section(text)] });
}

export function renderNoEarlierResult(): SlackMessage {
  const text =
    'I have no earlier result for this thread (results are kept until the bot restarts). Run `/smtp-check host` again, or use the Re-run button on the check.';
  return fitMessage({ text, blocks: [section(text)] });
}

export function renderShuttingDown(): SlackMessage {
  const text = 'I’m restarting and not taking new checks right now. Try again in a minute.';
  return fitMessage({ text, blocks: [section(text)] });
}

/** The App Home tab until watches fill it (issue 5 replaces the body). */
export function renderHome(): HomeView {
  return {
    type: 'home',
    blocks: fitBlocks(
      [
        section(
          '*smtp-check* probes a host’s SMTP ports and says which one to use, with evidence and a ready-to-paste configuration.',
        ),
        section(`*What to type*\n${USAGE_LINES.map((line) => `• ${line}`).join('\n')}`),
        context(
          `Watched hosts will appear here once watches arrive (${WATCH_VERBS.map((verb) => `\`${verb}\``).join(', ')}).`,
        ),
      ],
      SLACK_LIMITS.homeBlocks,
    ),
  };
}
