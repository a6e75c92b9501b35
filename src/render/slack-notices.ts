import { slackCode, slackText } from '../text/sanitize.js';
import { context, type HomeView, section, type SlackMessage } from './slack-blocks.js';
import { fitBlocks, fitMessage, SLACK_LIMITS } from './slack-limits.js';
import { usageSection, watchUsageSection } from './slack-usage.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

// Short messages for the paths where the normal flow cannot happen.

/** Where the bot cannot post (not a member, private channel, DM): how to fix it. */
export function renderNotInChannel(): SlackMessage {
  const text =
    'I can’t post in this conversation, so only you see this. The check is already running: its result comes here, to you only, when it ends. To get the live message and thread next time, invite me with `/invite @smtp-check` (in a DM, run the command in a channel instead).';
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

/**
 * The target policy refused the check: what was refused, why, and what an admin can set. The
 * reason comes from the policy and names the address, its range and the ALLOW_TARGETS entry.
 */
export function renderPolicyRefused(target: string, reason: string): SlackMessage {
  const why = reason.replace(/\.$/, '');
  const hint = /ALLOW_TARGETS/.test(why)
    ? ''
    : ' An admin can allow chosen addresses or names with ALLOW_TARGETS.';
  const text = `I didn’t check ${slackCode(target, 260)}: ${slackText(why, 600)}.${hint}`;
  return fitMessage({ text, blocks: [section(`✋ ${text}`)] });
}

/** Slack refused what the bot tried to post. */
export function renderSlackRefused(code: string): SlackMessage {
  const text = `Slack refused my message (${slackCode(code, 80)}), so the result could not be posted. The details are in the bot’s log.`;
  return fitMessage({ text, blocks: [section(text)] });
}

export function renderNoEarlierResult(): SlackMessage {
  const text = `I have no earlier result for this thread (with the JSON file, results are kept until the bot restarts; with PostgreSQL, for 30 days). Run \`${SLASH_COMMAND} host\` again, or use the Re-run button on the check.`;
  return fitMessage({ text, blocks: [section(text)] });
}

export function renderShuttingDown(): SlackMessage {
  const text = 'I’m restarting and not taking new checks right now. Try again in a minute.';
  return fitMessage({ text, blocks: [section(text)] });
}

/** A watch's baseline probe has started; the confirmation follows in the channel. */
export function renderWatchStarting(host: string): SlackMessage {
  const text = `⏳ Probing ${slackCode(host, 260)} for a baseline; the watch is confirmed in the channel in a few seconds.`;
  return fitMessage({ text, blocks: [section(text)] });
}

/**
 * A watch change the bot could not announce because it may not post here. For a new watch this
 * matters twice: its alerts would not get through either.
 */
export function renderCannotAnnounce(message: SlackMessage): SlackMessage {
  const note =
    'I can’t post in this conversation, so only you see this — and watch alerts can’t reach it either. Invite me with `/invite @smtp-check`, or watch the host from a channel I’m in.';
  return fitMessage({ text: `${note}\n${message.text}`, blocks: [section(`⚠️ ${note}`), ...message.blocks] });
}

/** A watch button whose value is not one we rendered (edited, or from an older version). */
export function renderButtonWithoutHost(): SlackMessage {
  const text = `That button does not say which host it is for. Type \`${SLASH_COMMAND} watch &lt;host&gt;\` instead.`;
  return fitMessage({ text, blocks: [section(text)] });
}

/** A watch command that failed inside the bot (the data file could not be written, say). */
export function renderWatchFailed(verb: string): SlackMessage {
  const text = `\`${verb}\` failed inside the bot, so nothing changed. The details are in the bot’s log; try again in a minute.`;
  return fitMessage({ text, blocks: [section(`❌ ${text}`)] });
}

/** A watch command while the database is out of reach (a restart or failover): nothing changed. */
export function renderWatchStoreUnavailable(): SlackMessage {
  const text =
    'The watch list is unavailable right now (the database is not reachable); try again in a minute.';
  return fitMessage({ text, blocks: [section(`⚠️ ${text}`)] });
}

/** The App Home tab when the watched hosts cannot be shown (no store, or it failed to answer). */
export function renderHome(note?: string): HomeView {
  return {
    type: 'home',
    blocks: fitBlocks(
      [
        section(
          '*smtp-check* probes a host’s SMTP ports and says which one to use, with evidence and a ready-to-paste configuration.',
        ),
        usageSection(),
        watchUsageSection(),
        ...(note ? [context(note)] : []),
      ],
      SLACK_LIMITS.homeBlocks,
    ),
  };
}

/** A bot built without the domain report (a test app); the production bot always has it. */
export function renderDomainUnavailable(): SlackMessage {
  const text =
    'Domain reports are not available in this bot. In a terminal: `npx smtp-check domain example.com`.';
  return fitMessage({ text, blocks: [section(text)] });
}
