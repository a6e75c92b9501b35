import { compareSeverity } from '../diagnose/index.js';
import type { Severity } from '../diagnose/types.js';
import type { DmarcDestination } from '../posture/index.js';
import type { DomainReport, PostureFinding, PostureVerdict } from '../posture-report/index.js';
import { plural } from '../text/plural.js';

// What the terminal, Slack and the console say first about a domain: a verdict sentence and one
// row per part. The rows are built once here so every surface shows the same numbers; each
// surface passes `quote`, its own way of showing untrusted text (a DKIM selector, an MX name).

/** Quotes untrusted text (from DNS or a user) for one surface, cut to maxChars. */
export type Quote = (untrusted: string, maxChars: number) => string;

export const POSTURE_PARTS = ['SPF', 'DKIM', 'DMARC', 'BIMI', 'MX'] as const;
export type PosturePart = (typeof POSTURE_PARTS)[number];

export interface SummaryRow {
  part: PosturePart;
  icon: string;
  /** Already quoted for the surface. */
  text: string;
}

/** The SPF limit every receiver enforces (RFC 7208 §4.6.4). */
export const SPF_LOOKUP_LIMIT = 10;

export function domainVerdictIcon(verdict: PostureVerdict): string {
  return verdict === 'ok' ? '✅' : verdict === 'warning' ? '⚠️' : '❌';
}

/** Worst first; the judge's order among equals. */
export function sortFindings(findings: readonly PostureFinding[]): PostureFinding[] {
  return [...findings].sort((a, b) => compareSeverity(a.severity, b.severity));
}

/** "1 critical problem, 2 warnings": the verdict in words, from the findings behind it. */
export function verdictSentence(report: DomainReport): string {
  const count = (severity: Severity): number =>
    report.findings.filter((finding) => finding.severity === severity).length;
  const parts = [
    count('critical') > 0 ? plural(count('critical'), 'critical problem') : null,
    count('warning') > 0 ? plural(count('warning'), 'warning') : null,
  ].filter((part): part is string => part !== null);
  if (parts.length === 0) return 'SPF, DKIM and DMARC in order: nothing to fix';
  return `${parts.join(', ')} to fix`;
}

/** A part's icon: its worst finding's, or `fallback` when it has none. */
function partIcon(report: DomainReport, part: PosturePart, fallback: string): string {
  const prefix = `${part.toLowerCase()}-`;
  const worst = report.findings
    .filter((finding) => finding.id.startsWith(prefix))
    .map((finding) => finding.severity)
    .sort(compareSeverity)[0];
  if (worst === 'critical') return '❌';
  if (worst === 'warning') return '⚠️';
  return fallback;
}

function spfRow(report: DomainReport, quote: Quote): SummaryRow {
  const spf = report.facts.spf;
  const row = (text: string, fallback = '✅'): SummaryRow => ({
    part: 'SPF',
    icon: partIcon(report, 'SPF', fallback),
    text,
  });
  if (spf.lookupError) return row(`no answer: ${quote(spf.lookupError, 80)}`, '❓');
  if (spf.records.length > 1) return row(`${spf.records.length} records (a receiver uses none)`, '❌');
  if (spf.record === null) return row('no record', '❌');
  const parts = [`${spf.lookups} of ${SPF_LOOKUP_LIMIT} lookups`];
  if (spf.voidLookups > 0) parts.push(`${spf.voidLookups} void`);
  if (spf.providers.length > 0) {
    const shown = spf.providers.slice(0, 3).map((name) => quote(name, 40));
    const more = spf.providers.length - shown.length;
    parts.push(`${shown.join(', ')}${more > 0 ? ` +${more}` : ''}`);
  }
  if (spf.result) parts.push(`${quote(spf.result.ip, 45)} → ${spf.result.result}`);
  return row(parts.join(' · '), spf.error ? '❌' : '✅');
}

