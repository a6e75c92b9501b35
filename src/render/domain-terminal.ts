import { describeResolver } from '../probe/index.js';
import { formatMs } from '../diagnose/index.js';
import type { Severity } from '../diagnose/types.js';
import type { DomainReport, SenderRule, SenderRuleStatus, SuggestedRecord } from '../posture-report/index.js';
import { wrapColumns } from './display-width.js';
import { oneLine } from './domain-spf-tree.js';
import { domainVerdictIcon, sortFindings, summaryRows, verdictSentence } from './domain-summary.js';
import {
  bimiLines,
  dkimLines,
  dmarcLines,
  mxLines,
  type ReportLine,
  sendingAddressLines,
  spfLines,
} from './domain-terminal-parts.js';
import {
  blocklistLines,
  dnssecDaneLines,
  mtaStsLines,
  port25Lines,
  reverseDnsLines,
} from './domain-transport-terminal.js';

// The domain report for a terminal: what reads well at 80 columns and piped into `head` (the
// verdict and the summary come first). Prose wraps to the width; DNS records and the records to
// publish are printed whole on one line each, because a wrapped record cannot be pasted.

export interface DomainTextStyle {
  color: boolean;
  /** Columns to wrap prose at; 80 when unknown. */
  width?: number;
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '31', warning: '33', info: '36' };
const RULE_MARK: Record<SenderRuleStatus, { mark: string; color: string }> = {
  yes: { mark: '✔', color: '32' },
  no: { mark: '✘', color: '31' },
  unknown: { mark: '?', color: '33' },
};

function paint(style: DomainTextStyle, code: string, text: string): string {
  return style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** A prose line wrapped to the width, continuation lines indented under the text. */
function wrap(line: string, width: number, indent?: string): string[] {
  const lead = indent ?? `${' '.repeat(line.length - line.trimStart().length)}  `;
  return wrapColumns(line, width, lead);
}

function emit(lines: readonly ReportLine[], width: number): string[] {
  return lines.flatMap((line) =>
    line.kind === 'record' ? [line.text] : wrap(line.text, width, line.indent),
  );
}

/**
 * A TXT value as a zone file takes it: quoted, `"` and `\` escaped, split into strings of at most
 * 255 characters (RFC 1035 §3.3.14); DNS providers' forms accept the same.
 */
export function zoneTxt(value: string): string {
  const flat = oneLine(value, 8_000);
  const chunks: string[] = [];
  for (let start = 0; start < flat.length || chunks.length === 0; start += 255) {
    chunks.push(flat.slice(start, start + 255));
  }
  return chunks.map((chunk) => `"${chunk.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ');
}

/** `name  TXT  "value"`: one line, ready to paste. */
export function fixLine(fix: SuggestedRecord): string {
  return `${oneLine(fix.name, 255)}  ${fix.type}  ${zoneTxt(fix.value)}`;
}

function ruleLines(rules: readonly SenderRule[], style: DomainTextStyle, width: number): string[] {
  const providerWidth = Math.max(...rules.map((rule) => rule.provider.length));
  return rules.flatMap((rule) => {
    const { mark, color } = RULE_MARK[rule.status];
    const bulk = rule.appliesTo === 'bulk' ? 'bulk' : 'all ';
    const head = `  ${paint(style, color, mark)} ${rule.provider.padEnd(providerWidth)}  ${bulk}  ${oneLine(rule.rule, 300)}`;
    const indent = ' '.repeat(6 + providerWidth + 6);
    return [...wrap(head, width, indent), ...wrap(`${indent}${oneLine(rule.evidence, 400)}`, width, indent)];
  });
}

function section(title: string, style: DomainTextStyle): string {
  return `\n${paint(style, '1', title)}`;
}

export function renderDomainText(report: DomainReport, style: DomainTextStyle): string {
  const width = style.width ?? 80;
  const { facts } = report;
  const domain = oneLine(facts.request.domain, 255);
  const out: string[] = [];
  out.push(paint(style, '1', `smtp-check domain ${domain}`));
  const queries = `${facts.queries.sent} DNS ${facts.queries.sent === 1 ? 'query' : 'queries'}`;
  out.push(
    ...wrap(
      `checked ${facts.checkedAt} in ${formatMs(facts.durationMs)} · ${queries} to ${describeResolver(facts.resolver)}`,
      width,
    ),
  );
  out.push(...wrap(`${domainVerdictIcon(report.verdict)} ${verdictSentence(report)}`, width));
  out.push('');
  const rows = summaryRows(report, oneLine);
  const partWidth = Math.max(...rows.map((row) => row.part.length));
  for (const row of rows) {
    out.push(
      ...wrap(`  ${row.part.padEnd(partWidth)} ${row.icon} ${row.text}`, width, ' '.repeat(partWidth + 6)),
    );
  }
  if (facts.queries.budgetExhausted) {
    out.push(
      ...wrap(
        `  The report's budget of ${facts.queries.budget} DNS queries ran out: some answers are missing.`,
        width,
      ),
    );
  }

  const parts: Array<[string, ReportLine[]]> = [
    ['SPF', spfLines(facts)],
    ['DKIM', dkimLines(facts)],
    ['DMARC', dmarcLines(facts)],
    ['BIMI', bimiLines(facts)],
    ['MX', mxLines(facts)],
    ['Sending address', sendingAddressLines(facts)],
    ['Port 25 of the MX hosts (our own probe)', port25Lines(facts)],
    ['MTA-STS and TLS-RPT', mtaStsLines(facts)],
    ['DNSSEC and DANE', dnssecDaneLines(facts, width)],
    ['Reverse DNS', reverseDnsLines(facts)],
    ['Blocklists', blocklistLines(facts)],
  ];
  for (const [title, lines] of parts) {
    if (lines.length === 0) continue;
    out.push(section(title, style), ...emit(lines, width));
  }

  const findings = sortFindings(report.findings);
  if (findings.length > 0) {
    out.push(section('Findings', style));
    for (const finding of findings) {
      const label = paint(style, SEVERITY_COLOR[finding.severity], finding.severity.toUpperCase().padEnd(8));
      out.push(...wrap(`  ${label} ${finding.id}: ${oneLine(finding.summary, 600)}`, width, ' '.repeat(11)));
      for (const step of finding.advice)
        out.push(...wrap(`           → ${oneLine(step, 600)}`, width, ' '.repeat(13)));
    }
  }

  if (report.senderRules.length > 0) {
    out.push(section('Sender rules (Gmail, Yahoo, Outlook.com)', style));
    out.push(...ruleLines(report.senderRules, style, width));
  }

  if (report.fixes.length > 0) {
    out.push(section('Records to publish', style));
    for (const fix of report.fixes) {
      out.push(...wrap(`  # ${oneLine(fix.why, 600)}`, width, '  # '));
      out.push(`  ${fixLine(fix)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
