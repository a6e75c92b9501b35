import { section, type SlackMessage } from '../../render/slack-blocks.js';
import { fitMessage } from '../../render/slack-limits.js';
import {
  renderButtonWithoutHost,
  renderCannotAnnounce,
  renderSlackRefused,
  renderWatchFailed,
  renderWatchStarting,
  renderWatchStoreUnavailable,
} from '../../render/slack-notices.js';
import { decodeCheckValue } from '../../render/slack-format.js';
import { slackCode } from '../../text/sanitize.js';
import { renderWatchReply } from '../../render/watch-overview.js';
import { StoreError } from '../../store/index.js';
import type { WatchReply } from '../../watch-model/index.js';
import type { WatchCommands } from '../../watch/index.js';
import type { Requester } from './chat.js';
import { cannotPostHere, errorCode } from './chat-error.js';
import { tell } from './check-flow.js';
import { answerHistory, type HistoryPictureDeps } from './history-picture.js';
import type { WatchCommand } from './parse-command.js';
import { leftOutWords } from './vantage-flow.js';
import { MAX_VANTAGES } from './vantage-words.js';

// Watch commands and buttons. Who sees what: a change to what the channel is watching (watch,
// unwatch, mute) is posted in the channel, so the team knows why alerts start or stop; lists,
// history and every refusal go to the requester only.

export interface WatchFlowDeps extends HistoryPictureDeps {
  watches: WatchCommands;
}

/** Posts a watch change in the requester's channel; where the bot may not post, tells the requester why. */
async function announce(deps: WatchFlowDeps, requester: Requester, message: SlackMessage): Promise<void> {
  try {
    await deps.chat.post(requester.channelId, message);
  } catch (error) {
    const code = errorCode(error);
    if (cannotPostHere(error)) {
      deps.logger.info('cannot announce a watch change here', { code, channel: requester.channelId });
      await tell(deps, requester, renderCannotAnnounce(message));
      return;
    }
    deps.logger.error('could not announce a watch change', { error, code, channel: requester.channelId });
    await tell(deps, requester, renderSlackRefused(code));
  }
}

/** Tells the requester a failure; announces a success in the channel. */
async function settle(
  deps: WatchFlowDeps,
  requester: Requester,
  result: { ok: boolean; reply: WatchReply },
  threadTs?: string,
): Promise<void> {
  const message = renderWatchReply(result.reply);
  if (result.ok) await announce(deps, requester, message);
  else await tell(deps, requester, message, threadTs);
}

async function addWatch(
  deps: WatchFlowDeps,
  requester: Requester,
  input: { host: string; ports: string | number[]; vantages?: string[] | 'all' },
  threadTs?: string,
): Promise<void> {
  const result = await deps.watches.addWatch({
    channel: requester.channelId,
    user: requester.userId,
    host: input.host,
    ports: input.ports,
    ...(input.vantages ? { vantages: input.vantages } : {}),
    // The baseline probe takes seconds: say it has started, once the request passed every check.
    onBaseline: (host) => tell(deps, requester, renderWatchStarting(host), threadTs),
  });
  await settle(deps, requester, result, threadTs);
  if (result.ok && result.leftOut.length > 0) {
    await tell(deps, requester, renderWatchLeftOut(result.watch.host, result.leftOut), threadTs);
  }
}

/** `watch host from all` with more live vantages than one watch takes: which were left out. */
function renderWatchLeftOut(host: string, leftOut: string[]): SlackMessage {
  const text =
    `\`from all\` watches ${slackCode(host, 260)} from this bot’s own network and at most ${MAX_VANTAGES} other vantages; ` +
    `${leftOutWords(leftOut)}. To choose, watch it again naming them, as in \`from office,aws-eu\`.`;
  return fitMessage({ text, blocks: [section(text)] });
}

/**
 * A store that cannot be written is infrastructure failing: log it, and tell the requester. A
 * database out of reach for now (a restart, a failover) is said as such: waiting is the fix.
 */
async function guarded(
  deps: WatchFlowDeps,
  requester: Requester,
  verb: string,
  work: () => Promise<void>,
  threadTs?: string,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof StoreError && error.unavailable) {
      deps.logger.warn('watch command: the store is unavailable', {
        verb,
        error,
        channel: requester.channelId,
      });
      await tell(deps, requester, renderWatchStoreUnavailable(), threadTs);
      return;
    }
    deps.logger.error('watch command failed', { verb, error, channel: requester.channelId });
    await tell(deps, requester, renderWatchFailed(verb), threadTs);
  }
}

/** `/smtp-check watch|unwatch|list|mute|history …` (and the same words in a mention). */
export function runWatchCommand(
  deps: WatchFlowDeps,
  requester: Requester,
  command: WatchCommand,
  threadTs?: string,
): Promise<void> {
  return guarded(
    deps,
    requester,
    command.verb,
    () => watchCommand(deps, requester, command, threadTs),
    threadTs,
  );
}

async function watchCommand(
  deps: WatchFlowDeps,
  requester: Requester,
  command: WatchCommand,
  threadTs?: string,
): Promise<void> {
  const { watches } = deps;
  const channel = requester.channelId;
  const user = requester.userId;
  if ('subject' in command) {
    switch (command.verb) {
      case 'watch':
        return settle(
          deps,
          requester,
          await watches.addDomainWatch({ channel, user, words: command.words }),
          threadTs,
        );
      case 'unwatch':
        return settle(
          deps,
          requester,
          await watches.removeDomainWatch({ channel, domain: command.domain, user }),
          threadTs,
        );
      case 'mute': {
        const muted = await watches.muteDomain({
          channel,
          domain: command.domain,
          duration: command.duration,
          user,
        });
        return settle(deps, requester, muted, threadTs);
      }
    }
  }
  switch (command.verb) {
    case 'watch':
      return addWatch(deps, requester, command, threadTs);
    case 'unwatch':
      return settle(
        deps,
        requester,
        await watches.removeWatch({ channel, host: command.host, user }),
        threadTs,
      );
    case 'mute': {
      const result = await watches.muteHost({
        channel,
        host: command.host,
        duration: command.duration,
        user,
      });
      return settle(deps, requester, result, threadTs);
    }
    case 'list':
      return tell(
        deps,
        requester,
        renderWatchReply((await watches.listWatches({ channel })).reply),
        threadTs,
      );
    case 'history':
      return answerHistory(
        deps,
        requester,
        (await watches.historyOf({ channel, host: command.host })).reply,
        threadTs,
      );
  }
}

/** Watch this host, on a check's parent: the button carries the check's request. */
export async function watchFromButton(
  deps: WatchFlowDeps,
  requester: Requester,
  value?: string,
): Promise<void> {
  const request = decodeCheckValue(value);
  if (!request) return tell(deps, requester, renderButtonWithoutHost());
  return guarded(deps, requester, 'watch', () =>
    addWatch(deps, requester, { host: request.target, ports: request.ports }),
  );
}

/** Unwatch, on a watch confirmation or the list: the button carries the host, the click the channel. */
export async function unwatchFromButton(
  deps: WatchFlowDeps,
  requester: Requester,
  value?: string,
): Promise<void> {
  if (!value) return tell(deps, requester, renderButtonWithoutHost());
  return guarded(deps, requester, 'unwatch', async () => {
    const result = await deps.watches.removeWatch({
      channel: requester.channelId,
      host: value,
      user: requester.userId,
    });
    await settle(deps, requester, result);
  });
}
