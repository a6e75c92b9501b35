import type { Logger } from '../../log.js';
import type { PostureRequest } from '../../posture/types.js';
import type { CheckDomain } from '../../posture-report/check-domain.js';
import type { DomainReport } from '../../posture-report/types.js';
import type { SlackMessage } from '../../render/slack-blocks.js';
import { renderDomainMessage, renderDomainProgress, renderDomainThread } from '../../render/domain-slack.js';
import { fitMessage } from '../../render/slack-limits.js';
import { renderCheckFailed, renderNotInChannel, renderSlackRefused } from '../../render/slack-notices.js';
import type { Chat, PostedMessage, Requester } from './chat.js';
import { cannotPostHere, errorCode } from './chat-error.js';
import { sayPrivately, tell } from './check-flow.js';

// `/smtp-check domain example.com`: a message in the channel that says the report is running,
// replaced by the verdict and the compact table, with the evidence, the sender rules and the
// records to paste in its thread. Where the bot may not post, the requester alone gets it all.

export interface DomainFlowDeps {
  chat: Chat;
  checkDomain: CheckDomain;
  logger: Logger;
}

/** The report, or the error that ended it (a bug: DNS outcomes are facts, not errors). */
async function report(
  deps: DomainFlowDeps,
  request: PostureRequest,
): Promise<DomainReport | { error: unknown }> {
  try {
    return await deps.checkDomain(request);
  } catch (error) {
    deps.logger.error('domain report failed', { error, domain: request.domain });
    return { error };
  }
}

async function postThread(
  deps: DomainFlowDeps,
  parent: PostedMessage,
  replies: SlackMessage[],
): Promise<void> {
  for (const reply of replies) {
    try {
      await deps.chat.post(parent.channel, reply, { threadTs: parent.ts });
    } catch (error) {
      // One refused reply should not hide the others.
      deps.logger.error('domain thread reply failed', {
        error,
        code: errorCode(error),
        channel: parent.channel,
      });
    }
  }
}

/** response_url takes five messages: a notice, the report, and the evidence packed into what is left. */
async function answerPrivately(
  deps: DomainFlowDeps,
  requester: Requester,
  request: PostureRequest,
): Promise<void> {
  const respond = requester.respond;
  if (!respond) return;
  const say = sayPrivately(deps, respond);
  await say(renderNotInChannel());
  const result = await report(deps, request);
  if ('error' in result) return say(renderCheckFailed(request.domain, 'an unexpected error'));
  const parent = renderDomainMessage(result);
  await say(
    fitMessage({ text: parent.text, blocks: parent.blocks.filter((block) => block.type !== 'actions') }),
  );
  const thread = renderDomainThread(result);
  // The last three of the five: the first thread replies, then everything else in one message.
  for (const reply of thread.slice(0, 2)) await say(reply);
  const rest = thread.slice(2);
  if (rest.length > 0) {
    await say(fitMessage({ text: rest[0]?.text ?? '', blocks: rest.flatMap((message) => message.blocks) }));
  }
}

export async function runDomainInChannel(
  deps: DomainFlowDeps,
  requester: Requester,
  request: PostureRequest,
  threadTs?: string,
): Promise<void> {
  let parent: PostedMessage;
  try {
    parent = await deps.chat.post(
      requester.channelId,
      renderDomainProgress(request.domain),
      threadTs ? { threadTs } : {},
    );
  } catch (error) {
    if (cannotPostHere(error) && requester.respond) {
      deps.logger.info('cannot post in channel, answering privately', {
        code: errorCode(error),
        channel: requester.channelId,
      });
      return answerPrivately(deps, requester, request);
    }
    deps.logger.error('could not post the domain report message', {
      error,
      code: errorCode(error),
      channel: requester.channelId,
    });
    return tell(deps, requester, renderSlackRefused(errorCode(error)));
  }
  const result = await report(deps, request);
  if ('error' in result) {
    await update(deps, parent, renderCheckFailed(request.domain, 'an unexpected error'));
    return;
  }
  await update(deps, parent, renderDomainMessage(result));
  // In a thread already (a button on a check's thread): the evidence follows there.
  await postThread(
    deps,
    threadTs ? { channel: parent.channel, ts: threadTs } : parent,
    renderDomainThread(result),
  );
}

async function update(deps: DomainFlowDeps, target: PostedMessage, message: SlackMessage): Promise<void> {
  try {
    await deps.chat.update(target, message);
  } catch (error) {
    deps.logger.error('could not update the domain report message', {
      error,
      code: errorCode(error),
      channel: target.channel,
    });
  }
}
