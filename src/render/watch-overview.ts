import { assertNever } from '../util/assert-never.js';
import type { DomainWatchView, PortHistoryView, WatchReply, WatchView } from '../watch-model/index.js';
import {
  PHASE_ICON,
  portStateLine,
  renderWatchConfirmation,
  renderWatchNotice,
  unwatchButtons,
} from './alerts.js';
import { slackCode, slackText } from '../text/sanitize.js';
import {
  type Block,
  context,
  divider,
  header,
  type HomeView,
  section,
  type SlackMessage,
} from './slack-blocks.js';
import { classIcon, classLabel, formatTime, userMention } from './slack-format.js';
import { fitBlocks, fitMessage, SLACK_LIMITS } from './slack-limits.js';
import { usageSection, watchUsageSection } from './slack-usage.js';
import { plural } from '../text/plural.js';
import { domainWatchSummary, renderDomainWatchConfirmation } from './domain-alerts.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

// What is watched, seen from a channel (list), a host (history) or the workspace (App Home). Pure.

const hostCode = (host: string): string => slackCode(host, 260);

/** A compact uptime bar: █ usable, ▁ not usable (or 🟩 / 🟥), oldest first. */
export function uptimeBar(samples: string, style: 'bars' | 'emoji' = 'bars'): string {
  const [up, down] = style === 'bars' ? ['█', '▁'] : ['🟩', '🟥'];
  return [...samples].map((sample) => (sample === '1' ? up : down)).join('');
}

const channelMention = (channel: string): string =>
  /^[CGD][A-Z0-9]{2,20}$/.test(channel) ? `<#${channel}>` : slackText(channel, 40);

function watchSummary(watch: WatchView, now: string): string {
  const muted =
    watch.mutedUntil && watch.mutedUntil > now ? ` · 🔕 muted until ${formatTime(watch.mutedUntil)}` : '';
  const incident = watch.incidentSince ? ` · 🚨 incident since ${formatTime(watch.incidentSince)}` : '';
  const ports = watch.ports.map((port) => `${PHASE_ICON[port.phase]} ${port.port}`).join('  ');
  const from = watch.vantages && watch.vantages.length > 0 ? ` · from ${watch.vantages.join(', ')}` : '';
  return `${hostCode(watch.host)}${from}${incident}${muted}\n${ports || 'no ports yet'}`;
}

export function renderWatchList(input: {
  channel: string;
  watches: WatchView[];
  now: string;
  domains?: DomainWatchView[];
}): SlackMessage {
  const domains = input.domains ?? [];
  if (input.watches.length === 0 && domains.length === 0) {
    const text = `No hosts are watched in this channel. Type \`${SLASH_COMMAND} watch &lt;host&gt; [ports]\` to add one, or \`${SLASH_COMMAND} watch domain &lt;domain&gt;\` for a sending domain.`;
    return fitMessage({ text, blocks: [section(text)] });
  }
  const heading = `*${plural(input.watches.length, 'watched host')}* in this channel`;
  const blocks: Block[] = [
    section(heading),
    ...input.watches.flatMap((w) => [section(watchSummary(w, input.now)), unwatchButtons(w.host)]),
  ];
  blocks.push(context('🟢 ok · 🟡 failing, not yet confirmed · 🔴 blocked · 🟠 recovering'));
  const domainHeading = `*${plural(domains.length, 'watched domain')}* in this channel`;
  const domainLines = domains.map((d) => domainWatchSummary(d, input.now));
  if (domains.length > 0) {
    blocks.push(section(domainHeading), ...domainLines.map((line) => section(line)));
    blocks.push(context(`Stop watching one with \`${SLASH_COMMAND} unwatch domain &lt;domain&gt;\``));
  }
  const text = [
    heading,
    ...input.watches.map((w) => watchSummary(w, input.now)),
    ...(domains.length > 0 ? [domainHeading, ...domainLines] : []),
  ].join('\n');
  return fitMessage({ text, blocks });
}

