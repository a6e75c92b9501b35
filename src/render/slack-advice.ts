import type { Finding, HostDiagnosis, Recommendation } from '../diagnose/types.js';
import { slackCode, slackCodeBlock, slackText } from '../text/sanitize.js';
import { type Block, context, mrkdwn, section, type SlackMessage } from './slack-blocks.js';
import { formatTime, securityLabel, severityIcon, slackLink } from './slack-format.js';
import { fitMessage, packLines } from './slack-limits.js';

// The advice reply: the port and setting to use, ready-to-paste configuration, and the checklist
// that fits what failed, in the order a person would try it.

const MAX_CHECKLIST = 12;

function hostFindingSection(finding: Finding): Block {
  const advice = finding.advice
    .slice(0, 5)
    .map((line) => `• ${slackText(line, 400)}`)
    .join('\n');
  return section(
    `${severityIcon(finding.severity)} ${slackCode(finding.id, 40)} — ${slackText(finding.summary, 600)}${advice ? `\n${advice}` : ''}`,
  );
}

/** "Verified with nodemailer 10.6.1 just now": the proof behind the configuration, or its absence. */
export function verificationLine(recommendation: Recommendation): string | null {
  const verified = recommendation.verified;
  if (!verified) return null;
  const asked = verified.reply ? ` (it asked for credentials: ${slackCode(verified.reply, 200)})` : '';
  const what =
    recommendation.security === 'none'
      ? 'connected and got through EHLO'
      : 'connected, negotiated TLS and passed the certificate check';
  return `✅ Verified with nodemailer ${slackText(verified.version, 20)} just now: this exact configuration ${what}${asked}.`;
}

/** Recommendation and configuration snippets: what Show config posts, and the core of the advice. */
export function configBlocks(diagnosis: HostDiagnosis): Block[] {
  const recommendation = diagnosis.recommendation;
  if (!recommendation) {
    const refused = diagnosis.findings.some((finding) => finding.id === 'no-verified-config');
    return [
      section(
        refused
          ? '*No configuration to show*: nodemailer refused every one that works for the probe (why, and the fix, above). A configuration is shown only once a verifying client accepts it.'
          : '*No port worked from here*, so there is no configuration to recommend yet. See the checklist.',
      ),
    ];
  }
  const { config } = recommendation;
  const blocks: Block[] = [
    section(
      `*Use ${slackCode(recommendation.host, 260)} port ${recommendation.port} with ${securityLabel(recommendation.security)}*\n${slackText(recommendation.reason, 1_200)}`,
    ),
  ];
  const proof = verificationLine(recommendation);
  if (proof) blocks.push(context(proof));
  if (config.table.length > 0) {
    blocks.push({
      type: 'section',
      fields: config.table
        .slice(0, 10)
        .map((row) => mrkdwn(`*${slackText(row.label, 80)}*\n${slackCode(row.value, 300)}`)),
    });
  }
  blocks.push(section(`*nodemailer*\n${slackCodeBlock(config.nodemailerText.split('\n'), 2_600, 200)}`));
  if (config.postfix.length > 0) {
    blocks.push(section(`*Postfix* (\`main.cf\`)\n${slackCodeBlock(config.postfix, 2_600, 200)}`));
  }
  return blocks;
}

/** The last thread reply of a check. */
export function renderAdvice(diagnosis: HostDiagnosis): SlackMessage {
  const blocks: Block[] = [section(`*What to do for ${slackCode(diagnosis.host, 260)}*`)];
  for (const finding of diagnosis.findings.slice(0, 6)) blocks.push(hostFindingSection(finding));
  blocks.push(...configBlocks(diagnosis));
  if (diagnosis.advice.length > 0) {
    const lines = diagnosis.advice
      .slice(0, MAX_CHECKLIST)
      .map((line, index) => `${index + 1}. ${slackText(line, 1_000)}`);
    if (diagnosis.advice.length > MAX_CHECKLIST)
      lines.push(`…truncated: ${diagnosis.advice.length - MAX_CHECKLIST} more`);
    for (const chunk of packLines(['*Checklist*', ...lines])) blocks.push(section(chunk));
  }
  if (diagnosis.provider) {
    blocks.push(
      context(
        `Provider: ${slackText(diagnosis.provider.name, 60)} · ${slackLink(diagnosis.provider.docsUrl, 'SMTP docs')}`,
      ),
    );
  }
  if (diagnosis.egressCanary) {
    const canary = diagnosis.egressCanary;
    blocks.push(
      context(`Egress canary ${slackCode(canary.target, 120)}: ${slackCode(canary.port.class, 40)}`),
    );
  }
  const summary = diagnosis.recommendation
    ? `Advice: use port ${diagnosis.recommendation.port} with ${securityLabel(diagnosis.recommendation.security)}`
    : 'Advice: no port worked from here';
  return fitMessage({ text: summary, blocks });
}

/** The ephemeral answer to Show config. */
export function renderConfig(diagnosis: HostDiagnosis): SlackMessage {
  const blocks: Block[] = [
    context(
      `Configuration for ${slackCode(diagnosis.host, 260)} from the check at ${formatTime(diagnosis.checkedAt)}`,
    ),
    ...configBlocks(diagnosis),
  ];
  return fitMessage({ text: `Configuration for ${slackCode(diagnosis.host, 260)}`, blocks });
}
