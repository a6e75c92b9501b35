import { isIP } from 'node:net';
import type { CertificateFacts, HostProbe, PortProbe, ProbeFailure, Stage } from '../probe/types.js';
import { DAY_MS } from '../util/time.js';

// Small formatters that turn facts into the evidence a summary cites. Server text stays raw here:
// the renderers escape it.

/**
 * A duration as people say it: "40 ms" below a second, "1.5 s" or "5 s" below ten (tenths only
 * when they say something), "12 s" beyond. Every report, finding and Slack message uses this one.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const wholeMs = Math.round(ms);
  if (wholeMs < 1_000) return `${wholeMs} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 100) return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)} s`;
  return `${Math.round(ms / 1_000)} s`;
}

const TLS_ALERTS: Record<number, string> = {
  10: 'unexpected_message',
  20: 'bad_record_mac',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  109: 'missing_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/** "alert 40 (handshake_failure)". */
export function describeTlsAlert(alert: number): string {
  const name = TLS_ALERTS[alert];
  return name ? `alert ${alert} (${name})` : `alert ${alert}`;
}

const STAGE_LABELS: Record<Stage, string> = {
  resolve: 'name resolution',
  connect: 'TCP connect',
  'tls-handshake': 'TLS handshake',
  greeting: 'greeting',
  ehlo: 'EHLO',
  starttls: 'STARTTLS',
  'tls-ehlo': 'EHLO inside TLS',
  quit: 'QUIT',
};

export function describeStage(stage: Stage): string {
  return STAGE_LABELS[stage];
}

/** "at TCP connect (ECONNREFUSED)", "at TLS handshake (alert 40 (handshake_failure))", … */
export function describeFailure(failure: ProbeFailure): string {
  const details: string[] = [];
  if (failure.tlsAlert !== undefined) details.push(describeTlsAlert(failure.tlsAlert));
  if (failure.replyCode !== undefined) details.push(`reply ${failure.replyCode}`);
  if (failure.code) details.push(failure.code);
  const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `at ${describeStage(failure.stage)}${suffix}`;
}

/** Time spent on the stage that failed, else on the whole port. */
export function failureElapsedMs(port: PortProbe): number {
  const stage = port.failure?.stage;
  const spent = stage ? port.timings[stage] : undefined;
  return spent ?? port.durationMs;
}

/** The greeting's first line without its reply code, capped (it is server text). */
export function greetingLine(port: PortProbe, maxChars = 120): string | null {
  if (port.greeting === null) return null;
  const first = port.greeting.split('\n')[0] ?? '';
  const text = first.replace(/^\d{3}[ -]?/, '').trim();
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

export function quote(text: string, maxChars = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `"${oneLine.length > maxChars ? `${oneLine.slice(0, maxChars - 1)}…` : oneLine}"`;
}

/**
 * Another port of the same host whose TCP connect succeeded: the contrast that shows a silent port
 * is filtered on the way rather than the whole host being down ("while 587 answered in 40 ms").
 */
export function answeringSibling(port: PortProbe, probe: HostProbe): PortProbe | null {
  const answered = probe.ports.filter(
    (other) =>
      other.port !== port.port &&
      other.timings.connect !== undefined &&
      (other.failure === null || other.failure.stage !== 'connect'),
  );
  // Cite the port the reader will be told to use, when it is among them.
  const open = answered.filter(
    (other) => other.class === 'open-starttls' || other.class === 'open-implicit-tls',
  );
  return (
    open.find((other) => other.port === 587) ??
    open.find((other) => other.port === 465) ??
    open[0] ??
    answered[0] ??
    null
  );
}

/** " while 587 answered in 40 ms", or "" when no other port answered. */
export function siblingContrast(port: PortProbe, probe: HostProbe): string {
  const sibling = answeringSibling(port, probe);
  if (!sibling || sibling.timings.connect === undefined) return '';
  return ` while ${sibling.port} answered in ${formatMs(sibling.timings.connect)}`;
}

/** Days of validity left at the diagnosis clock (the probe's daysLeft used a different clock). */
export function certificateDaysLeft(certificate: CertificateFacts, now: Date): number {
  const validTo = Date.parse(certificate.validTo);
  if (Number.isNaN(validTo)) return certificate.daysLeft;
  return Math.floor((validTo - now.getTime()) / DAY_MS);
}

export function isCertificateExpired(certificate: CertificateFacts, now: Date): boolean {
  const validTo = Date.parse(certificate.validTo);
  if (Number.isNaN(validTo)) return certificate.daysLeft < 0;
  return validTo <= now.getTime();
}

export function isIpAddress(host: string): boolean {
  return isIP(host) !== 0;
}

/** "25", "25 and 587", "25, 465 and 587". */
export function listPorts(ports: number[]): string {
  return listWords(ports.map(String));
}

export function listWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
