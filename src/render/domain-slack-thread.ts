import type {
  DomainReport,
  PostureFinding,
  SenderRule,
  SenderRuleStatus,
  SuggestedRecord,
} from '../posture-report/index.js';
import { plural } from '../text/plural.js';
import { slackCode, slackCodeBlock } from '../text/sanitize.js';
import {
  bimiBlocks,
  dkimBlocks,
  dmarcBlocks,
  mxBlocks,
  sendingAddressBlocks,
  slackLine,
  spfBlocks,
} from './domain-slack-evidence.js';
import { type PosturePart, sortFindings, summaryRows } from './domain-summary.js';
import {
  blocklistBlocks,
  dnssecDaneBlocks,
  mtaStsBlocks,
  port25Blocks,
  reverseDnsBlocks,
} from './domain-transport-slack.js';
import { type Block, context, section, type SlackMessage } from './slack-blocks.js';
import { severityIcon } from './slack-format.js';
import { fitMessage, packLines, TRUNCATED_NOTE } from './slack-limits.js';

// The thread under a domain report, in the order a person reads it: SPF (the tree is the longest
// evidence, so it has a reply of its own), the other records, transport security (port 25, MTA-STS,
// DANE), reputation (reverse DNS, blocklists), the mailbox providers' rules, the findings with their
// advice, and the records to publish. Every reply is fitted to Slack's limits.

const MAX_FINDINGS = 40;
const MAX_FIXES = 12;

const RULE_ICON: Record<SenderRuleStatus, string> = { yes: '✅', no: '❌', unknown: '❓' };

const slackQuote = (text: string, maxChars: number): string => slackCode(text, maxChars);

function ruleLine(rule: SenderRule): string {
  const who = rule.appliesTo === 'bulk' ? 'bulk senders' : 'every sender';
  return `${RULE_ICON[rule.status]} *${rule.provider}* (${who}) ${slackLine(rule.rule, 300)}\n      _${slackLine(rule.evidence, 400)}_`;
}

function findingText(finding: PostureFinding): string {
  const advice = finding.advice.slice(0, 5).map((line) => `• ${slackLine(line, 400)}`);
  return [
    `${severityIcon(finding.severity)} *${finding.severity}* ${slackCode(finding.id, 60)} — ${slackLine(finding.summary, 600)}`,
    ...advice,
  ].join('\n');
}

function fixBlocks(fix: SuggestedRecord): Block[] {
  return [
    section(
      `*${slackCode(fix.name, 260)}* ${fix.type} — ${slackLine(fix.why, 400)}\n${slackCodeBlock([fix.value], 2_600, 2_600)}`,
    ),
  ];
}

function rulesMessage(report: DomainReport, domain: string): SlackMessage | null {
  if (report.senderRules.length === 0) return null;
  const unmet = report.senderRules.filter((rule) => rule.status === 'no').length;
  const title = `*Sender rules* of Gmail, Yahoo and Outlook.com for ${domain}: ${unmet === 0 ? 'none unmet' : `${plural(unmet, 'rule')} not met`}`;
  const blocks: Block[] = [section(title), ...packLines(report.senderRules.map(ruleLine)).map(section)];
  if (report.senderRules.some((rule) => rule.status === 'unknown')) {
    blocks.push(
      context('❓ cannot be told from DNS: the messages themselves or the provider’s dashboard say.'),
    );
  }
  return fitMessage({ text: `Sender rules for ${domain}`, blocks });
}

function findingsMessage(report: DomainReport, domain: string): SlackMessage {
  const findings = sortFindings(report.findings);
  if (findings.length === 0) {
    return fitMessage({
      text: `No findings for ${domain}`,
      blocks: [section(`*Findings* for ${domain}: none. Nothing to fix.`)],
    });
  }
  const shown = findings.slice(0, MAX_FINDINGS).map(findingText);
  const blocks: Block[] = [
    section(`*Findings* for ${domain}, worst first`),
    ...packLines(shown).map(section),
  ];
  if (findings.length > MAX_FINDINGS) {
    blocks.push(
      context(`${TRUNCATED_NOTE}: ${findings.length - MAX_FINDINGS} more findings in the JSON output`),
    );
  }
  return fitMessage({ text: `${plural(findings.length, 'finding')} for ${domain}`, blocks });
}

function fixesMessage(report: DomainReport, domain: string): SlackMessage | null {
  if (report.fixes.length === 0) return null;
  const blocks: Block[] = [
    section(`*Records to publish* for ${domain}: each value goes into a TXT record of the name shown.`),
    ...report.fixes.slice(0, MAX_FIXES).flatMap(fixBlocks),
  ];
  if (report.fixes.length > MAX_FIXES) {
    blocks.push(
      context(`${TRUNCATED_NOTE}: ${report.fixes.length - MAX_FIXES} more records in the JSON output`),
    );
  }
  return fitMessage({ text: `${plural(report.fixes.length, 'record')} to publish for ${domain}`, blocks });
}

/** The thread replies, in order; each one within Slack's limits on its own. */
export function renderDomainThread(report: DomainReport): SlackMessage[] {
  const { facts } = report;
  const domain = slackCode(facts.request.domain, 260);
  const rows = new Map(summaryRows(report, slackQuote).map((row) => [row.part, `${row.icon} ${row.text}`]));
  const summary = (part: PosturePart): string => rows.get(part) ?? '';
  const messages: Array<SlackMessage | null> = [
    fitMessage({
      text: `SPF for ${domain}: ${facts.spf.lookups} of 10 lookups`,
      blocks: [...spfBlocks(facts, summary('SPF')), ...sendingAddressBlocks(facts)],
    }),
    fitMessage({
      text: `DKIM, DMARC, BIMI and MX for ${domain}`,
      blocks: [
        ...dkimBlocks(facts, summary('DKIM')),
        ...dmarcBlocks(facts, summary('DMARC')),
        ...bimiBlocks(facts, summary('BIMI')),
        ...mxBlocks(facts, summary('MX')),
      ],
    }),
    fitMessage({
      text: `MTA-STS, TLS-RPT, DNSSEC and DANE for ${domain}`,
      blocks: [
        ...port25Blocks(facts),
        ...mtaStsBlocks(facts, summary('MTA-STS')),
        ...dnssecDaneBlocks(facts, summary('DANE')),
      ],
    }),
    fitMessage({
      text: `Reverse DNS and blocklists for ${domain}`,
      blocks: [...reverseDnsBlocks(facts, summary('PTR')), ...blocklistBlocks(facts, summary('DNSBL'))],
    }),
    rulesMessage(report, domain),
    findingsMessage(report, domain),
    fixesMessage(report, domain),
  ];
  return messages.filter((message): message is SlackMessage => message !== null);
}
