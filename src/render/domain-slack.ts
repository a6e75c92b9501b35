import { describeResolver } from '../probe/index.js';
import type { DomainReport } from '../posture-report/index.js';
import { slackCode, slackText } from '../text/sanitize.js';
import { domainVerdictIcon, summaryRows, verdictSentence } from './domain-summary.js';
import { context, section, type SlackMessage } from './slack-blocks.js';
import { formatMs, formatTime, PENDING_ICON } from './slack-format.js';
import { fitMessage } from './slack-limits.js';

export { renderDomainThread } from './domain-slack-thread.js';

// The channel message of a domain report: first "checking…", then the verdict and one row per
// part, so the channel sees the answer and the thread holds the evidence.

const slackQuote = (text: string, maxChars: number): string => slackCode(text, maxChars);

/** The message posted while the report runs. */
export function renderDomainProgress(domain: string): SlackMessage {
  const headline = `${PENDING_ICON} Checking the sending posture of ${slackCode(domain, 260)}: SPF, DKIM, DMARC, BIMI, MX, MTA-STS, DNSSEC, DANE, reverse DNS and blocklists…`;
  return fitMessage({
    text: headline,
    blocks: [
      section(headline),
      context('The verdict replaces this message; the evidence follows in the thread.'),
    ],
  });
}

/** The verdict line and the compact table in one section, and where the answers came from. */
export function renderDomainMessage(report: DomainReport): SlackMessage {
  const { facts } = report;
  const domain = slackCode(facts.request.domain, 260);
  const verdict = `${domainVerdictIcon(report.verdict)} ${verdictSentence(report)}`;
  const rows = summaryRows(report, slackQuote).map((row) => `*${row.part}* ${row.icon} ${row.text}`);
  const queries = facts.queries;
  const budget = queries.budgetExhausted ? ` · ⚠️ the budget of ${queries.budget} queries ran out` : '';
  const failed = queries.failed > 0 ? ` · ${queries.failed} unanswered` : '';
  return fitMessage({
    text: `Domain posture of ${domain}: ${verdictSentence(report)}`,
    blocks: [
      section(`*Domain posture of ${domain}*\n${verdict}\n${rows.join('\n')}`),
      context(
        `${formatTime(facts.checkedAt)} · ${formatMs(facts.durationMs)} · ${queries.sent} DNS queries to ${slackText(describeResolver(facts.resolver), 300)}${failed}${budget} · evidence, sender rules and records to publish in the thread`,
      ),
    ],
  });
}
