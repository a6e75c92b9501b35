import { compareSeverity } from '../diagnose/index.js';
import type { Severity } from '../diagnose/types.js';
import type { AddressReverseDns, DmarcDestination } from '../posture/index.js';
import type { DomainReport, PostureFinding, PostureVerdict } from '../posture-report/index.js';
import { plural } from '../text/plural.js';
import { coverageOk, daneState } from './domain-transport-model.js';

// What the terminal, Slack and the console say first about a domain: a verdict sentence and one
// row per part. The rows are built once here so every surface shows the same numbers; each
// surface passes `quote`, its own way of showing untrusted text (a DKIM selector, an MX name).

/** Quotes untrusted text (from DNS or a user) for one surface, cut to maxChars. */
export type Quote = (untrusted: string, maxChars: number) => string;

export const POSTURE_PARTS = [
  'SPF',
  'DKIM',
  'DMARC',
  'BIMI',
  'MX',
  'MTA-STS',
  'DANE',
  'PTR',
  'DNSBL',
] as const;
export type PosturePart = (typeof POSTURE_PARTS)[number];

/** The finding ids a part's icon follows: its own prefix, and the parts shown under its row. */
const PART_PREFIXES: Record<PosturePart, readonly string[]> = {
  SPF: ['spf-'],
  DKIM: ['dkim-'],
  DMARC: ['dmarc-'],
  BIMI: ['bimi-'],
  MX: ['mx-'],
  'MTA-STS': ['mta-sts-', 'tlsrpt-'],
  DANE: ['dane-', 'dnssec-'],
  PTR: ['ptr-', 'fcrdns-'],
  DNSBL: ['dnsbl-'],
};

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
  const prefixes = PART_PREFIXES[part];
  const worst = report.findings
    .filter((finding) => prefixes.some((prefix) => finding.id.startsWith(prefix)))
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

function mtaStsRow(report: DomainReport): SummaryRow {
  const { mtaSts, tlsRpt } = report.facts;
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'MTA-STS',
    icon: partIcon(report, 'MTA-STS', fallback),
    text: `${text} · ${tlsRpt.record !== null ? 'TLS-RPT' : 'no TLS-RPT'}`,
  });
  if (mtaSts.lookupError) return row('no answer', '❓');
  if (mtaSts.records.length === 0) return row('none (optional)', '➖');
  if (mtaSts.record === null) return row('record unusable', '⚠️');
  if (mtaSts.fetch.outcome !== 'fetched' || mtaSts.policy === null) return row('policy unreachable', '⚠️');
  const { policy, coverage } = mtaSts;
  const enforce = policy.mode === 'enforce';
  const failing = coverage.filter((host) => coverageOk(host) === false).length;
  const parts = [policy.mode ?? 'no valid mode'];
  if (coverage.length > 0) {
    parts.push(
      failing === 0
        ? `${plural(coverage.length, 'MX host')} covered`
        : `${failing} of ${plural(coverage.length, 'MX host')} fail the policy`,
    );
  }
  const fallback = failing > 0 ? (enforce ? '❌' : '⚠️') : enforce ? '✅' : '➖';
  return row(parts.join(' · '), fallback);
}

function daneRow(report: DomainReport): SummaryRow {
  const { dnssec, dane } = report.facts;
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'DANE',
    icon: partIcon(report, 'DANE', fallback),
    text,
  });
  const zone = `DNSSEC ${dnssec.domain.status}`;
  const states = dane.map(daneState);
  const published = states.filter((state) => state !== 'no-records' && state !== 'lookup-failed').length;
  if (published === 0) return row(`${zone} · no TLSA`, dnssec.domain.status === 'bogus' ? '❌' : '➖');
  const matched = states.filter((state) => state === 'match').length;
  const inEffect = states.filter((state) => ['match', 'mismatch', 'nothing-to-match'].includes(state)).length;
  const fallback = matched === published ? '✅' : states.includes('mismatch') ? '❌' : '⚠️';
  if (inEffect === 0) return row(`${zone} · TLSA not in effect (zone not secure)`, fallback);
  return row(`${zone} · TLSA matches on ${matched} of ${plural(published, 'MX host')}`, fallback);
}

/** What is wrong with one address's reverse DNS, in a few words; null when nothing is. */
function reverseProblem(entry: AddressReverseDns): string | null {
  if (entry.ptr.length === 0) return 'no PTR';
  if (!entry.forwardConfirmed) return 'not forward-confirmed';
  if (entry.greetingConsistent === false) return 'greets as another name';
  return null;
}

function ptrRow(report: DomainReport, quote: Quote): SummaryRow {
  const answered = report.facts.reverseDns.addresses.filter((entry) => !entry.lookupError);
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'PTR',
    icon: partIcon(report, 'PTR', fallback),
    text,
  });
  if (report.facts.reverseDns.addresses.length === 0) return row('no address to look up', '➖');
  if (answered.length === 0) return row('no answer', '❓');
  const parts: string[] = [];
  const sending = answered.find((entry) => entry.role === 'sending');
  if (sending) parts.push(`${quote(sending.address, 45)} ${reverseProblem(sending) ?? 'forward-confirmed'}`);
  const mx = answered.filter((entry) => entry.role === 'mx');
  const bad = mx.filter((entry) => reverseProblem(entry) !== null);
  if (mx.length > 0) {
    parts.push(
      bad.length === 0
        ? `${plural(mx.length, 'MX address', 'MX addresses')} forward-confirmed`
        : `${bad.length} of ${plural(mx.length, 'MX address', 'MX addresses')} ${[...new Set(bad.map(reverseProblem))].join(', ')}`,
    );
  }
  const fine = answered.every((entry) => reverseProblem(entry) === null);
  return row(parts.join(' · '), fine ? '✅' : sending && reverseProblem(sending) ? '❌' : '⚠️');
}

function dnsblRow(report: DomainReport, quote: Quote): SummaryRow {
  const { blocklists } = report.facts;
  const row = (text: string, fallback: string): SummaryRow => ({
    part: 'DNSBL',
    icon: partIcon(report, 'DNSBL', fallback),
    text,
  });
  const results = blocklists.results;
  if (results.length === 0) return row('no list asked', '➖');
  const listed = results.filter((result) => result.status === 'listed');
  const refused = results.filter((result) => result.status === 'refused').length;
  const unanswered = results.filter((result) => result.status === 'error').length;
  const parts: string[] = [];
  if (listed.length > 0) {
    const shown = listed
      .slice(0, 2)
      .map((result) => `${quote(result.subject, 60)} on ${quote(result.name, 40)}`);
    parts.push(`listed: ${shown.join(', ')}${listed.length > 2 ? ` +${listed.length - 2}` : ''}`);
  } else {
    parts.push(`not listed (${plural(blocklists.zones.length, 'list')})`);
  }
  if (refused > 0) parts.push(`${plural(refused, 'question')} refused`);
  if (unanswered > 0) parts.push(`${unanswered} unanswered`);
  return row(parts.join(' · '), listed.length > 0 ? '❌' : refused + unanswered > 0 ? '⚠️' : '✅');
}

/** One row per part, SPF first, in the order a sender fixes them; transport and reputation last. */
export function summaryRows(report: DomainReport, quote: Quote): SummaryRow[] {
  return [
    spfRow(report, quote),
    dkimRow(report, quote),
    dmarcRow(report, quote),
    bimiRow(report),
    mxRow(report, quote),
    mtaStsRow(report),
    daneRow(report),
    ptrRow(report, quote),
    dnsblRow(report, quote),
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
