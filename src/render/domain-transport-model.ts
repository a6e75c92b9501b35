import type {
  BlocklistResult,
  DaneHostFacts,
  DnssecStatus,
  MtaStsCoverage,
  Port25Evidence,
  PostureFacts,
  TlsaRecord,
} from '../posture/index.js';
import { PORT_CLASS_TABLE } from '../diagnose/index.js';
import type { CertificateFacts } from '../probe/index.js';

// What the transport sections say, decided once for the terminal and Slack, which each word it
// (a second copy of "is this DANE record in effect?" would drift from the first). Pure; no text
// here is escaped: each surface quotes the facts its own way.

/** RFC 6698's usage names, as operators write them next to `3 1 1`. */
export const TLSA_USAGE: Readonly<Record<number, string>> = {
  0: 'PKIX-TA',
  1: 'PKIX-EE',
  2: 'DANE-TA',
  3: 'DANE-EE',
};

/** `3 1 1`: usage, selector and matching type. */
export function tlsaParameters(record: TlsaRecord): string {
  return `${record.usage} ${record.selector} ${record.matchingType}`;
}

/** Hex cut in the middle to at most maxChars, so both ends stay comparable with the zone file. */
export function shortHex(hex: string, maxChars: number): string {
  if (hex.length <= maxChars) return hex;
  const room = Math.max(2, maxChars - 1);
  const head = Math.ceil(room * 0.6);
  return `${hex.slice(0, head)}…${hex.slice(hex.length - (room - head))}`;
}

export type DaneState =
  /** The TLSA question got no answer. */
  | 'lookup-failed'
  /** No TLSA records: the host does not use DANE. */
  | 'no-records'
  /** Records in a zone DNSSEC does not vouch for: senders ignore them. */
  | 'not-in-effect'
  /** In effect, but our probe got no certificate to match them with. */
  | 'nothing-to-match'
  | 'match'
  | 'mismatch';

export function daneState(host: DaneHostFacts): DaneState {
  if (host.records.length === 0) return host.lookupError ? 'lookup-failed' : 'no-records';
  if (host.dnssec !== 'secure') return 'not-in-effect';
  if (host.match === null) return 'nothing-to-match';
  return host.match.matched ? 'match' : 'mismatch';
}

/** The record that matched, by value (facts may have been copied, so not by identity). */
export function isMatchingRecord(host: DaneHostFacts, record: TlsaRecord): boolean {
  const by = host.match?.by;
  return (
    by !== undefined &&
    by.usage === record.usage &&
    by.selector === record.selector &&
    by.matchingType === record.matchingType &&
    by.data.toLowerCase() === record.data.toLowerCase()
  );
}

/** Our port-25 evidence of an MX host, when it was probed. */
export function port25Of(facts: PostureFacts, exchange: string): Port25Evidence | undefined {
  const name = exchange.toLowerCase();
  return facts.port25.find((evidence) => evidence.exchange.toLowerCase() === name);
}

/** The SHA-256 of the leaf's public key: what a `3 1 1` record for the presented certificate holds. */
export function leafSpkiSha256(certificate: CertificateFacts | null | undefined): string | null {
  return certificate?.chain?.[0]?.spkiSha256 ?? null;
}

export const DNSSEC_WORDS: Record<DnssecStatus, string> = {
  secure: 'secure',
  insecure: 'insecure (not signed)',
  bogus: 'bogus (validation fails)',
  unknown: 'unknown (no answer)',
};

export const COVERAGE_CERTIFICATE_WORDS: Record<MtaStsCoverage['certificate'], string> = {
  valid: 'certificate valid',
  'name-mismatch': 'certificate for another name',
  untrusted: 'certificate not trusted',
  expired: 'certificate expired',
  'no-tls': 'no STARTTLS on port 25',
  'not-probed': 'port 25 not probed',
};

/** A host an MTA-STS sender can deliver to: matched by a pattern and a valid certificate. */
export function coverageOk(host: MtaStsCoverage): boolean | null {
  if (host.pattern === null) return false;
  if (host.certificate === 'not-probed') return null;
  return host.certificate === 'valid';
}

/** "expires in 48 d", "expired 3 d ago", "expiry unreadable". */
export function certificateExpiry(certificate: CertificateFacts): string {
  if (!Number.isFinite(certificate.daysLeft)) return 'expiry unreadable';
  return certificate.daysLeft < 0
    ? `expired ${-certificate.daysLeft} d ago`
    : `expires in ${certificate.daysLeft} d`;
}

// ---------------------------------------------------------------- blocklists

/** The questions about one address or the domain, the notable ones apart and the rest counted. */
export interface BlocklistSubject {
  subject: string;
  role: BlocklistResult['subjectRole'];
  /** The MX host an `mx` address belongs to, when known. */
  exchange?: string;
  listed: BlocklistResult[];
  refused: BlocklistResult[];
  errors: BlocklistResult[];
  /** Lists that answered "not listed". */
  notListed: number;
}

/** Results grouped by subject in the order they were asked: sending address, MX addresses, domain. */
export function blocklistSubjects(facts: PostureFacts): BlocklistSubject[] {
  const bySubject = new Map<string, BlocklistSubject>();
  for (const result of facts.blocklists.results) {
    const key = `${result.subjectRole} ${result.subject}`;
    let entry = bySubject.get(key);
    if (!entry) {
      const exchange =
        result.subjectRole === 'mx'
          ? (facts.reverseDns.addresses.find((a) => a.address === result.subject && a.exchange)?.exchange ??
            facts.port25.find((evidence) => evidence.address === result.subject)?.exchange)
          : undefined;
      entry = {
        subject: result.subject,
        role: result.subjectRole,
        ...(exchange ? { exchange } : {}),
        listed: [],
        refused: [],
        errors: [],
        notListed: 0,
      };
      bySubject.set(key, entry);
    }
    if (result.status === 'listed') entry.listed.push(result);
    else if (result.status === 'refused') entry.refused.push(result);
    else if (result.status === 'error') entry.errors.push(result);
    else entry.notListed += 1;
  }
  const order: Record<BlocklistResult['subjectRole'], number> = { sending: 0, mx: 1, domain: 2 };
  return [...bySubject.values()].sort((a, b) => order[a.role] - order[b.role]);
}

/** What our probe of port 25 found, in the host check's words. */
/** Not dialled on our side's decision (MX probes off, the target policy): nothing to blame on the host. */
export function notDialled(evidence: Port25Evidence): boolean {
  return evidence.class === 'not-probed' || evidence.class === 'denied-by-policy';
}

export function port25Phrase(evidence: Port25Evidence): string {
  return evidence.class === 'not-probed' ? 'not probed' : PORT_CLASS_TABLE[evidence.class].phrase;
}

/** The names a certificate holds, the first few, and how many more. */
export function certificateNames(certificate: CertificateFacts, max = 3): { names: string[]; more: number } {
  const all = certificate.subjectAltNames.length > 0 ? certificate.subjectAltNames : [certificate.subject];
  return { names: all.slice(0, max), more: Math.max(0, all.length - max) };
}
