import type { HostDiagnosis, PortDiagnosis } from '../diagnose/types.js';
import { cleanText, slackCode, slackText } from '../text/sanitize.js';
import { ACTION_IDS } from './slack-action-ids.js';
import { type ActionsBlock, type Block, context, plain, section, type SlackMessage } from './slack-blocks.js';
import {
  encodeCheckValue,
  formatMs,
  formatTime,
  modeLabel,
  portIcon,
  requestOf,
  userMention,
  verdictIcon,
} from './slack-format.js';
import { fitMessage } from './slack-limits.js';
import { listedHosts, type Phrase, portLineHost, type Tone, transportPhrases } from './mx-transport-words.js';

export interface ParentOptions {
  /** The requester's Slack user id. */
  userId: string;
  /** Set when this result comes from a re-check (Re-run or `@bot recheck`). */
  recheckedBy?: string;
}

/** One row of the compact table; the code block keeps the columns aligned. */
function tableRow(port: PortDiagnosis): string {
  const tls = port.tls?.protocol ? cleanText(port.tls.protocol, 12) : '—';
  const cells = [
    String(port.port).padEnd(5),
    portIcon(port),
    port.class.padEnd(30),
    modeLabel(port.observedMode ?? port.mode).padEnd(12),
    tls.padEnd(8),
    formatMs(port.durationMs),
  ];
  return cells.join(' ').replace(/[<>&`]/g, '');
}

export function portTable(ports: readonly PortDiagnosis[]): string {
  if (ports.length === 0) return '_No port was probed._';
  return `\`\`\`\n${ports.map(tableRow).join('\n')}\n\`\`\``;
}

export function checkButtons(diagnosis: HostDiagnosis): ActionsBlock {
  const value = encodeCheckValue(requestOf(diagnosis));
  return {
    type: 'actions',
    block_id: 'smtp_check_actions',
    elements: [
      { type: 'button', action_id: ACTION_IDS.rerun, text: plain('Re-run'), value, style: 'primary' },
      { type: 'button', action_id: ACTION_IDS.watch, text: plain('Watch this host'), value },
      { type: 'button', action_id: ACTION_IDS.showConfig, text: plain('Show config'), value },
      ...(isMxCheck(diagnosis)
        ? [
            {
              type: 'button' as const,
              action_id: ACTION_IDS.domainPosture,
              text: plain('Domain posture'),
              value: diagnosis.target,
            },
          ]
        : []),
    ],
  };
}

/**
 * A check typed as an address (`you@example.com`): its target is a mail domain, whose SPF, DKIM
 * and DMARC matter as much as its MX hosts' ports. A host check's target is only a server.
 */
export function isMxCheck(diagnosis: HostDiagnosis): boolean {
  return diagnosis.mx?.reason === 'forced';
}

const TONE_ICON: Record<Tone, string> = { ok: '✅ ', info: '', warning: '⚠️ ', critical: '❌ ' };

const quoteServerText = (text: string): string => slackCode(text, 200);

function transportText(phrases: Phrase[]): string {
  return phrases.map((phrase) => `${TONE_ICON[phrase.tone]}${phrase.text}`).join(' · ');
}

/**
 * Under the port table of an MX check: the probed host's port 25 as MTA-STS and DANE senders see
 * it, then the other MX hosts in a few words. Null when the check learnt none of it.
 */
export function mxTransportText(diagnosis: HostDiagnosis): string | null {
  const lines: string[] = [];
  const onPort = portLineHost(diagnosis);
  if (onPort) {
    const phrases = transportPhrases(onPort, quoteServerText);
    lines.push(`*Port ${onPort.port}* of ${slackCode(onPort.exchange, 260)}: ${transportText(phrases)}`);
  }
  const others = listedHosts(diagnosis);
  if (others.length > 0) lines.push(onPort ? '*Other MX hosts*' : '*MX hosts*');
  for (const host of others) {
    const which = host.probed ? ' (probed)' : '';
    lines.push(
      `${slackCode(host.exchange, 260)}${which}: ${transportText(transportPhrases(host, quoteServerText))}`,
    );
  }
  return lines.length > 0 ? lines.join('\n') : null;
}

/** The parent once every port is done: verdict line, port table, buttons. */
export function renderParent(diagnosis: HostDiagnosis, options: ParentOptions): SlackMessage {
  const host = slackCode(diagnosis.host, 260);
  const target =
    diagnosis.mx && diagnosis.host !== diagnosis.target
      ? `${host} (MX of ${slackCode(diagnosis.target, 260)})`
      : host;
  const verdict = `${verdictIcon(diagnosis.verdict.status)} ${slackText(diagnosis.verdict.summary, 600)}`;
  const who = options.recheckedBy
    ? `re-checked for ${userMention(options.recheckedBy)}`
    : `checked for ${userMention(options.userId)}`;
  const addresses =
    diagnosis.addresses.length > 0
      ? diagnosis.addresses
          .slice(0, 4)
          .map((address) => slackCode(address, 45))
          .join(' ') + (diagnosis.addresses.length > 4 ? ` +${diagnosis.addresses.length - 4}` : '')
      : 'no address';
  const provider = diagnosis.provider ? ` · provider ${slackText(diagnosis.provider.name, 60)}` : '';
  const transport = mxTransportText(diagnosis);
  const blocks: Block[] = [
    section(`*${target}* ${who}\n${verdict}`),
    section(portTable(diagnosis.ports)),
    ...(transport !== null ? [section(transport)] : []),
    context(
      `${formatTime(diagnosis.checkedAt)} · ${formatMs(diagnosis.durationMs)} · ${addresses}${provider} · evidence and advice in the thread`,
    ),
    checkButtons(diagnosis),
  ];
  return fitMessage({ text: `smtp-check ${host}: ${slackText(diagnosis.verdict.summary, 600)}`, blocks });
}
