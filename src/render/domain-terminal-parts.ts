import { type DestinationStatus, destinationStatus } from './domain-summary.js';
import type { DkimKey, DmarcDestination, PostureFacts } from '../posture/index.js';
import { plural } from '../text/plural.js';
import { oneLine, spfResultLines, spfTreeLines } from './domain-spf-tree.js';

// The evidence sections of the terminal report, one function per part. Each returns lines of
// plain text: `prose` lines may be wrapped to the terminal, `record` lines are DNS records and
// are printed whole, so they can be copied and compared with what the zone holds.

export interface ReportLine {
  kind: 'prose' | 'record';
  text: string;
  /** Where a wrapped prose line continues (a column of a table); under its text when absent. */
  indent?: string;
}

const prose = (text: string): ReportLine => ({ kind: 'prose', text });
const record = (text: string): ReportLine => ({ kind: 'record', text });

const RECORD_MAX_CHARS = 4_000;

export function spfLines(facts: PostureFacts): ReportLine[] {
  const spf = facts.spf;
  if (spf.lookupError) return [prose(`  no answer for the TXT records: ${oneLine(spf.lookupError, 300)}`)];
  const lines: ReportLine[] = [];
  if (spf.records.length > 1) {
    lines.push(prose(`  ${spf.records.length} v=spf1 records: a receiver answers permerror and uses none`));
    for (const text of spf.records) lines.push(record(`    ${oneLine(text, RECORD_MAX_CHARS)}`));
  }
  if (spf.tree) {
    for (const line of spfTreeLines(spf.tree)) {
      lines.push(line.kind === 'record' ? record(`  ${line.text}`) : prose(`  ${line.text}`));
    }
  } else if (spf.records.length === 0) {
    lines.push(prose(`  no v=spf1 record at ${oneLine(spf.domain, 255)}`));
  }
  if (spf.records.length > 0) {
    lines.push(
      prose(
        `  ${spf.lookups} of 10 DNS lookups, ${plural(spf.voidLookups, 'void lookup')} (at most 2)${spf.macros ? ', some depend on macros' : ''}`,
      ),
      prose(`  an address no mechanism lists gets: ${spf.worstCase}`),
    );
  }
  if (spf.error)
    lines.push(
      prose(`  ✘ ${spf.error.kind} in ${oneLine(spf.error.domain, 255)}: ${oneLine(spf.error.message, 400)}`),
    );
  if (spf.providers.length > 0) {
    lines.push(prose(`  sending services: ${spf.providers.map((name) => oneLine(name, 60)).join(', ')}`));
  }
  if (spf.result) {
    const [first = '', ...rest] = spfResultLines(spf.result);
    lines.push(prose(`  --ip ${first}`), ...rest.map((line) => prose(`       ${line}`)));
  }
  return lines;
}

function dkimState(key: DkimKey): string {
  if (key.lookupError) return `no answer: ${oneLine(key.lookupError, 200)}`;
  if (!key.found) return 'not found';
  const parts = ['found'];
  if (key.revoked) parts.push('revoked (empty p=)');
  else {
    const bits = typeof key.bits === 'number' ? ` ${key.bits}-bit` : ', size unreadable';
    parts.push(`${oneLine(key.keyType ?? 'rsa', 20)}${bits}`);
  }
  if (key.testing) parts.push('testing (t=y)');
  if (key.problem) parts.push(oneLine(key.problem, 200));
  return parts.join(' · ');
}

function dkimSource(key: DkimKey): string {
  if (key.source === 'given') return 'given';
  if (key.source === 'provider') return key.provider ? `${oneLine(key.provider, 60)}'s` : 'a provider’s';
  return 'common';
}

export function dkimLines(facts: PostureFacts): ReportLine[] {
  if (facts.dkim.length === 0) return [prose('  no selector was tried')];
  const width = Math.min(20, Math.max(...facts.dkim.map((key) => oneLine(key.selector, 60).length)));
  return facts.dkim.flatMap((key) => {
    const mark = key.found && !key.revoked && !key.problem ? '✔' : key.lookupError ? '?' : '✘';
    const lines = [
      prose(
        `  ${mark} ${oneLine(key.selector, 60).padEnd(width)}  ${dkimState(key)} (${dkimSource(key)} selector)`,
      ),
    ];
    if (key.cname) lines.push(prose(`      CNAME → ${oneLine(key.cname, 255)}`));
    return lines;
  });
}

function destinationLine(tag: 'rua' | 'ruf', destination: DmarcDestination): ReportLine {
  const uri = oneLine(destination.uri, 300);
  const where: Record<DestinationStatus, string> = {
    unusable: 'unusable',
    own: 'own domain',
    authorized: 'external · authorized ✔',
    unauthorized: `external · NOT authorized ✘ (no v=DMARC1 at ${oneLine(destination.authorizationName ?? 'its _report._dmarc name', 255)})`,
    unknown: 'external · authorization unknown',
  };
  const problem = destination.problem ? ` · ${oneLine(destination.problem, 200)}` : '';
  return prose(`  ${tag} ${uri}  ${where[destinationStatus(destination)]}${problem}`);
}

