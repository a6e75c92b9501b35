import type { CheckRequest } from '../../check/types.js';
import { compareVantages } from '../../diagnose/compare-vantages.js';
import type { VantageOutcome } from '../../diagnose/vantage-types.js';
import type { PortProbe } from '../../probe/types.js';
import { section, type SlackMessage } from '../../render/slack-blocks.js';
import { fitMessage } from '../../render/slack-limits.js';
import { renderSlackRefused } from '../../render/slack-notices.js';
import {
  renderVantageAdvice,
  renderVantageEvidence,
  renderVantageList,
  renderVantageProgress,
  renderVantageResult,
  type VantageCell,
  type VantageListEntry,
  type VantageProgressState,
} from '../../render/slack-vantages.js';
import type { VantageInfo, VantageProbes } from '../../vantage/types.js';
import type { Requester } from './chat.js';
import { errorCode } from './chat-error.js';
import { admitted, type CheckFlowDeps, runCheckInChannel, tell } from './check-flow.js';
import { createLiveMessage } from './live-message.js';
import { limitVantages, MAX_VANTAGES, type VantageSelection } from './vantage-words.js';

// `/smtp-check host from aws-eu,office`: one channel message whose ports × vantages matrix fills
// in as each network answers, then a thread with each vantage's evidence and the comparison.

export interface VantageFlowDeps extends CheckFlowDeps {
  /** The queue to other networks; null when the bot runs without DATABASE_URL. */
  vantages: VantageProbes | null;
  /** The bot's own vantage (VANTAGE_NAME). */
  localVantage: string;
  now?: () => Date;
}

function renderVantagesUnavailable(names: string[], local: string): SlackMessage {
  const text =
    `Probing from ${names.filter((name) => name !== local).join(', ')} needs vantages, and this bot runs on its own: ` +
    `without DATABASE_URL it probes only from its own network (\`${local}\`). ` +
    'To add a network, run the bot on PostgreSQL and start `smtp-check worker --vantage NAME` there (README, “Probing from other networks”).';
  return fitMessage({ text, blocks: [section(text)] });
}

function renderVantagesUnreadable(): SlackMessage {
  const text =
    'The vantages could not be read from the database just now (the details are in the bot’s log). Try again in a minute; a check without `from` still works.';
  return fitMessage({ text, blocks: [section(text)] });
}

/**
 * The vantages to ask, the bot's own network first, as the terminal's `--from` does: the named ones
 * besides it, so the answer can compare; `from all`, every vantage with a live worker, at most
 * MAX_VANTAGES of them besides the bot's own. `leftOut`: live vantages `from all` did not take.
 */
async function resolveNames(
  deps: VantageFlowDeps,
  selection: VantageSelection,
): Promise<{ names: string[]; leftOut: string[] }> {
  const own = deps.localVantage;
  if (selection.kind === 'named') {
    return { names: [own, ...selection.names.filter((name) => name !== own)], leftOut: [] };
  }
  if (!deps.vantages) return { names: [own], leftOut: [] };
  const known = await deps.vantages.list();
  const live = known.filter((vantage) => vantage.local || vantage.live).map((vantage) => vantage.name);
  return limitVantages([own, ...live], own);
}

/** `these 2 live vantages were left out: `lab`, `dc2``, at most 20 of them named. */
export function leftOutWords(leftOut: readonly string[]): string {
  const shown = leftOut.slice(0, 20).map((name) => `\`${name}\``);
  const more = leftOut.length > shown.length ? ` and ${leftOut.length - shown.length} more` : '';
  const which = leftOut.length === 1 ? 'this live vantage was' : `these ${leftOut.length} live vantages were`;
  return `${which} left out: ${shown.join(', ')}${more}`;
}

/** A thread reply: which live vantages `from all` left out, and how to ask them. */
function renderLeftOut(leftOut: string[], own: string): SlackMessage {
  const text =
    `\`from all\` asked this bot’s own network (\`${own}\`) and ${MAX_VANTAGES} other vantages, the most one check asks; ` +
    `${leftOutWords(leftOut)}. To ask them, name the ones you want, as in \`from office,aws-eu\`.`;
  return fitMessage({ text, blocks: [section(text)] });
}

