import type {
  AddressReverseDns,
  BlocklistResult,
  DaneHostFacts,
  DnssecNameFacts,
  MtaStsCoverage,
  PostureFacts,
  TlsaRecord,
} from '../posture/index.js';
import { plural } from '../text/plural.js';
import { displayWidth } from './display-width.js';
import { oneLine } from './domain-spf-tree.js';
import type { ReportLine } from './domain-terminal-parts.js';
import {
  type BlocklistSubject,
  blocklistSubjects,
  COVERAGE_CERTIFICATE_WORDS,
  certificateExpiry,
  certificateNames,
  coverageOk,
  DNSSEC_WORDS,
  daneState,
  isMatchingRecord,
  leafSpkiSha256,
  port25Of,
  notDialled,
  port25Phrase,
  shortHex,
  TLSA_USAGE,
  tlsaParameters,
} from './domain-transport-model.js';

// The transport sections of the terminal report: port 25 of each MX host, MTA-STS and TLS-RPT,
// DNSSEC and DANE, reverse DNS, blocklists. Prose wraps to the width; TXT records are printed
// whole (they are compared with the zone); TLSA data is hex that cannot wrap, so a line of it is
// cut in the middle to fit instead (the JSON output holds it whole).

const prose = (text: string): ReportLine => ({ kind: 'prose', text });
/** A row of a table: `  ✔ <name padded to width>  text`, wrapped lines continuing under the text. */
const row = (mark: string, label: string, width: number, text: string): ReportLine => ({
  kind: 'prose',
  text: `  ${mark} ${label.padEnd(width)}  ${text}`,
  indent: ' '.repeat(Math.min(6 + Math.max(width, label.length), MAX_TABLE_INDENT)),
});
const record = (text: string): ReportLine => ({ kind: 'record', text });

const RECORD_MAX_CHARS = 4_000;
const NAME_MAX_CHARS = 255;
/** Names in a column are padded up to this; a longer one pushes its own line's text right. */
const NAME_COLUMN = 28;
/** A hex string is never cut shorter than this, however narrow the terminal. */
const MIN_HEX_CHARS = 20;
/** Past this, a wrapped row continues further left than its text: half the line is not wasted. */
const MAX_TABLE_INDENT = 36;

const name = (text: string): string => oneLine(text, NAME_MAX_CHARS);

function column(names: readonly string[]): number {
  return Math.min(NAME_COLUMN, Math.max(0, ...names.map((text) => name(text).length)));
}

/** `prefix` then the hex, cut in the middle so the line fits the width. */
function hexLine(prefix: string, hex: string, width: number): ReportLine {
  const room = Math.max(MIN_HEX_CHARS, width - displayWidth(prefix));
  return record(`${prefix}${shortHex(oneLine(hex, 100_000), room)}`);
}

// ---------------------------------------------------------------- port 25

export function port25Lines(facts: PostureFacts): ReportLine[] {
  if (facts.port25.length === 0) return [];
  const width = column(facts.port25.map((evidence) => evidence.exchange));
  return facts.port25.flatMap((evidence) => {
    const mark = notDialled(evidence) ? '·' : evidence.tls ? '✔' : '✘';
    // Not dialled on purpose (MX probes off, the target policy) is not "no address": the line then
    // says only why.
    const where =
      evidence.address !== null
        ? `${oneLine(evidence.address, 45)} `
        : evidence.class === 'dns-failed'
          ? 'no address '
          : '';
    const lines = [
      row(mark, name(evidence.exchange), width, `${where}port ${evidence.port}: ${port25Phrase(evidence)}`),
    ];
    const cert = evidence.certificate;
    if (cert) {
      const { names, more } = certificateNames(cert);
      const shown = `${names.map((text) => oneLine(text, 100)).join(', ')}${more > 0 ? ` +${more} more` : ''}`;
      const trust = cert.trusted
        ? 'trusted'
        : `NOT trusted${cert.verifyError ? ` (${oneLine(cert.verifyError, 60)})` : ''}`;
      const match = cert.hostnameMatches ? 'name matches' : 'name does NOT match';
      lines.push(prose(`      certificate ${shown} · ${trust} · ${match} · ${certificateExpiry(cert)}`));
    }
    if (evidence.problem) lines.push(prose(`      ${oneLine(evidence.problem, 400)}`));
    return lines;
  });
}

// ---------------------------------------------------------------- MTA-STS and TLS-RPT

