import type { Finding, PortDiagnosis } from '../diagnose/types.js';
import type { CertificateFacts, ProbeFailure } from '../probe/types.js';
import { slackCode, slackCodeBlock, slackText } from '../text/sanitize.js';
import {
  type Block,
  context,
  mrkdwn,
  type SectionBlock,
  section,
  type SlackMessage,
} from './slack-blocks.js';
import {
  classLabel,
  formatMs,
  formatTime,
  formatTimings,
  modeLabel,
  portIcon,
  severityIcon,
} from './slack-format.js';
import { fitMessage } from './slack-limits.js';

// One thread reply per port: everything the server said and how long it took, so that whoever
// reads the thread can judge the verdict without re-running anything.

const MAX_FINDINGS = 8;
const MAX_SANS = 12;

export function describeFailure(failure: ProbeFailure): string {
  const details = [
    failure.code ? slackCode(failure.code, 60) : null,
    failure.replyCode ? `reply ${failure.replyCode}` : null,
    failure.tlsAlert !== undefined ? `TLS alert ${failure.tlsAlert}` : null,
  ].filter((part): part is string => part !== null);
  const extra = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `failed at ${slackCode(failure.stage, 20)}: ${slackText(failure.kind, 20)}${extra} — ${slackCode(failure.message, 400)}`;
}

function certificateText(certificate: CertificateFacts): string {
  const sans = certificate.subjectAltNames.slice(0, MAX_SANS).map((name) => slackCode(name, 80));
  const moreSans = certificate.subjectAltNames.length - sans.length;
  const trust = certificate.trusted
    ? 'chain trusted'
    : `chain *not trusted*${certificate.verifyError ? ` (${slackCode(certificate.verifyError, 80)})` : ''}`;
  const days = !Number.isFinite(certificate.daysLeft)
    ? '*expiry unreadable*'
    : certificate.daysLeft < 0
      ? `*expired ${-certificate.daysLeft} days ago*`
      : `${certificate.daysLeft} days left`;
  return [
    '*Certificate*',
    `subject ${slackCode(certificate.subject, 200)} · issuer ${slackCode(certificate.issuer, 200)}`,
    `names ${sans.length > 0 ? sans.join(' ') : 'none'}${moreSans > 0 ? ` and ${moreSans} more` : ''}`,
    `valid ${formatTime(certificate.validFrom)} → ${formatTime(certificate.validTo)} · ${days}`,
    `${trust} · ${certificate.hostnameMatches ? 'name matches' : '*name does not match*'} · ${certificate.selfSigned ? 'self-signed · ' : ''}chain of ${certificate.chainLength}`,
    `SHA-256 ${slackCode(certificate.fingerprint256, 110)}`,
  ].join('\n');
}

function findingSection(finding: Finding): SectionBlock {
  const advice = finding.advice
    .slice(0, 5)
    .map((line) => `• ${slackText(line, 400)}`)
    .join('\n');
  return section(
    `${severityIcon(finding.severity)} *${finding.severity}* ${slackCode(finding.id, 40)} — ${slackText(finding.summary, 600)}${advice ? `\n${advice}` : ''}`,
  );
}

function factFields(port: PortDiagnosis): SectionBlock {
  const fields: string[] = [
    `*Address*\n${port.address ? slackCode(port.address, 45) : 'none dialled'}`,
    `*Mode*\nexpected ${modeLabel(port.mode)}${port.observedMode && port.observedMode !== port.mode ? ` · found ${modeLabel(port.observedMode)}` : ''}`,
    `*Time*\n${formatMs(port.durationMs)} in all\n${formatTimings(port.timings)}`,
  ];
  if (port.tls) {
    fields.push(
      `*TLS*\n${port.tls.protocol ? slackCode(port.tls.protocol, 20) : 'unknown protocol'} ${port.tls.cipher ? slackCode(port.tls.cipher, 80) : ''}`,
    );
  }
  if (port.auth.beforeTls.length > 0 || port.auth.afterTls.length > 0) {
    const list = (mechanisms: string[]): string =>
      mechanisms.length > 0 ? slackCode(mechanisms.slice(0, 12).join(' '), 160) : 'none';
    fields.push(`*AUTH*\ninside TLS ${list(port.auth.afterTls)}\nbefore TLS ${list(port.auth.beforeTls)}`);
  }
  if (port.sizeLimit !== null) fields.push(`*SIZE*\n${(port.sizeLimit / 1_048_576).toFixed(1)} MB`);
  if (port.heloFallback) fields.push('*EHLO*\nrefused; HELO used');
  return { type: 'section', fields: fields.map(mrkdwn) };
}

/** The thread reply for one port: verdict, facts, greeting, EHLO, TLS, certificate, findings. */
export function renderPortDetails(port: PortDiagnosis): SlackMessage {
  const title = `${portIcon(port)} *Port ${port.port}* ${slackCode(port.class, 40)} — ${classLabel(port.class)}`;
  const blocks: Block[] = [section(title), factFields(port)];
  if (port.failure) blocks.push(section(`*Failure* ${describeFailure(port.failure)}`));
  if (port.firstAttempt) {
    blocks.push(
      context(
        `First tried ${modeLabel(port.firstAttempt.mode)}: ${describeFailure(port.firstAttempt.failure)}; then retried in the other TLS mode.`,
      ),
    );
  }
  if (port.greeting !== null) {
    const code = port.greetingCode !== null ? ` (${port.greetingCode})` : '';
    blocks.push(section(`*Greeting*${code}\n${slackCodeBlock(port.greeting.split('\n'), 1_200)}`));
  }
  if (port.ehlo.length > 0) {
    const where = port.tls && port.observedMode === 'starttls' ? ' (inside TLS)' : '';
    blocks.push(section(`*EHLO*${where}\n${slackCodeBlock(port.ehlo, 1_600)}`));
  } else if (port.ehloBeforeTls.length > 0) {
    blocks.push(section(`*EHLO* (before STARTTLS)\n${slackCodeBlock(port.ehloBeforeTls, 1_600)}`));
  }
  if (port.certificate) blocks.push(section(certificateText(port.certificate)));
  for (const finding of port.findings.slice(0, MAX_FINDINGS)) blocks.push(findingSection(finding));
  if (port.findings.length > MAX_FINDINGS) {
    blocks.push(
      context(`…truncated: ${port.findings.length - MAX_FINDINGS} more findings in the JSON output`),
    );
  }
  if (port.truncated) blocks.push(context('The server’s reply hit a read cap; what is shown was cut there.'));
  return fitMessage({ text: `Port ${port.port}: ${port.class} — ${classLabel(port.class)}`, blocks });
}
