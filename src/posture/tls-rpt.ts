import { describeFailure } from './describe-failure.js';
import { quoted, readTxtFields } from './mta-sts-record.js';
import type { TlsRptFacts } from './transport-types.js';
import type { PostureDns } from './types.js';

// TLS reporting (RFC 8460): `_smtp._tls.<domain>` TXT `v=TLSRPTv1; rua=mailto:tls@example.com`
// says where senders send their daily reports of failed TLS sessions. Without it, a broken MTA-STS
// policy or certificate shows only as mail that never arrives. The text came from DNS: nothing in
// it is trusted.

const VERSION = 'v=TLSRPTv1';
// §3: records that do not begin with "v=TLSRPTv1;" are discarded (case matters).
const TLSRPT_RECORD = /^v=TLSRPTv1[ \t]*(?:;|$)/;
const MAILBOX_DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;

/** A TXT record (chunks joined) that senders take for a TLS-RPT record. */
export function isTlsRptRecord(text: string): boolean {
  return TLSRPT_RECORD.test(text);
}

/** Why a `rua` destination cannot be used, or undefined when it can (§3: mailto: or https:). */
export function ruaProblem(uri: string): string | undefined {
  // §3: commas and "!" in a URI are written %2C and %21; a DMARC-style `!10m` size is not TLS-RPT.
  if (uri.includes('!')) return `${quoted(uri)}: "!" is written %21 here (TLS-RPT has no size limits)`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'mailto') return mailtoProblem(uri);
  if (scheme === 'https') return httpsProblem(uri);
  return `${quoted(uri)}: reports go to a mailto: or https: URI`;
}

function mailtoProblem(uri: string): string | undefined {
  let address: string;
  try {
    address = decodeURIComponent(uri.slice('mailto:'.length).replace(/\?.*$/, ''));
  } catch {
    return `${quoted(uri)}: the address holds a broken %-escape`;
  }
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? address.slice(at + 1).replace(/\.$/, '') : '';
  return MAILBOX_DOMAIN.test(domain)
    ? undefined
    : `${quoted(uri)}: not a mailbox (local-part@domain expected)`;
}

function httpsProblem(uri: string): string | undefined {
  try {
    return new URL(uri).hostname === '' ? `${quoted(uri)}: the URL names no host` : undefined;
  } catch {
    return `${quoted(uri)}: not a URL that parses`;
  }
}

/** Reads a TLS-RPT record: `v=TLSRPTv1` first, `rua=` required, extensions allowed. */
export function parseTlsRptRecord(text: string): { rua: string[]; problems: string[] } {
  const { fields, problems } = readTxtFields(text, {
    version: VERSION,
    what: 'a TLS-RPT record',
    known: ['rua'],
  });
  const value = fields.get('rua');
  if (value === undefined) {
    problems.push('no rua= field: the record says where reports go');
    return { rua: [], problems };
  }
  const rua = value
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri.length > 0);
  if (rua.length === 0) problems.push('rua= names no destination');
  for (const uri of rua) {
    const problem = ruaProblem(uri);
    if (problem) problems.push(`rua=${problem}`);
  }
  return { rua, problems };
}

/** The domain's TLS-RPT record, as a sender reads it (§3). */
export async function gatherTlsRpt(dns: PostureDns, domain: string): Promise<TlsRptFacts> {
  const name = `_smtp._tls.${domain}`;
  const none: TlsRptFacts = { name, record: null, records: [], rua: [], problems: [] };
  const answer = await dns.txt(name);
  if (answer.kind === 'error') return { ...none, lookupError: describeFailure('TXT', name, answer) };
  const records = (answer.kind === 'records' ? answer.records.map((strings) => strings.join('')) : []).filter(
    isTlsRptRecord,
  );
  if (records.length === 0) return none;
  if (records.length > 1) {
    return {
      ...none,
      records,
      problems: [`${records.length} ${VERSION} records at ${name}: senders use none (RFC 8460 §3)`],
    };
  }
  const record = records[0]!;
  return { name, record, records, ...parseTlsRptRecord(record) };
}