function maxAgeText(seconds: number): string {
  const days = seconds / 86_400;
  return days >= 1 ? `${seconds} s (${Math.round(days * 10) / 10} d)` : `${seconds} s`;
}

function coverageLine(facts: PostureFacts, host: MtaStsCoverage, width: number): ReportLine {
  const ok = coverageOk(host);
  const mark = ok === null ? '?' : ok ? '✔' : '✘';
  const covered =
    host.pattern === null ? 'NOT covered by any mx pattern' : `covered by ${oneLine(host.pattern, 255)}`;
  let certificate = COVERAGE_CERTIFICATE_WORDS[host.certificate];
  const cert = port25Of(facts, host.exchange)?.certificate;
  if (host.certificate === 'name-mismatch' && cert) {
    const { names, more } = certificateNames(cert);
    certificate += ` (${names.map((text) => oneLine(text, 100)).join(', ')}${more > 0 ? ` +${more}` : ''})`;
  }
  return row(mark, name(host.exchange), width, `${covered} · ${certificate}`);
}

function fetchLines(facts: PostureFacts): ReportLine[] {
  const { fetch } = facts.mtaSts;
  const url = oneLine(fetch.url, 500);
  if (fetch.outcome === 'not-asked') return [prose(`  policy ${url} not fetched: no usable record`)];
  const details: string[] = [];
  if (fetch.status !== undefined) details.push(`HTTP ${fetch.status}`);
  if (fetch.contentType) details.push(oneLine(fetch.contentType, 100));
  if (fetch.bytes !== undefined) details.push(plural(fetch.bytes, 'byte'));
  if (fetch.redirect) details.push(`redirected to ${oneLine(fetch.redirect, 500)} (not followed)`);
  const lines = [
    prose(`  ${fetch.outcome === 'fetched' ? '✔' : '✘'} policy ${url}`),
    prose(`      ${fetch.outcome}${details.length > 0 ? `: ${details.join(', ')}` : ''}`),
  ];
  if (fetch.problem) lines.push(prose(`      ✘ ${oneLine(fetch.problem, 400)}`));
  return lines;
}

export function mtaStsLines(facts: PostureFacts): ReportLine[] {
  const { mtaSts } = facts;
  const recordName = name(mtaSts.recordName);
  const lines: ReportLine[] = [];
  if (mtaSts.lookupError) {
    lines.push(prose(`  MTA-STS: no answer for ${recordName}: ${oneLine(mtaSts.lookupError, 300)}`));
  } else if (mtaSts.records.length === 0) {
    lines.push(prose(`  no MTA-STS record at ${recordName} (optional)`));
  } else {
    lines.push(
      prose(
        mtaSts.records.length > 1
          ? `  ${mtaSts.records.length} v=STSv1 records at ${recordName}: senders use none`
          : `  MTA-STS record at ${recordName}`,
      ),
    );
    for (const text of mtaSts.records) lines.push(record(`      ${oneLine(text, RECORD_MAX_CHARS)}`));
    for (const problem of mtaSts.recordProblems) lines.push(prose(`  ✘ ${oneLine(problem, 300)}`));
    lines.push(...fetchLines(facts));
  }
  const { policy } = mtaSts;
  if (policy) {
    const mx = policy.mx.length > 0 ? policy.mx.map((pattern) => oneLine(pattern, 255)).join(', ') : 'none';
    const maxAge = policy.maxAge === null ? '—' : maxAgeText(policy.maxAge);
    lines.push(prose(`  mode ${policy.mode ?? '—'} · max_age ${maxAge} · mx ${mx}`));
    for (const problem of policy.problems) lines.push(prose(`  ✘ ${oneLine(problem, 300)}`));
    const width = column(mtaSts.coverage.map((host) => host.exchange));
    for (const host of mtaSts.coverage) lines.push(coverageLine(facts, host, width));
  }
  return [...lines, ...tlsRptLines(facts)];
}

function tlsRptLines(facts: PostureFacts): ReportLine[] {
  const { tlsRpt } = facts;
  const at = name(tlsRpt.name);
  if (tlsRpt.lookupError)
    return [prose(`  TLS-RPT: no answer for ${at}: ${oneLine(tlsRpt.lookupError, 300)}`)];
  if (tlsRpt.records.length === 0) return [prose(`  no TLS-RPT record at ${at}`)];
  const lines = [
    prose(
      tlsRpt.records.length > 1
        ? `  ${tlsRpt.records.length} v=TLSRPTv1 records at ${at}: senders use none`
        : `  TLS-RPT record at ${at}`,
    ),
    ...tlsRpt.records.map((text) => record(`      ${oneLine(text, RECORD_MAX_CHARS)}`)),
  ];
  if (tlsRpt.rua.length > 0) {
    lines.push(prose(`  reports go to ${tlsRpt.rua.map((uri) => oneLine(uri, 300)).join(', ')}`));
  }
  for (const problem of tlsRpt.problems) lines.push(prose(`  ✘ ${oneLine(problem, 300)}`));
  return lines;
}

