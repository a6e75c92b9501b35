import type { HostDiagnosis } from '../diagnose/types.js';
import type {
  AlertEvent,
  AlertNotice,
  AlertPhase,
  PortStateView,
  ResolvedNotice,
  SilentVantage,
  VantagePortSight,
  VantageReport,
  WatchChange,
  WatchView,
} from '../watch-model/index.js';
import { cleanText, escapeMrkdwn, slackCode, slackText } from '../text/sanitize.js';
import { ACTION_IDS } from './slack-action-ids.js';
import {
  type ActionsBlock,
  type Block,
  context,
  header,
  plain,
  section,
  type SlackMessage,
} from './slack-blocks.js';
import { classIcon, classLabel, formatMs, formatTime, securityLabel, userMention } from './slack-format.js';
import { fitMessage } from './slack-limits.js';
import { plural } from '../text/plural.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

// Watch messages: the alert that opens an incident, what follows in its thread, the alert marked
// resolved, the watch confirmation and short notices (list, history and App Home are in
// watch-overview.ts). Pure; host names and server text are escaped.

export const PHASE_ICON: Record<AlertPhase, string> = {
  ok: '🟢',
  suspect: '🟡',
  blocked: '🔴',
  recovering: '🟠',
};

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'under a minute';
  const d = Math.floor(minutes / 1_440);
  const h = Math.floor((minutes % 1_440) / 60);
  const m = minutes % 60;
  const parts = [d ? `${d} d` : '', h ? `${h} h` : '', m && !d ? `${m} min` : ''];
  return parts.filter(Boolean).join(' ');
}

