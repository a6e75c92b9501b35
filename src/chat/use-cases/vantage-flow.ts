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
import type { VantageSelection } from './vantage-words.js';

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

/** `from all`: the bot's own network and every vantage with a live worker, in that order. */
async function resolveNames(deps: VantageFlowDeps, selection: VantageSelection): Promise<string[]> {
  if (selection.kind === 'named') return selection.names;
  if (!deps.vantages) return [deps.localVantage];
  const known = await deps.vantages.list();
  return known.filter((vantage) => vantage.local || vantage.live).map((vantage) => vantage.name);
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
  try {
    names = await resolveNames(deps, selection);
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