// ---------------------------------------------------------------- DNSSEC and DANE

const DNSSEC_MARK = { secure: '✔', insecure: '·', bogus: '✘', unknown: '?' } as const;

function dnssecLine(entry: DnssecNameFacts, width: number): ReportLine {
  const parts = [DNSSEC_WORDS[entry.status]];
  const ede = entry.extendedError;
  if (ede) {
    const text = ede.text ? `: ${oneLine(ede.text, 200)}` : '';
    parts.push(`EDE ${ede.code} ${oneLine(ede.name, 60)}${text}`);
  }
  if (entry.lookupError) parts.push(oneLine(entry.lookupError, 300));
  return row(DNSSEC_MARK[entry.status], name(entry.name), width, parts.join(' · '));
}

function usageName(record: TlsaRecord): string {
  const usage = TLSA_USAGE[record.usage];
  return usage ? ` (${usage})` : '';
}

function daneHeadline(host: DaneHostFacts): { mark: string; text: string } {
  const state = daneState(host);
  switch (state) {
    case 'lookup-failed':
      return { mark: '?', text: `no answer: ${oneLine(host.lookupError ?? '', 300)}` };
    case 'no-records':
      return { mark: '·', text: 'no TLSA records (DANE not used)' };
    case 'not-in-effect':
      return {
        mark: host.dnssec === 'bogus' ? '✘' : '·',
        text: `not in effect: the TLSA answer is ${DNSSEC_WORDS[host.dnssec]}, so senders ignore it`,
      };
    case 'nothing-to-match':
      return { mark: '?', text: 'in effect; nothing to match: our probe got no certificate' };
    case 'match': {
      const by = host.match?.by;
      const which = by ? `${tlsaParameters(by)}${usageName(by)} ` : '';
      return { mark: '✔', text: `in effect; ${which}matches the certificate` };
    }
    case 'mismatch':
      return {
        mark: '✘',
        text: `in effect; NO MATCH: ${oneLine(host.match?.reason ?? 'no record matches the certificate', 400)}`,
      };
  }
}

function daneLines(facts: PostureFacts, host: DaneHostFacts, column: number, width: number): ReportLine[] {
  const { mark, text } = daneHeadline(host);
  const lines = [row(mark, name(host.exchange), column, text)];
  const mismatch = daneState(host) === 'mismatch';
  for (const entry of host.records) {
    const entryMark = isMatchingRecord(host, entry) ? '✔' : mismatch ? '✘' : ' ';
    lines.push(hexLine(`      ${entryMark} ${tlsaParameters(entry)} `, entry.data, width));
  }
  const presented = mismatch ? leafSpkiSha256(port25Of(facts, host.exchange)?.certificate) : null;
  if (presented) {
    lines.push(prose("      the certificate's key now, as a 3 1 1 record holds it:"));
    lines.push(hexLine('        3 1 1 ', presented, width));
  }
  return lines;
}

export function dnssecDaneLines(facts: PostureFacts, width: number): ReportLine[] {
  const { dnssec } = facts;
  const names = [dnssec.domain, ...dnssec.mxHosts];
  const nameWidth = column([...names.map((entry) => entry.name), ...facts.dane.map((host) => host.exchange)]);
  const lines = [
    prose(`  validated by ${oneLine(dnssec.resolver, 100)}`),
    ...names.map((entry) => dnssecLine(entry, nameWidth)),
  ];
  if (facts.dane.length > 0) {
    lines.push(prose('  DANE: TLSA records at _25._tcp.<MX host>'));
    for (const host of facts.dane) lines.push(...daneLines(facts, host, nameWidth, width));
  }
  return lines;
}

// ---------------------------------------------------------------- reverse DNS

function reverseMark(entry: AddressReverseDns): string {
  if (entry.lookupError) return '?';
  const good = entry.ptr.length > 0 && entry.forwardConfirmed && entry.greetingConsistent !== false;
  return good ? '✔' : '✘';
}