function dkimRow(report: DomainReport, quote: Quote): SummaryRow {
  const keys = report.facts.dkim;
  const usable = keys.filter((key) => key.found && !key.revoked && !key.problem);
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'DKIM',
    icon: partIcon(report, 'DKIM', fallback),
    text,
  });
  const first = usable[0];
  if (first) {
    const type = first.keyType && first.keyType !== 'rsa' ? ` ${quote(first.keyType, 20)}` : '';
    const bits = typeof first.bits === 'number' ? `, ${first.bits}-bit` : '';
    const more = usable.length > 1 ? ` +${usable.length - 1} more` : '';
    return row(`${quote(first.selector, 60)}${type}${bits}${more}`, '✅');
  }
  if (keys.some((key) => key.found)) return row('no usable key (revoked or unreadable)', '❌');
  if (keys.length > 0 && keys.every((key) => key.lookupError)) return row('no answer', '❓');
  return row(`no key at ${plural(keys.length, 'selector')} tried`, '❓');
}

function dmarcRow(report: DomainReport, quote: Quote): SummaryRow {
  const dmarc = report.facts.dmarc;
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'DMARC',
    icon: partIcon(report, 'DMARC', fallback),
    text,
  });
  if (dmarc.lookupError) return row(`no answer: ${quote(dmarc.lookupError, 80)}`, '❓');
  if (dmarc.records.length > 1) return row(`${dmarc.records.length} records (none applies)`, '❌');
  if (dmarc.record === null || dmarc.policy === null) return row('no record', '❌');
  const parts = [`p=${dmarc.policy}`];
  if (dmarc.pct < 100) parts.push(`pct=${dmarc.pct}`);
  if (dmarc.subdomainPolicy !== null && dmarc.subdomainPolicy !== dmarc.policy) {
    parts.push(`sp=${dmarc.subdomainPolicy}`);
  }
  if (dmarc.source === 'organizational' && dmarc.sourceDomain) {
    parts.push(`from ${quote(dmarc.sourceDomain, 80)}`);
  }
  parts.push(dmarc.rua.length > 0 ? plural(dmarc.rua.length, 'report destination') : 'no reports');
  return row(parts.join(' · '), dmarc.policy === 'none' ? '⚠️' : '✅');
}

function bimiRow(report: DomainReport): SummaryRow {
  const bimi = report.facts.bimi;
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'BIMI',
    icon: partIcon(report, 'BIMI', fallback),
    text,
  });
  if (bimi.lookupError) return row('no answer', '❓');
  if (bimi.record === null) return row('none (optional)', '➖');
  const what = [bimi.logo ? 'logo' : 'no logo', bimi.authority ? 'mark certificate' : 'no certificate'];
  return row(what.join(' · '), bimi.problems.length > 0 ? '⚠️' : '✅');
}

function mxRow(report: DomainReport, quote: Quote): SummaryRow {
  const mx = report.facts.mx;
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'MX',
    icon: partIcon(report, 'MX', fallback),
    text,
  });
  if (mx.lookupError) return row(`no answer: ${quote(mx.lookupError, 80)}`, '❓');
  if (mx.nullMx) return row('null MX: the domain receives no mail', '➖');
  if (mx.implicit) return row('no MX records: its own address receives mail', '⚠️');
  const first = [...mx.hosts].sort((a, b) => a.priority - b.priority)[0];
  if (!first) return row('no MX records', '⚠️');
  const more = mx.hosts.length > 1 ? ` +${mx.hosts.length - 1} more` : '';
  return row(`${quote(first.exchange, 80)}${more}`, '✅');
}

/** One row per part, SPF first, in the order a sender fixes them. */
export function summaryRows(report: DomainReport, quote: Quote): SummaryRow[] {
  return [
    spfRow(report, quote),
    dkimRow(report, quote),
    dmarcRow(report, quote),
    bimiRow(report),
    mxRow(report, quote),
  ];
}

/**
 * Where a DMARC report goes, as both renderers say it. A destination with no domain to read is
 * unusable, not "own domain" (its problem says why).
 */
export type DestinationStatus = 'unusable' | 'own' | 'authorized' | 'unauthorized' | 'unknown';

export function destinationStatus(destination: DmarcDestination): DestinationStatus {
  if (destination.domain === undefined) return 'unusable';
  if (!destination.external) return 'own';
  if (destination.authorized === null) return 'unknown';
  return destination.authorized ? 'authorized' : 'unauthorized';
}
