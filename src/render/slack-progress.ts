import type { PortProbe } from '../probe/types.js';
import { slackCode } from '../text/sanitize.js';
import { context, section, type SlackMessage } from './slack-blocks.js';
import { classIcon, PENDING_ICON, userMention } from './slack-format.js';
import { fitMessage } from './slack-limits.js';

export interface ProgressState {
  target: string;
  /** The requester's Slack user id. */
  userId: string;
  /** The ports being probed, in display order; null until the plan is known. */
  ports: readonly number[] | null;
  /** Ports finished so far, in any order. */
  done: readonly PortProbe[];
  /** A re-check in a thread says so. */
  recheck?: boolean;
}

/** "25 ✅ 465 ⏳ 587 ❌": finished ports by class, the rest pending. */
export function progressLine(state: Pick<ProgressState, 'ports' | 'done'>): string {
  const finished = new Map(state.done.map((port) => [port.port, port]));
  const order = [...(state.ports ?? [])];
  for (const port of state.done) if (!order.includes(port.port)) order.push(port.port);
  if (order.length === 0) return PENDING_ICON;
  return order
    .map((port) => {
      const probe = finished.get(port);
      return `${port} ${probe ? classIcon(probe.class) : PENDING_ICON}`;
    })
    .join('  ');
}

/** The live parent (or the live re-check reply) while ports are being probed. */
export function renderProgress(state: ProgressState): SlackMessage {
  const verb = state.recheck ? 'Re-checking' : 'Checking';
  const headline = `${verb} ${slackCode(state.target, 260)} for ${userMention(state.userId)} — ${progressLine(state)}`;
  const total = state.ports?.length ?? null;
  const status =
    total === null
      ? 'Resolving the host and planning the ports…'
      : `${state.done.length} of ${total} ports done · details follow in the thread`;
  return fitMessage({ text: headline, blocks: [section(headline), context(status)] });
}
