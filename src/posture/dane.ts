import { createHash } from 'node:crypto';
import type { CertificateDigests, CertificateFacts } from '../probe/types.js';
import { answered, noAnswer } from './dnssec.js';
import type { DaneHostFacts, DaneMatch, DnssecStatus, TlsaRecord } from './transport-types.js';
import type { RawDnsAnswer, ValidatingDns } from './validating-dns.js';
import { bareHostName } from '../text/host-name.js';

// DANE for SMTP (RFC 7672): the TLSA records at `_25._tcp.<mx>`, whether DNSSEC vouches for them,
// and whether the chain our own port-25 probe received matches one. A sender that does DANE
// refuses to deliver when no usable record matches, so a mismatch here is mail that stops.

const USAGE_NAMES: Readonly<Record<number, string>> = {
  0: 'PKIX-TA',
  1: 'PKIX-EE',
  2: 'DANE-TA',
  3: 'DANE-EE',
};

/** Hex digits of the association data for matching types 1 (SHA-256) and 2 (SHA-512). */
const DIGEST_HEX_LENGTH: Readonly<Record<number, number>> = { 1: 64, 2: 128 };

/**
 * The TLSA records of an MX host and their DNSSEC status, from one answer of the validating
 * resolver. A bogus answer (SERVFAIL that CD lifts) is asked again with CD so the records can be
 * shown; a sender will not use them. `certificate` is our probe's, matched when both exist.
 */
export async function gatherDane(
  vdns: ValidatingDns,
  exchange: string,
  certificate: CertificateFacts | null,
): Promise<DaneHostFacts> {
  const name = `_25._tcp.${bareHostName(exchange)}`;
  const first = await vdns.query(name, 'TLSA');
  const looked = await lookedUp(vdns, first, name);
  const facts: DaneHostFacts = {
    exchange,
    name,
    records: looked.records,
    dnssec: looked.dnssec,
    match:
      looked.records.length > 0 && certificate ? matchTlsa(looked.records, certificate.chain ?? []) : null,
  };
  return looked.lookupError ? { ...facts, lookupError: looked.lookupError } : facts;
}

async function lookedUp(
  vdns: ValidatingDns,
  first: RawDnsAnswer,
  name: string,
): Promise<{ records: TlsaRecord[]; dnssec: DnssecStatus; lookupError?: string }> {
  if (answered(first))
    return { records: tlsaRecords(first), dnssec: first.authenticated ? 'secure' : 'insecure' };
  if (first.kind === 'reply' && first.rcode === 'SERVFAIL') {
    const unchecked = await vdns.query(name, 'TLSA', { checkingDisabled: true });
    if (answered(unchecked)) return { records: tlsaRecords(unchecked), dnssec: 'bogus' };
  }
  return { records: [], dnssec: 'unknown', lookupError: noAnswer(vdns, first, name, 'TLSA') };
}

function tlsaRecords(answer: RawDnsAnswer): TlsaRecord[] {
  if (answer.kind !== 'reply') return [];
  return answer.answers.flatMap((record) =>
    record.type === 'TLSA'
      ? [
          {
            usage: record.data.usage,
            selector: record.data.selector,
            matchingType: record.data.matchingType,
            data: record.data.certificate.toString('hex'),
          },
        ]
      : [],
  );
}

/**
 * Why a record cannot be used for SMTP, or null when it can. RFC 7672 §3.1.3: PKIX-TA (0) and
 * PKIX-EE (1) are not for SMTP (an MX has no PKIX name to check against), so senders treat them as
 * unusable; so is an unknown selector or matching type, or a digest of the wrong length.
 */
function unusableBecause(record: TlsaRecord): string | null {
  if (record.usage === 0 || record.usage === 1) {
    return `usage ${record.usage} (${USAGE_NAMES[record.usage]}) is not used for SMTP (RFC 7672 §3.1.3)`;
  }
  if (record.usage !== 2 && record.usage !== 3) return `usage ${record.usage} is unknown`;
  if (record.selector !== 0 && record.selector !== 1) return `selector ${record.selector} is unknown`;
  if (record.matchingType === 0) return record.data.length > 0 ? null : 'its certificate data is empty';
  const length = DIGEST_HEX_LENGTH[record.matchingType];
  if (length === undefined) return `matching type ${record.matchingType} is unknown`;
  return record.data.length === length ? null : `its digest is not ${length / 2} bytes long`;
}

/** The digest of one chain element a record compares: matching type 0 is compared as its SHA-256. */
function chainDigest(element: CertificateDigests, selector: number, matchingType: number): string {
  const spki = selector === 1;
  if (matchingType === 2) return spki ? element.spkiSha512 : element.certSha512;
  return spki ? element.spkiSha256 : element.certSha256;
}

function recordDigest(record: TlsaRecord): string {
  if (record.matchingType !== 0) return record.data.toLowerCase();
  // Matching type 0 holds the whole certificate or key: hashing it lets the chain keep digests only.
  return createHash('sha256').update(Buffer.from(record.data, 'hex')).digest('hex');
}

/**
 * Which chain elements a record may match. DANE-EE (3): the leaf only. DANE-TA (2): any
 * certificate the server sent above its leaf, the trust anchor being one of its issuers (RFC 7672
 * §3.1.2 asks servers to send it). Kept simple on purpose: a 2 x x record never matches the leaf,
 * and a 2 0 0 record's certificate is not used as an anchor unless the server sent it.
 */
function candidates(record: TlsaRecord, chain: CertificateDigests[]): CertificateDigests[] {
  return record.usage === 3 ? chain.slice(0, 1) : chain.slice(1);
}

/** The TLSA records against the certificate chain a server sent (leaf first), as RFC 7672 / RFC 6698 match. */
export function matchTlsa(records: TlsaRecord[], chain: CertificateDigests[]): DaneMatch {
  const usable = records.filter((record) => unusableBecause(record) === null);
  if (usable.length === 0) {
    const why = records.map((record) => `${describeRecord(record)}: ${unusableBecause(record)}`);
    return { matched: false, usable: 0, reason: `no usable TLSA record (${why.join('; ')})` };
  }
  if (chain.length === 0) {
    return { matched: false, usable: usable.length, reason: 'no certificate chain digests to match against' };
  }
  const by = usable.find((record) => {
    const wanted = recordDigest(record);
    return candidates(record, chain).some(
      (element) => chainDigest(element, record.selector, record.matchingType) === wanted,
    );
  });
  if (by) return { matched: true, by, usable: usable.length };
  return { matched: false, usable: usable.length, reason: mismatchReason(usable, chain) };
}

function mismatchReason(usable: TlsaRecord[], chain: CertificateDigests[]): string {
  const onlyTa = usable.every((record) => record.usage === 2);
  if (onlyTa && chain.length === 1) {
    return 'only DANE-TA (2) records, and the server sent its own certificate without the issuer they name (RFC 7672 §3.1.2: the server must send it)';
  }
  const sent = chain.length === 1 ? 'the certificate' : `the ${chain.length} certificates`;
  return `none of the ${usable.length} usable TLSA record${usable.length === 1 ? '' : 's'} matches ${sent} the server sent`;
}

/** `3 1 1` and the usage's name, as operators write it. */
export function describeRecord(record: TlsaRecord): string {
  const usage = USAGE_NAMES[record.usage];
  return `${record.usage} ${record.selector} ${record.matchingType}${usage ? ` (${usage})` : ''}`;
}