const between = (from: string, to: string): number => Date.parse(to) - Date.parse(from);
const hostCode = (host: string): string => slackCode(host, 260);
/** Text to place inside a code span we write ourselves (no nested spans, nothing Slack links). */
const inCode = (text: string): string => escapeMrkdwn(cleanText(text, 200).replace(/`/g, "'"));

export function portStateLine(port: PortStateView, now?: string): string {
  const state = port.phase === 'ok' ? 'ok' : port.phase;
  const since = now ? ` for ${formatDuration(between(port.since, now))}` : ` since ${formatTime(port.since)}`;
  return `${PHASE_ICON[port.phase]} *${port.port}* ${state}${since} · ${classIcon(port.class)} ${classLabel(port.class)}`;
}

function eventLine(event: AlertEvent, host: string): string {
  switch (event.kind) {
    case 'became-blocked':
      return `🔴 *Port ${event.port} is blocked* on ${hostCode(host)}: ${classLabel(event.class)}, since ${formatTime(event.since)}.`;
    case 'still-blocked':
      return `⏰ *Port ${event.port} is still blocked* (${classLabel(event.class)}) — for ${formatDuration(between(event.since, event.at))} now, since ${formatTime(event.since)}.`;
    case 'recovered':
      if (event.firstTime) {
        return `🟢 *Port ${event.port} works now* (${classLabel(event.class)}) on ${hostCode(host)}: it had failed since the watch began, ${formatTime(event.blockedSince)}. I alert here if it stops working.`;
      }
      return `🟢 *Port ${event.port} recovered* (${classLabel(event.class)}) after ${formatDuration(between(event.blockedSince, event.recoveredAt))} blocked.`;
    case 'cert-expiring': {
      const when =
        event.band === 'expired'
          ? `expired ${plural(-event.daysLeft, 'day')} ago`
          : `expires in ${plural(event.daysLeft, 'day')}`;
      return `🔐 *The certificate on port ${event.port} ${when}* (${event.band}). Renew it before clients refuse the connection.`;
    }
    default:
      return event satisfies never;
  }
}

const nameList = (names: readonly string[]): string =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/** One port as each vantage sees it: "25 blocked from aws-eu; still open from office". */
export function vantageSightLine(sight: VantagePortSight): string {
  const parts: string[] = [];
  if (sight.blocked.length > 0) parts.push(`blocked from ${nameList(sight.blocked)}`);
  if (sight.failing.length > 0) parts.push(`failing from ${nameList(sight.failing)}, not confirmed yet`);
  if (sight.open.length > 0)
    parts.push(`${parts.length > 0 ? 'still open' : 'open'} from ${nameList(sight.open)}`);
  if (sight.unseen.length > 0) parts.push(`not seen yet from ${nameList(sight.unseen)}`);
  return `${sight.port} ${parts.join('; ')}`;
}

/** Why a vantage said nothing ("no answer from aws-eu (last seen 3 min ago)"): never a verdict. */
export function silentVantageLine(silent: SilentVantage, now: string): string {
  const seen = silent.lastSeen ? ` (last seen ${formatDuration(between(silent.lastSeen, now))} ago)` : '';
  switch (silent.kind) {
    case 'no-answer':
      return `no answer from ${silent.vantage}${seen}`;
    case 'no-worker':
      return `no worker running for ${silent.vantage}${seen}`;
    case 'refused':
      return `${silent.vantage} refused the target: ${slackText(silent.detail ?? 'its policy', 200)}`;
    case 'failed':
      return `${silent.vantage} failed without an answer: ${slackText(silent.detail ?? 'no reason given', 200)}`;
    default:
      return silent.kind satisfies never;
  }
}

/** The vantages' view of the ports a message is about, and who said nothing. */
function vantageLines(report: VantageReport, ports: readonly number[], now: string): string[] {
  return [
    ...report.ports.filter((sight) => ports.includes(sight.port)).map(vantageSightLine),
    ...report.silent.map((silent) => silentVantageLine(silent, now)),
  ];
}

function vantageSection(report: VantageReport, ports: readonly number[], now: string): Block | null {
  const lines = vantageLines(report, ports, now);
  if (lines.length === 0) return null;
  const quorum = report.quorum > 1 ? ` (an alert needs ${report.quorum} of them to agree)` : '';
  return section(`*From each network*${quorum}\n${lines.map((line) => `• ${line}`).join('\n')}`);
}

function evidence(diagnosis: HostDiagnosis, ports: number[]): string[] {
  return diagnosis.ports
    .filter((port) => ports.includes(port.port))
    .map((port) => {
      const failure = port.failure
        ? ` at ${port.failure.stage}: ${slackCode(port.failure.message, 200)}`
        : port.greeting
          ? `, greeting ${slackCode(port.greeting, 200)}`
          : '';
      const finding = port.findings[0] ? `\n   ${slackText(port.findings[0].summary, 400)}` : '';
      return `• *${port.port}* ${classIcon(port.class)} ${classLabel(port.class)} after ${formatMs(port.durationMs)}${failure}${finding}`;
    });
}

function advice(diagnosis: HostDiagnosis): string | null {
  const lines: string[] = [];
  const rec = diagnosis.recommendation;
  if (rec)
    lines.push(`Use port *${rec.port}* with ${securityLabel(rec.security)}: ${slackText(rec.reason, 400)}`);
  for (const step of diagnosis.advice.slice(0, 4)) lines.push(`• ${slackText(step, 400)}`);
  return lines.length > 0 ? `*What to do*\n${lines.join('\n')}` : null;
}

function title(input: AlertNotice): string {
  const host = input.host.length > 100 ? `${input.host.slice(0, 99)}…` : input.host;
  const portsOf = (kind: AlertEvent['kind']): string => {
    const ports = input.events.filter((e) => e.kind === kind).map((e) => e.port);
    return ports.length === 0 ? '' : `port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}`;
  };
  if (portsOf('became-blocked')) return `🚨 ${host}: ${portsOf('became-blocked')} blocked`;
  if (portsOf('still-blocked')) return `⏰ ${host}: ${portsOf('still-blocked')} still blocked`;
  if (portsOf('cert-expiring')) return `🔐 ${host}: certificate expiring on ${portsOf('cert-expiring')}`;
  const firstTime = input.events.every((e) => e.kind !== 'recovered' || e.firstTime);
  return `✅ ${host}: ${portsOf('recovered')} ${firstTime ? 'working now' : 'recovered'}`;
}

/** The top-level alert that opens an incident (or a certificate alert when nothing is blocked). */
export function renderAlert(input: AlertNotice): SlackMessage {
  const lines = input.events.map((event) => eventLine(event, input.host));
  const affected = input.events.map((event) => event.port);
  const others = input.ports.filter((port) => !affected.includes(port.port));
  const blocks: Block[] = [header(title(input)), section(lines.join('\n'))];
  const seen = input.vantages ? vantageLines(input.vantages, affected, input.diagnosis.checkedAt) : [];
  const fromEach = input.vantages
    ? vantageSection(input.vantages, affected, input.diagnosis.checkedAt)
    : null;
  if (fromEach) blocks.push(fromEach);
  const proof = evidence(input.diagnosis, affected);
  if (proof.length > 0) blocks.push(section(`*Evidence*\n${proof.join('\n')}`));
  if (others.length > 0)
    blocks.push(section(`*Other ports*\n${others.map((p) => portStateLine(p)).join('\n')}`));
  const help = advice(input.diagnosis);
  if (help) blocks.push(section(help));
  blocks.push(
    context(
      `Updates follow in this thread · silence with \`${SLASH_COMMAND} mute ${inCode(input.host)} 2h\``,
    ),
  );
  return fitMessage({ text: [`${title(input)}`, ...lines, ...seen].join('\n'), blocks });
}

