import type { Admit, AsyncAdmit } from '../../check/admission.js';
import type { CheckRequest, RunCheck } from '../../check/types.js';
import { policyRefusal } from '../../diagnose/index.js';
import type { HostDiagnosis } from '../../diagnose/types.js';
import type { Logger } from '../../log.js';
import type { PortProbe } from '../../probe/types.js';
import { renderAdvice } from '../../render/slack-advice.js';
import type { SlackMessage } from '../../render/slack-blocks.js';
import { renderChanges } from '../../render/slack-changes.js';
import { fitMessage } from '../../render/slack-limits.js';
import {
  renderCheckFailed,
  renderNotAdmitted,
  renderNotInChannel,
  renderPolicyRefused,
  renderSlackRefused,
} from '../../render/slack-notices.js';
import { renderParent } from '../../render/slack-parent.js';
import { renderPortDetails } from '../../render/slack-port-details.js';
import { type ProgressState, renderProgress } from '../../render/slack-progress.js';
import type { Chat, PostedMessage, Requester } from './chat.js';
import { cannotPostHere, errorCode } from './chat-error.js';
import { type CheckResults, loadResult, saveResult } from './check-results.js';
import { createLiveMessage } from './live-message.js';

export interface CheckFlowDeps {
  chat: Chat;
  runCheck: RunCheck;
  results: CheckResults;
  logger: Logger;
  /** Port allow-list and rate limits (the fleet's are asynchronous); absent admits every request. */
  admit?: Admit | AsyncAdmit;
  /**
   * How long the channel message waits for the target policy's verdict before it is posted
   * anyway (a slow lookup). A refused target is then answered to the requester alone, with
   * nothing in the channel; a port that finishes earlier posts the message at once.
   */
  announceAfterMs?: number;
}

/** A name usually resolves within this; an IP literal at once. Short enough to feel immediate. */
export const ANNOUNCE_AFTER_MS = 250;

/** Asks the admission policy before anything is posted; a refusal goes to the requester only. */
export async function admitted(
  deps: CheckFlowDeps,
  requester: Requester,
  request: CheckRequest,
  threadTs?: string,
) {
  const admission = (await deps.admit?.(requester.userId, request)) ?? { ok: true };
  if (admission.ok) return true;
  deps.logger.info('check not admitted', {
    user: requester.userId,
    target: request.target,
    reason: admission.reason,
  });
  await tell(deps, requester, renderNotAdmitted(admission.reason), threadTs);
  return false;
}

/** Only the requester sees it: response_url when the request has one, chat.postEphemeral otherwise. */
export async function tell(
  deps: Pick<CheckFlowDeps, 'chat' | 'logger'>,
  requester: Requester,
  message: SlackMessage,
  threadTs?: string,
) {
  try {
    if (requester.respond) await requester.respond(message);
    else
      await deps.chat.postEphemeral(
        requester.channelId,
        requester.userId,
        message,
        threadTs ? { threadTs } : {},
      );
  } catch (error) {
    deps.logger.error('could not tell the user', {
      error,
      code: errorCode(error),
      channel: requester.channelId,
    });
  }
}

function shortReason(error: unknown): string {
  const code = errorCode(error);
  return code === 'unexpected_error' ? 'an unexpected error' : `an error (${code})`;
}

/** Runs the check while feeding a progress state; the hooks turn each finished port into an update. */
async function runWithProgress(
  deps: CheckFlowDeps,
  request: CheckRequest,
  state: ProgressState,
  show: (message: SlackMessage) => void,
): Promise<HostDiagnosis> {
  const done: PortProbe[] = [];
  return deps.runCheck(request, {
    onPlan: (plan) => {
      state.ports = plan.ports;
      show(renderProgress(state));
    },
    onPort: (port) => {
      done.push(port);
      state.done = [...done];
      show(renderProgress(state));
    },
  });
}

async function postThread(
  deps: CheckFlowDeps,
  parent: PostedMessage,
  diagnosis: HostDiagnosis,
): Promise<void> {
  const replies = [...diagnosis.ports.map(renderPortDetails), renderAdvice(diagnosis)];
  for (const reply of replies) {
    try {
      await deps.chat.post(parent.channel, reply, { threadTs: parent.ts });
    } catch (error) {
      // One refused reply (say, a payload Slack dislikes) should not hide the others.
      deps.logger.error('thread reply failed', { error, code: errorCode(error), channel: parent.channel });
    }
  }
}

/** A check's outcome: the diagnosis, or the error that ended it. */
type Outcome = { ok: true; diagnosis: HostDiagnosis } | { ok: false; error: unknown };