export function dmarcLines(facts: PostureFacts): ReportLine[] {
  const dmarc = facts.dmarc;
  if (dmarc.lookupError) return [prose(`  no answer: ${oneLine(dmarc.lookupError, 300)}`)];
  const lines: ReportLine[] = [];
  if (dmarc.records.length > 1) {
    lines.push(prose(`  ${dmarc.records.length} v=DMARC1 records: none applies`));
    for (const text of dmarc.records) lines.push(record(`    ${oneLine(text, RECORD_MAX_CHARS)}`));
  } else if (dmarc.record === null) {
    lines.push(
      prose(
        `  no record at _dmarc.${oneLine(facts.request.domain, 255)} nor at the organizational domain ${oneLine(dmarc.organizationalDomain, 255)}`,
      ),
    );
  } else {
    const at = oneLine(dmarc.sourceDomain ?? facts.request.domain, 255);
    const whose = dmarc.source === 'organizational' ? ' (the organizational domain’s)' : '';
    lines.push(prose(`  at _dmarc.${at}${whose}`), record(`    ${oneLine(dmarc.record, RECORD_MAX_CHARS)}`));
    lines.push(
      prose(
        `  policy ${dmarc.policy ?? '—'} · subdomains ${dmarc.subdomainPolicy ?? '—'} · pct ${dmarc.pct} · alignment DKIM ${dmarc.alignment.dkim}, SPF ${dmarc.alignment.spf}`,
      ),
    );
    for (const destination of dmarc.rua) lines.push(destinationLine('rua', destination));
    for (const destination of dmarc.ruf) lines.push(destinationLine('ruf', destination));
    if (dmarc.rua.length === 0) lines.push(prose('  no rua: nobody receives the aggregate reports'));
  }
  if (dmarc.treeWalk) lines.push(prose(`  DMARCbis tree walk: ${oneLine(dmarc.treeWalk.note, 400)}`));
  for (const error of dmarc.syntaxErrors) lines.push(prose(`  ✘ ${oneLine(error, 300)}`));
  return lines;
}

export function bimiLines(facts: PostureFacts): ReportLine[] {
  const bimi = facts.bimi;
  if (bimi.lookupError) return [prose(`  no answer: ${oneLine(bimi.lookupError, 300)}`)];
  if (bimi.record === null) return [prose(`  none at ${oneLine(bimi.name, 255)} (optional)`)];
  const lines: ReportLine[] = [
    prose(`  at ${oneLine(bimi.name, 255)}`),
    record(`    ${oneLine(bimi.record, RECORD_MAX_CHARS)}`),
  ];
  lines.push(prose(`  logo ${bimi.logo ? oneLine(bimi.logo, 500) : 'none'}`));
  lines.push(prose(`  mark certificate ${bimi.authority ? oneLine(bimi.authority, 500) : 'none'}`));
  for (const problem of bimi.problems) lines.push(prose(`  ✘ ${oneLine(problem, 300)}`));
  return lines;
}

export function mxLines(facts: PostureFacts): ReportLine[] {
  const mx = facts.mx;
  if (mx.lookupError) return [prose(`  no answer: ${oneLine(mx.lookupError, 300)}`)];
  if (mx.nullMx) return [prose('  null MX (0 .): the domain says it receives no mail (RFC 7505)')];
  if (mx.implicit) {
    const addresses = mx.implicit.addresses.map((address) => oneLine(address, 45)).join(', ') || 'none';
    return [prose(`  no MX records: mail goes to the domain's own address (RFC 5321): ${addresses}`)];
  }
  if (mx.hosts.length === 0) return [prose('  no MX records')];
  return [...mx.hosts]
    .sort((a, b) => a.priority - b.priority)
    .flatMap((host) => {
      const addresses = host.addresses.map((address) => oneLine(address, 45)).join(', ');
      const lines = [
        prose(
          `  ${String(host.priority).padStart(5)}  ${oneLine(host.exchange, 255)}  ${addresses || 'no address'}`,
        ),
      ];
      if (host.cname)
        lines.push(prose(`         is a CNAME to ${oneLine(host.cname, 255)} (RFC 2181 forbids it)`));
      if (host.lookupError) lines.push(prose(`         no answer: ${oneLine(host.lookupError, 200)}`));
      return lines;
    });
}

export function sendingAddressLines(facts: PostureFacts): ReportLine[] {
  const sending = facts.sendingAddress;
  if (!sending) return [];
  if (sending.lookupError)
    return [prose(`  ${oneLine(sending.ip, 45)}: no answer: ${oneLine(sending.lookupError, 300)}`)];
  const ptr =
    sending.ptr.length > 0 ? sending.ptr.map((name) => oneLine(name, 255)).join(', ') : 'no PTR record';
  const confirmed = sending.forwardConfirmed ? 'forward-confirmed ✔' : 'not forward-confirmed ✘';
  return [prose(`  ${oneLine(sending.ip, 45)}  PTR ${ptr}  ${confirmed}`)];
}
