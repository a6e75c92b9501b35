import type { Admit, AsyncAdmit } from '../../check/admission.js';
import type { RunCheck } from '../../check/types.js';
import type { Logger } from '../../log.js';
import { renderConfig } from '../../render/slack-advice.js';
import { decodeCheckValue, requestOf } from '../../render/slack-format.js';
import {
  renderHome,
  renderNoEarlierResult,
  renderNotAdmitted,
  renderShuttingDown,
} from '../../render/slack-notices.js';
import { renderUsage, renderWatchesUnavailable, type WatchVerb } from '../../render/slack-usage.js';
import { renderHomeView } from '../../render/watch-overview.js';
import type { WatchCommands } from '../../watch/index.js';
import type { Chat, PostedMessage, Requester } from './chat.js';
import type { PostureRequest } from '../../posture/types.js';
import { errorCode } from './chat-error.js';
import { recheckThread, runCheckInChannel, tell } from './check-flow.js';
import { type CheckResults, createMemoryCheckResults, loadResult } from './check-results.js';
import { createInFlight, type InFlight } from './in-flight.js';
import { parseCommand, type WatchCommand } from './parse-command.js';
import { runWatchCommand, unwatchFromButton, watchFromButton } from './watch-flow.js';
import { runVantageCheckInChannel, showVantages, type VantageFlowDeps } from './vantage-flow.js';
import type { VantageProbes } from '../../vantage/types.js';
import type { CheckDomain } from '../../posture-report/check-domain.js';
import { parseDomainName } from '../../check/index.js';
import { renderDomainUnavailable } from '../../render/slack-notices.js';
import { runDomainInChannel } from './domain-flow.js';

export interface UseCaseDeps {
  chat: Chat;
  runCheck: RunCheck;
  logger: Logger;
  results?: CheckResults;
  /** Port allow-list and rate limits for chat-started checks (createAdmission, createAsyncAdmission). */
  admit?: Admit | AsyncAdmit;
  /** How long a check's channel message waits for the target policy (see ANNOUNCE_AFTER_MS). */
  announceAfterMs?: number;
  /** The watch use cases; without them watch commands say watches are not available here. */
  watches?: WatchCommands;
  /** Probing from other networks (DATABASE_URL and workers); without it only the bot's own. */
  vantages?: VantageProbes;
  /** The bot's own vantage name (VANTAGE_NAME, default `bot`). */
  localVantage?: string;
  /** CHECK_TIMEZONE, for the times in history pictures (UTC when unset). */
  timeZone?: string;
  /** The domain report (`domain example.com`); without it the command says it is not available. */
  checkDomain?: CheckDomain;
}

export interface MentionEvent {
  channelId: string;
  userId: string;
  /** The message text, mentions included (`<@U0BOT> recheck`). */
  text: string;
  ts: string;
  /** Set when the mention is a reply in a thread. */
  threadTs?: string;
}

/** Everything the bot does, independent of Bolt: the Slack listeners and the console both call these. */
export interface UseCases {
  /** The text after `/smtp-check`. */
  command(requester: Requester, text: string): Promise<void>;
  /** `@smtp-check …`: `recheck` in a check's thread, otherwise the same as the command. */
  mention(event: MentionEvent): Promise<void>;
  /** Re-run button on a check's parent message. */
  rerun(requester: Requester, message: PostedMessage, value?: string): Promise<void>;
  /** Show config button: the recommended configuration, to the clicker only. */
  showConfig(requester: Requester, message: PostedMessage, value?: string): Promise<void>;
  /** Watch this host button on a check's parent; value is the check's request. */
  watch(requester: Requester, value?: string): Promise<void>;
  /** Unwatch button on a watch confirmation or the list; value is the host. */
  unwatch(requester: Requester, value?: string): Promise<void>;
  /** Domain posture button on an MX check's parent; value is the domain. The report goes in its thread. */
  domainPosture(requester: Requester, message: PostedMessage | null, value?: string): Promise<void>;
  /** The App Home tab: the workspace's watched hosts and their state. */
  homeOpened(userId: string): Promise<void>;
  /** Work still running after its request was acknowledged. */
  readonly inFlight: InFlight;
}