export function renderHistory(input: { host: string; ports: PortHistoryView[]; now: string }): SlackMessage {
  const blocks: Block[] = [header(`History of ${input.host.slice(0, 120)}`)];
  const lines: string[] = [];
  for (const port of input.ports) {
    const state = port.state ? portStateLine(port.state, input.now) : `*${port.port}* not checked yet`;
    const bar = port.samples
      ? `\`${uptimeBar(port.samples)}\` ${uptimeShare(port.samples)}`
      : 'no samples yet';
    const changes = port.changes
      .slice(-5)
      .reverse()
      .map((c) => `${formatTime(c.at)} ${classIcon(c.class)} ${classLabel(c.class)}`);
    const fromEach = (port.vantages ?? []).map((v) =>
      v.samples
        ? `${v.vantage} \`${uptimeBar(v.samples)}\` ${uptimeShare(v.samples)}`
        : `${v.vantage}: no samples yet`,
    );
    const vantages = fromEach.length > 0 ? `\nFrom each network:\n${fromEach.join('\n')}` : '';
    const text = `${state}\n${bar}${vantages}${changes.length > 0 ? `\nRecent changes:\n${changes.join('\n')}` : ''}`;
    lines.push(text);
    blocks.push(section(text));
  }
  blocks.push(context('Bar: oldest left, newest right, one mark per re-test · █ usable · ▁ not usable'));
  return fitMessage({ text: [`History of ${hostCode(input.host)}`, ...lines].join('\n'), blocks });
}

function uptimeShare(samples: string): string {
  const up = [...samples].filter((sample) => sample === '1').length;
  return `${Math.round((100 * up) / samples.length)}% of the last ${samples.length}`;
}

/** The App Home tab: every watched host of the workspace, its state and last change, then usage. */
export function renderHomeView(input: { watches: WatchView[]; now: string }): HomeView {
  const blocks: Block[] = [header('Watched hosts')];
  if (input.watches.length === 0) {
    blocks.push(
      section(`Nothing is watched yet. In a channel, type \`${SLASH_COMMAND} watch &lt;host&gt; [ports]\`.`),
    );
  }
  for (const watch of input.watches) {
    const last = [...watch.ports].sort((a, b) => b.since.localeCompare(a.since))[0];
    const change = last ? `last change ${formatTime(last.since)} (${last.port})` : 'not checked yet';
    blocks.push(
      section(`${watchSummary(watch, input.now)}\nin ${channelMention(watch.channel)} · ${change}`),
    );
  }
  // Usage goes last: with a very long list it is what fitBlocks gives up first.
  blocks.push(divider(), usageSection(), watchUsageSection(), context(`Updated ${formatTime(input.now)}`));
  return { type: 'home', blocks: fitBlocks(blocks, SLACK_LIMITS.homeBlocks) };
}

/** Draws what a watch command has to say. */
export function renderWatchReply(reply: WatchReply): SlackMessage {
  switch (reply.kind) {
    case 'refused':
      return renderWatchNotice(reply.error);
    case 'watching':
      return renderWatchConfirmation(reply);
    case 'unwatched':
      return renderWatchNotice(
        `Stopped watching ${hostCode(reply.host)} in this channel (${userMention(reply.by)}).`,
      );
    case 'muted':
      return renderWatchNotice(
        `🔕 ${userMention(reply.by)} muted ${hostCode(reply.host)} until ${formatTime(reply.until)}. I keep re-testing it; anything still wrong then is announced. Unmute with \`${SLASH_COMMAND} mute ${reply.host} off\`.`,
      );
    case 'unmuted':
      return renderWatchNotice(
        `🔔 Alerts for ${hostCode(reply.host)} are back on (${userMention(reply.by)}).`,
      );
    case 'list':
      return renderWatchList(reply);
    case 'watching-domain':
      return renderDomainWatchConfirmation(reply);
    case 'unwatched-domain':
      return renderWatchNotice(
        `Stopped watching the domain ${hostCode(reply.domain)} in this channel (${userMention(reply.by)}).`,
      );
    case 'muted-domain':
      return renderWatchNotice(
        `🔕 ${userMention(reply.by)} muted the domain ${hostCode(reply.domain)} until ${formatTime(reply.until)}. I keep re-checking it; anything still worse then is announced. Unmute with \`${SLASH_COMMAND} mute domain ${reply.domain} off\`.`,
      );
    case 'unmuted-domain':
      return renderWatchNotice(
        `🔔 Alerts for the domain ${hostCode(reply.domain)} are back on (${userMention(reply.by)}).`,
      );
    case 'history':
      return renderHistory(reply);
    default:
      return assertNever(reply);
  }
}