/** A reply in the incident thread: further changes, reminders, and the recovery. */
export function renderIncidentUpdate(input: AlertNotice): SlackMessage {
  const lines = input.events.map((event) => eventLine(event, input.host));
  if (input.resolved) {
    lines.push(
      `✅ *All ports of ${hostCode(input.host)} work again.* The incident lasted ${formatDuration(between(input.resolved.since, input.resolved.at))}.`,
    );
  }
  const blocks: Block[] = [section(lines.join('\n'))];
  const affected = input.events.map((event) => event.port);
  const seen = input.vantages ? vantageLines(input.vantages, affected, input.diagnosis.checkedAt) : [];
  const fromEach = input.vantages
    ? vantageSection(input.vantages, affected, input.diagnosis.checkedAt)
    : null;
  if (fromEach) blocks.push(fromEach);
  const newlyBlocked = input.events.filter((e) => e.kind === 'became-blocked').map((e) => e.port);
  const proof = evidence(input.diagnosis, newlyBlocked);
  if (proof.length > 0) blocks.push(section(`*Evidence*\n${proof.join('\n')}`));
  blocks.push(context(input.ports.map((port) => portStateLine(port)).join('\n')));
  return fitMessage({ text: [...lines, ...seen].join('\n'), blocks });
}

/** The alert message once the incident is over (chat.update replaces the whole alert). */
export function renderResolvedAlert(input: ResolvedNotice): SlackMessage {
  const took = formatDuration(between(input.since, input.resolvedAt));
  const line = `✅ *Resolved* — ${hostCode(input.host)} was blocked for ${took}, from ${formatTime(input.since)} to ${formatTime(input.resolvedAt)}.`;
  const blocks: Block[] = [
    header(`✅ Resolved: ${input.host.slice(0, 100)} (${took})`),
    section(line),
    context(input.ports.map((port) => portStateLine(port)).join('\n'), 'The thread has the full story.'),
  ];
  return fitMessage({ text: line, blocks });
}

/** The Unwatch button for one host; the channel comes from the message it is clicked in. */
export function unwatchButtons(host: string): ActionsBlock {
  const label = host.length > 60 ? `${host.slice(0, 59)}…` : host;
  return {
    type: 'actions',
    elements: [
      { type: 'button', action_id: ACTION_IDS.unwatch, text: plain(`Unwatch ${label}`), value: host },
    ],
  };
}

const portList = (ports: readonly number[]): string =>
  ports.length <= 1 ? ports.join('') : `${ports.slice(0, -1).join(', ')} and ${ports.at(-1)}`;

