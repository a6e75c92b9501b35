import { buildChecklistSteps, compareSeverity, formatMs } from '../diagnose/index.js';
import type { Finding, HostDiagnosis, PortDiagnosis, Severity } from '../diagnose/types.js';
import type { PortProbe } from '../probe/types.js';
import { displayWidth, fitColumns } from './display-width.js';
import { listedHosts, type Phrase, portLineHost, type Tone, transportPhrases } from './mx-transport-words.js';
import { cleanText } from '../text/sanitize.js';

// Terminal output. Server text goes through cleanText first: an ANSI sequence in a banner must not
// be able to repaint the user's terminal.

export interface TerminalStyle {
  color: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '31', warning: '33', info: '36' };

function paint(style: TerminalStyle, code: string, text: string): string {
  return style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function firstLine(text: string | null, max: number): string {
  if (!text) return '';
  return cleanText(text.split('\n')[0] ?? '', max);
}

/**
 * The evidence shown next to a port: the failure, or the greeting when there is none. One line, at
 * most maxChars (a reply line is at most 512 octets, RFC 5321 §4.5.3.1.5).
 */
export function portEvidence(port: PortProbe, maxChars = 512): string {
  if (showsFailure(port)) {
    const code = port.failure.replyCode ?? port.failure.code ?? port.failure.tlsAlert;
    const prefix = code === undefined ? port.failure.stage : `${port.failure.stage}, ${code}`;
    return cleanText(`${prefix}: ${port.failure.message}`, maxChars).replace(/\s*\n\s*/g, ' ');
  }
  return firstLine(port.greeting, maxChars);
}

/** The port line shows the failure; otherwise the first line of the greeting. */
function showsFailure(port: PortProbe): port is PortProbe & { failure: NonNullable<PortProbe['failure']> } {
  return port.failure !== null && port.class !== 'slow-banner';
}

/** A greeting may run to many lines (postscreen's `220-` lines); a report shows this many at most. */
const GREETING_MAX_LINES = 12;
const DETAIL_INDENT = '         ';

/**
 * A multi-line greeting, whole, under its port in the final report: the lines the port line did
 * not show, each cleaned and capped at a reply line's 512 octets. A one-line greeting adds nothing.
 */
function greetingDetail(port: PortProbe): string[] {
  const lines = (port.greeting ?? '').split(/\r?\n/).filter((line) => line !== '');
  if (lines.length < 2) return [];
  const rest = showsFailure(port) ? lines : lines.slice(1);
  const shown = rest.slice(0, GREETING_MAX_LINES).map((line) => `${DETAIL_INDENT}${cleanText(line, 512)}`);
  if (showsFailure(port)) shown.unshift(`${DETAIL_INDENT}greeting:`);
  const left = rest.length - Math.min(rest.length, GREETING_MAX_LINES);
  if (left > 0) shown.push(`${DETAIL_INDENT}… ${left} more greeting line${left === 1 ? '' : 's'}`);
  return shown;
}

/** A live line is at most this wide: the terminal's columns, 80 when unknown. */
export interface LiveWidth {
  /**
   * Columns of the terminal. The line stays one column short of it: a line that ends exactly in
   * the last column makes some terminals wrap, and the redraw counts one row per line.
   */
  maxColumns?: number;
}

function classColor(port: PortProbe & { usable?: boolean }): string {
  if (port.usable === true) return '32';
  if (port.usable === false) return '31';
  return port.class.startsWith('open-') ? '32' : '33';
}

/**
 * One line per port, used live while a check runs and in the final table. With maxColumns (live),
 * the server's text is cut with "…" so the line fits; without, it is shown whole.
 */
export function renderPortLine(
  port: PortProbe & { usable?: boolean },
  style: TerminalStyle & LiveWidth,
): string {
  const time = formatMs(port.durationMs).padStart(7);
  const full = (classWidth: number, evidence: string) =>
    `  ${String(port.port).padEnd(5)} ${paint(style, classColor(port), port.class.padEnd(classWidth))} ${time}  ${evidence}`.trimEnd();
  if (style.maxColumns === undefined) return full(31, portEvidence(port));
  const room = style.maxColumns - 1;
  // Narrow terminals lose the alignment padding before they lose the verdict.
  const classWidth = displayWidth(full(31, '')) <= room ? 31 : port.class.length;
  const evidenceRoom = room - displayWidth(full(classWidth, '')) - 2;
  const line = full(classWidth, evidenceRoom >= 4 ? fitColumns(portEvidence(port), evidenceRoom) : '');
  // Narrower still than port, class and time: plain text, cut.
  return displayWidth(line) <= room
    ? line
    : fitColumns(full(classWidth, '').replace(/\u001b\[[0-9;]*m/g, ''), room);
}

export function renderPendingLine(port: number, width: LiveWidth = {}): string {
  const line = `  ${String(port).padEnd(5)} checking…`;
  return width.maxColumns === undefined ? line : fitColumns(line, width.maxColumns - 1);
}

function tlsSummary(port: PortDiagnosis): string {
  const parts: string[] = [];
  if (port.tls?.protocol) parts.push(`${port.tls.protocol} ${port.tls.cipher ?? ''}`.trim());
  const cert = port.certificate;
  if (cert) {
    const names = cleanText(cert.subjectAltNames.slice(0, 3).join(', ') || cert.subject, 80);
    const expiry = !Number.isFinite(cert.daysLeft)
      ? 'expiry unreadable'
      : cert.daysLeft < 0
        ? `expired ${-cert.daysLeft} d ago`
        : `expires in ${cert.daysLeft} d`;
    const trust = cert.trusted ? 'trusted' : `untrusted (${cleanText(cert.verifyError ?? 'unknown', 40)})`;
    parts.push(`certificate ${names}, ${expiry}, ${trust}${cert.hostnameMatches ? '' : ', name mismatch'}`);
  }
  return parts.join(' · ');
}

function renderFinding(finding: Finding, style: TerminalStyle): string[] {
  const label = paint(style, SEVERITY_COLOR[finding.severity], finding.severity.toUpperCase().padEnd(8));
  const where = finding.port === null ? '' : `${finding.port} `;
  const lines = [`  ${label} ${where}${finding.id}: ${cleanText(finding.summary, 400)}`];
  for (const step of finding.advice) lines.push(`           → ${cleanText(step, 400)}`);
  return lines;
}

const TONE_COLOR: Record<Tone, string | null> = { ok: '32', info: null, warning: '33', critical: '31' };

/** MTA-STS and DANE for one MX host, each part in the colour of what it means for delivery. */
/** One line per phrase (MTA-STS, DANE): each can be long, and a terminal may be 80 columns. */
function transportLines(phrases: Phrase[], style: TerminalStyle, indent: string): string[] {
  return phrases.map((phrase) => {
    const color = TONE_COLOR[phrase.tone];
    return `${indent}${color === null ? phrase.text : paint(style, color, phrase.text)}`;
  });
}

const quoteServerText = (text: string): string => cleanText(text, 200);

function section(title: string, style: TerminalStyle): string {
  return `\n${paint(style, '1', title)}`;
}

export function renderReport(diagnosis: HostDiagnosis, style: TerminalStyle): string {
  const out: string[] = [];
  const addresses = diagnosis.addresses.length > 0 ? ` (${diagnosis.addresses.join(', ')})` : '';
  // On an MX check the host name came from DNS: cleaned like any server text.
  const host = cleanText(diagnosis.host, 255);
  out.push(paint(style, '1', `smtp-check ${host}${addresses}`));
  out.push(`checked ${diagnosis.checkedAt} in ${formatMs(diagnosis.durationMs)}`);
  if (diagnosis.mx) {
    const hosts = diagnosis.mx.hosts.map((mx) => `${mx.exchange} (${mx.priority})`).join(', ');
    const why =
      diagnosis.mx.reason === 'forced'
        ? 'MX check requested'
        : `${diagnosis.target} has no address of its own`;
    // Without MX records there is no list to show: RFC 5321 falls back to the name's own address.
    out.push(
      diagnosis.mx.implicit || diagnosis.mx.hosts.length === 0
        ? `${why}: no MX records: the domain's own address is its implicit MX (RFC 5321); probed ${host}`
        : `${why}: probed its MX host ${host}; MX hosts: ${cleanText(hosts, 300)}`,
    );
    for (const host of listedHosts(diagnosis)) {
      const which = host.probed ? ' (probed)' : '';
      out.push(`  ${cleanText(host.exchange, 255)}${which}:`);
      out.push(...transportLines(transportPhrases(host, quoteServerText), style, '    '));
    }
  }
  if (diagnosis.provider) out.push(`provider: ${diagnosis.provider.name} (${diagnosis.provider.docsUrl})`);

  out.push(section('Ports', style));
  const transport = portLineHost(diagnosis);
  for (const port of diagnosis.ports) {
    out.push(renderPortLine(port, style));
    out.push(...greetingDetail(port));
    const tls = tlsSummary(port);
    if (tls) out.push(`         ${tls}`);
    // The port senders deliver to: whether those that insist on authenticated TLS will.
    if (transport && port.port === transport.port) {
      out.push(...transportLines(transportPhrases(transport, quoteServerText), style, DETAIL_INDENT));
    }
  }
  if (diagnosis.egressCanary) {
    const canary = diagnosis.egressCanary;
    out.push(`  egress canary ${canary.target}: ${canary.port.class} in ${formatMs(canary.port.durationMs)}`);
  }

  out.push(section('Verdict', style));
  out.push(`  ${diagnosis.verdict.summary}`);

  // Each fact once: the verdict already says "nothing usable", so no-usable-port (which lists the
  // same ports again) is left out when ports were probed; the port findings give the reasons.
  const findings = [...diagnosis.findings, ...diagnosis.ports.flatMap((port) => port.findings)]
    .filter((finding) => !(finding.id === 'no-usable-port' && diagnosis.ports.length > 0))
    .sort((a, b) => compareSeverity(a.severity, b.severity) || (a.port ?? 0) - (b.port ?? 0));
  if (findings.length > 0) {
    out.push(section('Findings', style));
    for (const finding of findings) out.push(...renderFinding(finding, style));
  }

  const rec = diagnosis.recommendation;
  if (rec) {
    out.push(section(`Recommended: ${rec.host} port ${rec.port} with ${securityLabel(rec.security)}`, style));
    out.push(`  ${cleanText(rec.reason, 600)}`);
    if (rec.verified) {
      const what =
        rec.security === 'none'
          ? 'connected and got through EHLO'
          : 'connected, negotiated TLS and passed the certificate check';
      out.push(
        `  Verified with nodemailer ${cleanText(rec.verified.version, 20)} just now: this exact configuration ${what}.`,
      );
    }
    out.push('', '  Settings:');
    for (const row of rec.config.table) out.push(`    ${row.label.padEnd(16)} ${row.value}`);
    out.push('', '  nodemailer:');
    for (const line of rec.config.nodemailerText.split('\n')) out.push(`    ${line}`);
    out.push('', '  Postfix (main.cf):');
    for (const line of rec.config.postfix) out.push(`    ${line}`);
  }

  // The findings above carry their own advice; only the steps that add to them follow.
  const steps = buildChecklistSteps({
    host: diagnosis.host,
    ports: diagnosis.ports,
    hostFindings: diagnosis.findings,
    provider: diagnosis.provider,
    recommendation: diagnosis.recommendation,
    egressCanary: diagnosis.egressCanary,
  }).filter((entry) => !entry.fromFindings);
  if (steps.length > 0) {
    out.push(section('Also check', style));
    for (const [index, entry] of steps.entries()) out.push(`  ${index + 1}. ${cleanText(entry.text, 600)}`);
  }
  return `${out.join('\n')}\n`;
}

export function securityLabel(security: string): string {
  if (security === 'implicit-tls') return 'SSL/TLS (implicit TLS)';
  if (security === 'starttls') return 'STARTTLS';
  return 'no encryption';
}