/** Answers through response_url; a failure is logged, so the next message is still tried. */
export function sayPrivately(
  deps: Pick<CheckFlowDeps, 'logger'>,
  respond: NonNullable<Requester['respond']>,
): (message: SlackMessage) => Promise<void> {
  return async (message) => {
    try {
      await respond(message);
    } catch (error) {
      deps.logger.error('respond failed', { error, code: errorCode(error) });
    }
  };
}

/** Where the bot cannot post: everything goes back through response_url, to the requester only. */
async function answerPrivately(
  deps: CheckFlowDeps,
  requester: Requester,
  request: CheckRequest,
  outcome: Promise<Outcome>,
): Promise<void> {
  const respond = requester.respond;
  if (!respond) return;
  const say = sayPrivately(deps, respond);
  // response_url takes five messages in thirty minutes: a notice, the result, the evidence.
  await say(renderNotInChannel());
  const result = await outcome;
  if (!result.ok) {
    deps.logger.error('check failed', { error: result.error, target: request.target });
    await say(renderCheckFailed(request.target, shortReason(result.error)));
    return;
  }
  const diagnosis = result.diagnosis;
  const refusal = policyRefusal(diagnosis);
  if (refusal !== null) {
    await say(renderPolicyRefused(request.target, refusal));
    return;
  }
  const parent = renderParent(diagnosis, { userId: requester.userId });
  const advice = renderAdvice(diagnosis);
  // Buttons act on a channel message and its thread; an ephemeral answer has neither.
  const blocks = [...parent.blocks.filter((block) => block.type !== 'actions'), ...advice.blocks];
  await say(fitMessage({ text: parent.text, blocks }));
  const details = diagnosis.ports.map(renderPortDetails);
  await say(
    fitMessage({ text: `Evidence for ${details.length} ports`, blocks: details.flatMap((d) => d.blocks) }),
  );
}

type Announcement =
  | { kind: 'posted'; parent: PostedMessage; live: ReturnType<typeof createLiveMessage> }
  | { kind: 'private' }
  | { kind: 'refused' };

/** Posts the live parent; where the bot may not post, the answer goes privately instead. */
async function announce(
  deps: CheckFlowDeps,
  requester: Requester,
  state: ProgressState,
): Promise<Announcement> {
  try {
    // Posted as it stood before any port finished; the ports that did follow as an update, as always.
    const parent = await deps.chat.post(requester.channelId, renderProgress({ ...state, done: [] }));
    return { kind: 'posted', parent, live: createLiveMessage(deps.chat, parent, deps.logger) };
  } catch (error) {
    if (cannotPostHere(error) && requester.respond) {
      deps.logger.info('cannot post in channel, answering privately', {
        code: errorCode(error),
        channel: requester.channelId,
      });
      return { kind: 'private' };
    }
    deps.logger.error('could not post the check message', {
      error,
      code: errorCode(error),
      channel: requester.channelId,
    });
    await tell(deps, requester, renderSlackRefused(errorCode(error)));
    return { kind: 'refused' };
  }
}

/**
 * `/smtp-check host`: live parent, final parent with buttons, one reply per port, then advice.
 * The parent waits for the target policy (a port result, or ANNOUNCE_AFTER_MS): a target the
 * policy refuses gets one short answer to the requester and nothing in the channel.
 */