export function createUseCases(deps: UseCaseDeps): UseCases {
  const results = deps.results ?? createMemoryCheckResults();
  const flow = {
    chat: deps.chat,
    runCheck: deps.runCheck,
    results,
    logger: deps.logger,
    ...(deps.admit ? { admit: deps.admit } : {}),
    ...(deps.announceAfterMs !== undefined ? { announceAfterMs: deps.announceAfterMs } : {}),
  };
  const vantageFlow: VantageFlowDeps = {
    ...flow,
    vantages: deps.vantages ?? null,
    localVantage: deps.vantages?.local ?? deps.localVantage ?? 'bot',
  };
  const check = (
    requester: Requester,
    parsed: Extract<ReturnType<typeof parseCommand>, { kind: 'check' }>,
  ) =>
    parsed.from
      ? runVantageCheckInChannel(vantageFlow, requester, parsed.request, parsed.from)
      : runCheckInChannel(flow, requester, parsed.request);
  const inFlight = createInFlight((error) => deps.logger.error('unhandled error in a use case', { error }));

  const watchDeps = deps.watches
    ? { ...flow, watches: deps.watches, ...(deps.timeZone ? { timeZone: deps.timeZone } : {}) }
    : null;
  const watchCommand = (requester: Requester, command: WatchCommand, threadTs?: string): Promise<void> =>
    watchDeps
      ? runWatchCommand(watchDeps, requester, command, threadTs)
      : tell(flow, requester, renderWatchesUnavailable(command.verb), threadTs);
  const withWatches = (
    requester: Requester,
    verb: WatchVerb,
    run: (d: NonNullable<typeof watchDeps>) => Promise<void>,
  ) => (watchDeps ? run(watchDeps) : tell(flow, requester, renderWatchesUnavailable(verb)));

  const domain = async (requester: Requester, request: PostureRequest, threadTs?: string): Promise<void> => {
    if (!deps.checkDomain) return tell(flow, requester, renderDomainUnavailable());
    // A report dials the domain's MX hosts and its MTA-STS host: it takes from the same per-user
    // and per-target allowance as a check of you@domain.
    const asCheck = { target: request.domain, ports: [], mx: 'force' as const };
    const admission = (await deps.admit?.(requester.userId, asCheck)) ?? { ok: true };
    if (!admission.ok) return tell(flow, requester, renderNotAdmitted(admission.reason));
    return runDomainInChannel(
      { chat: deps.chat, checkDomain: deps.checkDomain, logger: deps.logger },
      requester,
      request,
      threadTs,
    );
  };

  /** Every piece of work goes through here, so shutdown can refuse new work and wait for the rest. */
  const track = async (requester: Requester, task: () => Promise<void>): Promise<void> => {
    const running = inFlight.run(task);
    if (running) return running;
    await tell(flow, requester, renderShuttingDown());
  };

  const command = (requester: Requester, text: string): Promise<void> =>
    track(requester, async () => {
      const parsed = parseCommand(text, { localVantage: vantageFlow.localVantage });
      switch (parsed.kind) {
        case 'help':
          return tell(flow, requester, renderUsage(parsed.problem));
        case 'watch':
          return watchCommand(requester, parsed.command);
        case 'recheck':
          return tell(
            flow,
            requester,
            renderUsage('`recheck` works in a check’s thread: mention me there with `recheck`'),
          );
        case 'check':
          return check(requester, parsed);
        case 'vantages':
          return showVantages(vantageFlow, requester);
        case 'domain':
          return domain(requester, parsed.request);
      }
    });

  const mention = (event: MentionEvent): Promise<void> => {
    const requester: Requester = { channelId: event.channelId, userId: event.userId };
    const text = event.text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ').trim();
    const parsed = parseCommand(text, { localVantage: vantageFlow.localVantage });
    return track(requester, async () => {
      if (parsed.kind === 'recheck') {
        if (!event.threadTs) {
          return tell(flow, requester, renderUsage('`recheck` works in a check’s thread: mention me there'));
        }
        const thread = { channel: event.channelId, ts: event.threadTs };
        const previous = await loadResult(results, thread, deps.logger);
        if (!previous) return tell(flow, requester, renderNoEarlierResult(), event.threadTs);
        return recheckThread(flow, requester, thread, requestOf(previous.diagnosis));
      }
      switch (parsed.kind) {
        case 'help':
          return tell(flow, requester, renderUsage(parsed.problem), event.threadTs);
        case 'watch':
          return watchCommand(requester, parsed.command, event.threadTs);
        case 'check':
          return check(requester, parsed);
        case 'vantages':
          return showVantages(vantageFlow, requester, event.threadTs);
        case 'domain':
          return domain(requester, parsed.request, event.threadTs);
      }
    });
  };

  const rerun = (requester: Requester, message: PostedMessage, value?: string): Promise<void> =>
    track(requester, async () => {
      const previous = await loadResult(results, message, deps.logger);
      const request = previous ? requestOf(previous.diagnosis) : decodeCheckValue(value);
      if (!request) return tell(flow, requester, renderNoEarlierResult());
      return recheckThread(flow, requester, message, request);
    });

  const showConfig = (requester: Requester, message: PostedMessage, value?: string): Promise<void> =>
    track(requester, async () => {
      const previous = await loadResult(results, message, deps.logger);
      if (previous) return tell(flow, requester, renderConfig(previous.diagnosis));
      // No stored result (a restart without a database, or the database away): the button still
      // knows what was checked.
      const request = decodeCheckValue(value);
      if (!request) return tell(flow, requester, renderNoEarlierResult());
      const admission = (await deps.admit?.(requester.userId, request)) ?? { ok: true };
      if (!admission.ok) return tell(flow, requester, renderNotAdmitted(admission.reason));
      try {
        const diagnosis = await deps.runCheck(request);
        await tell(flow, requester, renderConfig(diagnosis));
      } catch (error) {
        deps.logger.error('check for Show config failed', { error, code: errorCode(error) });
        await tell(flow, requester, renderNoEarlierResult());
      }
    });

  const watch = (requester: Requester, value?: string): Promise<void> =>
    track(requester, () => withWatches(requester, 'watch', (d) => watchFromButton(d, requester, value)));

  const unwatch = (requester: Requester, value?: string): Promise<void> =>
    track(requester, () => withWatches(requester, 'unwatch', (d) => unwatchFromButton(d, requester, value)));

  const domainPosture = (
    requester: Requester,
    message: PostedMessage | null,
    value?: string,
  ): Promise<void> =>
    track(requester, async () => {
      const parsed = parseDomainName(value ?? '');
      if ('error' in parsed) return tell(flow, requester, renderUsage(parsed.error));
      return domain(requester, { domain: parsed.domain, selectors: [] }, message?.ts);
    });

  const homeView = async () => {
    if (!deps.watches) return renderHome();
    try {
      return renderHomeView(await deps.watches.homeView());
    } catch (error) {
      deps.logger.error('could not load the watched hosts for the Home tab', { error });
      return renderHome('The watched hosts could not be loaded just now; the details are in the bot’s log.');
    }
  };

  const homeOpened = async (userId: string): Promise<void> => {
    try {
      await deps.chat.publishHome(userId, await homeView());
    } catch (error) {
      deps.logger.warn('could not publish the Home tab', { error, code: errorCode(error) });
    }
  };

  return { command, mention, rerun, showConfig, watch, unwatch, domainPosture, homeOpened, inFlight };
}