function greetingLine(entry: AddressReverseDns): ReportLine | null {
  const greeting = entry.greetingName;
  const ehlo = entry.ehloName;
  if (!greeting && !ehlo) return null;
  const said = [
    `greeting ${greeting ? oneLine(greeting, 255) : '—'}`,
    `EHLO ${ehlo ? oneLine(ehlo, 255) : '—'}`,
  ].join(' · ');
  const verdict =
    entry.greetingConsistent === null
      ? 'nothing to compare'
      : entry.greetingConsistent
        ? 'consistent ✔'
        : 'NOT consistent: neither the PTR nor the MX name ✘';
  return prose(`      ${said} · ${verdict}`);
}

export function reverseDnsLines(facts: PostureFacts): ReportLine[] {
  const { addresses } = facts.reverseDns;
  if (addresses.length === 0) return [];
  return addresses.flatMap((entry) => {
    const whose = entry.role === 'sending' ? 'sending address' : name(entry.exchange ?? 'MX host');
    const lines = [prose(`  ${reverseMark(entry)} ${oneLine(entry.address, 45)}  ${whose}`)];
    if (entry.lookupError) {
      lines.push(prose(`      no answer: ${oneLine(entry.lookupError, 300)}`));
      return lines;
    }
    if (entry.ptr.length === 0) {
      lines.push(prose('      no PTR record ✘'));
    } else {
      const confirmed = entry.forwardConfirmed ? 'forward-confirmed ✔' : 'NOT forward-confirmed ✘';
      lines.push(prose(`      PTR ${entry.ptr.map((ptr) => name(ptr)).join(', ')} · ${confirmed}`));
    }
    const greeting = greetingLine(entry);
    if (greeting) lines.push(greeting);
    return lines;
  });
}

// ---------------------------------------------------------------- blocklists

/** `127.0.0.4 XBL: an exploited machine`, each code with its meaning. */
function codesText(result: BlocklistResult): string {
  const codes = result.codes.map((code) => oneLine(code, 45));
  const meanings = result.meanings.map((meaning) => oneLine(meaning, 300));
  if (codes.length === meanings.length && codes.length > 0) {
    return codes.map((code, index) => `${code} ${meanings[index]}`).join('; ');
  }
  return [codes.join(', '), meanings.join('; ')].filter((part) => part !== '').join(': ');
}

function subjectLabel(subject: BlocklistSubject): string {
  if (subject.role === 'sending') return 'sending address';
  if (subject.role === 'domain') return 'domain';
  return subject.exchange ? name(subject.exchange) : 'MX address';
}

function subjectLines(subject: BlocklistSubject): ReportLine[] {
  const head = `${oneLine(subject.subject, 255)} (${subjectLabel(subject)})`;
  const notable = subject.listed.length + subject.refused.length + subject.errors.length;
  if (notable === 0) return [prose(`  ✔ ${head}  not listed on ${plural(subject.notListed, 'list')}`)];
  const mark = subject.listed.length > 0 ? '✘' : '?';
  const lines = [prose(`  ${mark} ${head}`)];
  for (const result of subject.listed) {
    const codes = codesText(result);
    lines.push(prose(`      ✘ listed on ${name(result.name)}${codes ? `: ${codes}` : ''}`));
    if (result.text) lines.push(prose(`        the list says: ${oneLine(result.text, 400)}`));
  }
  for (const result of subject.refused) {
    const codes = codesText(result);
    lines.push(prose(`      ? ${name(result.name)} refused the question${codes ? `: ${codes}` : ''}`));
  }
  for (const result of subject.errors) {
    const why = result.problem ? `: ${oneLine(result.problem, 300)}` : '';
    lines.push(prose(`      ? no answer from ${name(result.name)}${why}`));
  }
  if (subject.notListed > 0) {
    lines.push(prose(`      ✔ not listed on ${plural(subject.notListed, 'other list')}`));
  }
  return lines;
}

export function blocklistLines(facts: PostureFacts): ReportLine[] {
  const { blocklists } = facts;
  if (blocklists.results.length === 0) {
    return [prose(`  no list was asked (${plural(blocklists.zones.length, 'list')} set)`)];
  }
  const lists = blocklists.zones.map((zone) => name(zone.name)).join(', ');
  return [
    prose(`  asked through ${oneLine(blocklists.resolver, 100)}: ${lists}`),
    ...blocklistSubjects(facts).flatMap(subjectLines),
  ];
}