export async function runCheckInChannel(
  deps: CheckFlowDeps,
  requester: Requester,
  request: CheckRequest,
): Promise<void> {
  if (!(await admitted(deps, requester, request))) return;
  const state: ProgressState = {
    target: request.target,
    userId: requester.userId,
    ports: request.ports.length > 0 ? request.ports : null,
    done: [],
  };
  let announcement: Promise<Announcement> | null = null;
  let signalAnnounced: () => void = () => {};
  const announced = new Promise<null>((resolve) => {
    signalAnnounced = () => resolve(null);
  });
  const announceNow = (): Promise<Announcement> => {
    if (!announcement) {
      announcement = announce(deps, requester, state);
      signalAnnounced();
    }
    return announcement;
  };
  const showProgress = (): void => {
    if (!announcement) return;
    void announcement.then((posted) => {
      if (posted.kind === 'posted') posted.live.show(renderProgress(state));
    });
  };
  const timer = setTimeout(announceNow, deps.announceAfterMs ?? ANNOUNCE_AFTER_MS);
  const done: PortProbe[] = [];
  const outcome: Promise<Outcome> = deps
    .runCheck(request, {
      onPlan: (plan) => {
        state.ports = plan.ports;
        showProgress();
      },
      onPort: (port) => {
        done.push(port);
        state.done = [...done];
        // A refused port is the policy speaking: hold the channel message back for the verdict.
        if (port.class === 'denied-by-policy') return;
        void announceNow();
        showProgress();
      },
    })
    .then(
      (diagnosis): Outcome => ({ ok: true, diagnosis }),
      (error: unknown): Outcome => ({ ok: false, error }),
    )
    .finally(() => clearTimeout(timer));

  // Whichever comes first: the parent goes out (a port finished, or the wait ran out), or the check ends.
  const early = await Promise.race([outcome, announced]);
  if (early !== null && !announcement) {
    const refusal = early.ok ? policyRefusal(early.diagnosis) : null;
    if (refusal !== null) {
      deps.logger.info('check refused by the target policy', {
        user: requester.userId,
        target: request.target,
      });
      await tell(deps, requester, renderPolicyRefused(request.target, refusal));
      return;
    }
  }
  const posted = await announceNow();
  if (posted.kind === 'refused') {
    await outcome;
    return;
  }
  if (posted.kind === 'private') {
    await answerPrivately(deps, requester, request, outcome);
    return;
  }
  const { parent, live } = posted;
  const result = await outcome;
  if (!result.ok) {
    deps.logger.error('check failed', { error: result.error, target: request.target });
    await live.finish(renderCheckFailed(request.target, shortReason(result.error))).catch((updateError) => {
      deps.logger.error('could not report the failure', { error: updateError, code: errorCode(updateError) });
    });
    return;
  }
  const diagnosis = result.diagnosis;
  const refusal = policyRefusal(diagnosis);
  try {
    // A lookup slower than the wait: the parent is out already, so it becomes the short refusal.
    await live.finish(
      refusal !== null
        ? renderPolicyRefused(request.target, refusal)
        : renderParent(diagnosis, { userId: requester.userId }),
    );
  } catch (error) {
    deps.logger.error('final update failed', { error, code: errorCode(error), channel: parent.channel });
  }
  if (refusal !== null) return;
  await saveResult(deps.results, parent, { diagnosis, userId: requester.userId }, deps.logger);
  await postThread(deps, parent, diagnosis);
}

/**
 * A re-check in the thread of an earlier check (mention or Re-run): a live reply in the thread
 * that ends with what changed, and the parent updated to the new result. Without an earlier
 * result (none stored, or the store is away) the reply ends with the full result instead.
 */
export async function recheckThread(
  deps: CheckFlowDeps,
  requester: Requester,
  thread: PostedMessage,
  request: CheckRequest,
): Promise<void> {
  if (!(await admitted(deps, requester, request, thread.ts))) return;
  const previous = await loadResult(deps.results, thread, deps.logger);
  const state: ProgressState = {
    target: request.target,
    userId: requester.userId,
    ports: request.ports.length > 0 ? request.ports : null,
    done: [],
    recheck: true,
  };
  let reply: PostedMessage;
  try {
    reply = await deps.chat.post(thread.channel, renderProgress(state), { threadTs: thread.ts });
  } catch (error) {
    deps.logger.error('could not post the re-check', {
      error,
      code: errorCode(error),
      channel: thread.channel,
    });
    await tell(deps, requester, renderSlackRefused(errorCode(error)), thread.ts);
    return;
  }
  const live = createLiveMessage(deps.chat, reply, deps.logger);
  let diagnosis: HostDiagnosis;
  try {
    diagnosis = await runWithProgress(deps, request, state, live.show);
  } catch (error) {
    deps.logger.error('re-check failed', { error, target: request.target });
    await live.finish(renderCheckFailed(request.target, shortReason(error))).catch((updateError) => {
      deps.logger.error('could not report the failure', { error: updateError, code: errorCode(updateError) });
    });
    return;
  }
  const refusal = policyRefusal(diagnosis);
  if (refusal !== null) {
    // The policy changed since the first check (ALLOW_TARGETS): the reply says so, the parent stays.
    await live.finish(renderPolicyRefused(request.target, refusal)).catch((error) => {
      deps.logger.error('could not report the refusal', { error, code: errorCode(error) });
    });
    return;
  }
  const owner = previous?.userId ?? requester.userId;
  const summary = previous
    ? renderChanges(previous.diagnosis, diagnosis, requester.userId)
    : renderParent(diagnosis, { userId: owner, recheckedBy: requester.userId });
  try {
    await live.finish(summary);
    await deps.chat.update(thread, renderParent(diagnosis, { userId: owner, recheckedBy: requester.userId }));
  } catch (error) {
    deps.logger.error('re-check update failed', { error, code: errorCode(error), channel: thread.channel });
  }
  await saveResult(deps.results, thread, { diagnosis, userId: owner }, deps.logger);
  if (!previous) await postThread(deps, thread, diagnosis);
}