/** Where a watch probes from, in words. */
const fromWhere = (vantages: readonly string[]): string =>
  vantages.length === 0 ? "this bot's own network" : nameList(vantages);

/** What a re-watch changed, in words: "added 2525, removed 465". */
function changeLine(change: WatchChange): string {
  const parts = [
    change.added.length > 0 ? `added ${portList(change.added)}` : '',
    change.removed.length > 0 ? `stopped watching ${portList(change.removed)}` : '',
    change.vantages
      ? `now from ${fromWhere(change.vantages.after)} instead of ${fromWhere(change.vantages.before)}`
      : '',
  ].filter(Boolean);
  return parts.length === 0 ? 'the ports are unchanged' : parts.join('; ');
}

/**
 * The answer to `watch`: what is watched now, what a re-watch changed, and which ports fail
 * already — those are not alerted as blocked; the day one starts working is announced.
 */
export function renderWatchConfirmation(input: {
  watch: WatchView;
  diagnosis: HostDiagnosis;
  /** Null for a new watch. */
  change: WatchChange | null;
  /** Vantages of the watch that gave no baseline. */
  silent?: SilentVantage[];
}): SlackMessage {
  const { watch, diagnosis, change } = input;
  const from = watch.vantages && watch.vantages.length > 0 ? ` from ${nameList(watch.vantages)}` : '';
  const ports = `${plural(watch.ports.length, 'port')} (${watch.ports.map((p) => p.port).join(', ')})${from}`;
  const failing = watch.ports.filter((port) => port.phase === 'blocked');
  const working = watch.ports.length - failing.length;
  const promise =
    working === 0
      ? 'I re-test it on a schedule.'
      : `I re-test it on a schedule and post here if ${watch.ports.length === 1 ? 'it' : 'a port that works now'} stops working.`;
  const line =
    change === null
      ? `👀 Watching ${hostCode(watch.host)} on ${ports} for ${userMention(watch.addedBy)}. ${promise}`
      : `👀 ${userMention(change.by)} changed the watch on ${hostCode(watch.host)}: ${changeLine(change)}. Now watching ${ports}. ${promise}`;
  const blocks: Block[] = [section(line)];
  if (failing.length > 0) {
    const numbers = portList(failing.map((port) => port.port));
    const fails =
      failing.length === 1
        ? `⚠️ *Port ${numbers} fails already*: ${failing.map((port) => classLabel(port.class)).join('')}. There is no alert for it; I post here when it starts working.`
        : `⚠️ *Ports ${numbers} fail already*: ${failing.map((port) => `${port.port} ${classLabel(port.class)}`).join(' · ')}. There is no alert for them; I post here when each starts working.`;
    blocks.push(section(fails));
  }
  const silent = (input.silent ?? []).map((s) => silentVantageLine(s, diagnosis.checkedAt));
  const silentText =
    silent.length > 0
      ? `⚠️ ${silent.join('; ')}. The watch is kept: ${silent.length === 1 ? 'it joins' : 'they join'} when ${silent.length === 1 ? 'it answers' : 'they answer'}, and until then ${silent.length === 1 ? 'is' : 'are'} never counted as a verdict.`
      : '';
  if (silentText) blocks.push(section(silentText));
  blocks.push(
    section(
      `*Baseline* — ${slackText(diagnosis.verdict.summary, 500)}\n${watch.ports.map((p) => portStateLine(p)).join('\n')}`,
    ),
  );
  blocks.push(unwatchButtons(watch.host));
  const failingText =
    failing.length > 0
      ? `\n${failing.length === 1 ? 'Port' : 'Ports'} ${portList(failing.map((p) => p.port))} ${failing.length === 1 ? 'fails' : 'fail'} already; I post here when ${failing.length === 1 ? 'it starts' : 'each starts'} working.`
      : '';
  return fitMessage({ text: `${line}${failingText}${silentText ? `\n${silentText}` : ''}`, blocks });
}

/** A one-line answer (unwatch, mute, validation errors). */
export function renderWatchNotice(text: string): SlackMessage {
  return fitMessage({ text, blocks: [section(text)] });
}