function cellOf(outcome: VantageOutcome): VantageCell {
  if (outcome.kind !== 'answered') return { kind: outcome.kind };
  return {
    kind: 'ports',
    done: outcome.diagnosis.ports.map((port) => ({
      port: port.port,
      class: port.class,
      usable: port.usable,
    })),
  };
}

export async function runVantageCheckInChannel(
  deps: VantageFlowDeps,
  requester: Requester,
  request: CheckRequest,
  selection: VantageSelection,
): Promise<void> {
  const probes = deps.vantages;
  if (!probes) {
    if (selection.kind === 'named' && selection.names.some((name) => name !== deps.localVantage)) {
      await tell(deps, requester, renderVantagesUnavailable(selection.names, deps.localVantage));
      return;
    }
    // Only the bot's own network was asked for: that is an ordinary check.
    await runCheckInChannel(deps, requester, request);
    return;
  }
  if (!(await admitted(deps, requester, request))) return;
  const now = deps.now ?? (() => new Date());
  let names: string[];
  let leftOut: string[];
  try {
    ({ names, leftOut } = await resolveNames(deps, selection));
  } catch (error) {
    deps.logger.error('could not list the vantages', { error });
    await tell(deps, requester, renderVantagesUnreadable());
    return;
  }
  const cells: Record<string, VantageCell> = {};
  const state: VantageProgressState = {
    target: request.target,
    userId: requester.userId,
    vantages: names,
    ports: request.ports.length > 0 ? request.ports : null,
    cells,
  };
  let parent: Awaited<ReturnType<typeof deps.chat.post>>;
  try {
    parent = await deps.chat.post(requester.channelId, renderVantageProgress(state));
  } catch (error) {
    deps.logger.error('could not post the check message', {
      error,
      code: errorCode(error),
      channel: requester.channelId,
    });
    await tell(deps, requester, renderSlackRefused(errorCode(error)));
    return;
  }
  const live = createLiveMessage(deps.chat, parent, deps.logger);
  const localDone: PortProbe[] = [];
  const outcomes = await probes.probeFrom(names, request, {
    priority: 'interactive',
    onLocalPort: (port) => {
      localDone.push(port);
      cells[deps.localVantage] = {
        kind: 'ports',
        done: localDone.map((done) => ({ port: done.port, class: done.class })),
      };
      live.show(renderVantageProgress(state));
    },
    onOutcome: (outcome) => {
      cells[outcome.vantage] = cellOf(outcome);
      live.show(renderVantageProgress(state));
    },
  });
  const comparison = compareVantages(outcomes, { now: now() });
  try {
    await live.finish(
      renderVantageResult(request.target, outcomes, comparison, { userId: requester.userId }),
    );
  } catch (error) {
    deps.logger.error('final update failed', { error, code: errorCode(error), channel: parent.channel });
  }
  const replies = [
    ...(leftOut.length > 0 ? [renderLeftOut(leftOut, deps.localVantage)] : []),
    ...outcomes.map((outcome) => renderVantageEvidence(outcome, now())),
    renderVantageAdvice(comparison),
  ];
  for (const reply of replies) {
    try {
      await deps.chat.post(parent.channel, reply, { threadTs: parent.ts });
    } catch (error) {
      deps.logger.error('thread reply failed', { error, code: errorCode(error), channel: parent.channel });
    }
  }
}

function listEntry(vantage: VantageInfo): VantageListEntry {
  return {
    name: vantage.name,
    local: vantage.local,
    workers: vantage.liveWorkers,
    versions: vantage.versions,
    lastSeen: vantage.lastSeen,
    live: vantage.live,
  };
}

/** `/smtp-check vantages`, to the requester: every network the bot can probe from. */
export async function showVantages(
  deps: VantageFlowDeps,
  requester: Requester,
  threadTs?: string,
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  let known: VantageInfo[];
  try {
    known = deps.vantages
      ? await deps.vantages.list()
      : [{ name: deps.localVantage, local: true, liveWorkers: 0, versions: [], lastSeen: null, live: true }];
  } catch (error) {
    deps.logger.error('could not list the vantages', { error });
    await tell(deps, requester, renderVantagesUnreadable(), threadTs);
    return;
  }
  await tell(deps, requester, renderVantageList(known.map(listEntry), now()), threadTs);
}
