import { assertNever } from '../util/assert-never.js';
import type { CheckRequest } from '../check/types.js';
import { type ClassGroup, formatMs, PORT_CLASS_TABLE } from '../diagnose/index.js';
import type { HostDiagnosis, PortDiagnosis, Security, Severity } from '../diagnose/types.js';
import type { PortClass, PortProbe, StageTimings } from '../probe/types.js';
import { SLACK_USER_ID, slackCode, slackText } from '../text/sanitize.js';

// Small formatting pieces shared by the Slack renderers. Everything that may carry text from a
// server or a user goes through the sanitiser before it reaches mrkdwn.

export const PENDING_ICON = '⏳';

const GROUP_ICON: Record<ClassGroup, string> = {
  usable: '✅',
  degraded: '⚠️',
  blocked: '❌',
  'no-answer': '❌',
  'not-probed': '🚫',
};

/** The icon for a port as soon as its probe finishes (before diagnosis weighs certificates). */
export function classIcon(portClass: PortClass): string {
  return GROUP_ICON[PORT_CLASS_TABLE[portClass].group];
}

/** What a port class means, in a few words a support engineer would say. */
export function classLabel(portClass: PortClass): string {
  return PORT_CLASS_TABLE[portClass].phrase;
}

/** A finished port: ❌ unusable, ⚠️ usable with findings to fix, ✅ clean. */
export function portIcon(port: PortDiagnosis): string {
  if (port.class === 'denied-by-policy') return '🚫';
  if (!port.usable) return '❌';
  return port.findings.some((finding) => finding.severity !== 'info') ? '⚠️' : '✅';
}

export function severityIcon(severity: Severity): string {
  switch (severity) {
    case 'critical':
      return '🔴';
    case 'warning':
      return '🟠';
    case 'info':
      return '🔵';
    default:
      return assertNever(severity);
  }
}

export function verdictIcon(status: HostDiagnosis['verdict']['status']): string {
  return status === 'ok' ? '✅' : status === 'degraded' ? '⚠️' : '❌';
}

export function securityLabel(security: Security): string {
  switch (security) {
    case 'implicit-tls':
      return 'implicit TLS (SSL/TLS)';
    case 'starttls':
      return 'STARTTLS';
    case 'none':
      return 'no TLS';
    default:
      return assertNever(security);
  }
}

export function modeLabel(mode: PortProbe['mode']): string {
  return mode === 'implicit-tls' ? 'implicit TLS' : 'STARTTLS';
}

/** Durations read the same in Slack as in the terminal and the findings. */
export { formatMs } from '../diagnose/index.js';

export function formatTimings(timings: StageTimings): string {
  const parts = Object.entries(timings)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([stage, ms]) => `${stage} ${formatMs(ms)}`);
  return parts.length > 0 ? parts.join(' · ') : 'no stage reached';
}

/** "2024-05-01 12:00 UTC": readable in any locale, no Slack date token needed. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return slackCode(iso, 40);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The requester as a mention. Only a well-formed Slack user id becomes `<@…>`; anything else is
 * shown escaped, so a crafted id cannot turn into `<!channel>`.
 */
export function userMention(userId: string): string {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : slackText(userId, 40);
}

/** A trusted URL (from the knowledge base) as a link; anything odd is shown as escaped text. */
export function slackLink(url: string, label: string): string {
  if (!/^https:\/\/[^\s<>|]{1,500}$/.test(url)) return slackText(`${label} (${url})`, 600);
  return `<${url}|${slackText(label, 100).replace(/\|/g, '/')}>`;
}

/** What the buttons carry, so a click can re-run exactly this check (also after a restart). */
export function encodeCheckValue(request: CheckRequest): string {
  return JSON.stringify({ t: request.target, p: request.ports, m: request.mx });
}

/** The inverse of encodeCheckValue; null for anything that is not what we sent. */
export function decodeCheckValue(value: string | undefined): CheckRequest | null {
  if (value === undefined || value.length > 2_000) return null;
  try {
    const parsed = JSON.parse(value) as { t?: unknown; p?: unknown; m?: unknown };
    if (typeof parsed.t !== 'string' || parsed.t === '' || parsed.t.length > 253) return null;
    if (
      !Array.isArray(parsed.p) ||
      !parsed.p.every((port) => Number.isInteger(port) && port > 0 && port < 65_536)
    ) {
      return null;
    }
    return { target: parsed.t, ports: parsed.p as number[], mx: parsed.m === 'force' ? 'force' : 'auto' };
  } catch {
    return null;
  }
}

/** The request that reproduces a finished check (the ports it actually probed). */
export function requestOf(diagnosis: HostDiagnosis): CheckRequest {
  return {
    target: diagnosis.target,
    ports: diagnosis.ports.map((port) => port.port),
    mx: diagnosis.mx?.reason === 'forced' ? 'force' : 'auto',
  };
}
