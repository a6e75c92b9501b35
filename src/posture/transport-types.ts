import type { CertificateFacts, PortClass } from '../probe/types.js';

// Will mail to and from the domain travel safely and be trusted: MTA-STS and TLS-RPT, DNSSEC and
// DANE, reverse DNS, blocklists. Facts only, as in types.ts: every text came from the network.

// ---------------------------------------------------------------- the port-25 probe of each MX

/**
 * What our own probe of an MX host's port 25 saw: the names it gave and the certificate chain its
 * STARTTLS offered. DANE, MTA-STS and the greeting/PTR comparison are judged against it. The probe
 * waits for the greeting (never talks first), so a slow greeting is slow, not a mismatch.
 */
export interface Port25Evidence {
  exchange: string;
  /** The address dialled; null when none could be (no address, refused by the target policy). */
  address: string | null;
  /** 25, or the port a test server listens on. */
  port: number;
  /** The probe's class for the port (`open-starttls`, `filtered`, `refused`, …). */
  class: PortClass | 'not-probed';
  /** The first word after `220` in the greeting, as sent (untrusted). */
  greetingName: string | null;
  /** The first word of the EHLO reply's first line, as sent (untrusted). */
  ehloName: string | null;
  /** STARTTLS was offered and the TLS handshake completed. */
  tls: boolean;
  /** The certificate the handshake received, judged for the MX host's name; null without TLS. */
  certificate: CertificateFacts | null;
  /** Why the port could not be probed or what stopped it, in words. */
  problem?: string;
}

/**
 * Probes port 25 of one MX host at the addresses the report resolved for it (the probe asks no
 * DNS of its own). Never throws: a failure is evidence too.
 */
export type ProbePort25 = (exchange: string, addresses: string[]) => Promise<Port25Evidence>;

// ---------------------------------------------------------------- DNSSEC

export const DNSSEC_STATUSES = ['secure', 'insecure', 'bogus', 'unknown'] as const;
/**
 * `secure`: the validating resolver set AD. `insecure`: it answered without AD (no chain of trust).
 * `bogus`: it refused the answer as a validation failure (SERVFAIL that goes away with CD set).
 * `unknown`: no answer at all (timeout, REFUSED): nothing can be said.
 */
export type DnssecStatus = (typeof DNSSEC_STATUSES)[number];

/** An Extended DNS Error (RFC 8914) the resolver attached to its answer. */
export interface ExtendedDnsError {
  code: number;
  /** The code's name from the RFC's registry (`DNSSEC Bogus`, `Signature Expired`). */
  name: string;
  /** The resolver's own text, when it gave one (untrusted). */
  text?: string;
}

export interface DnssecNameFacts {
  /** The name asked: the domain, or an MX host. */
  name: string;
  status: DnssecStatus;
  extendedError?: ExtendedDnsError;
  lookupError?: string;
}

export interface DnssecFacts {
  /** The validating resolver that vouched, as an address (`127.0.0.1:53`), the system's first when none was set. */
  resolver: string;
  domain: DnssecNameFacts;
  mxHosts: DnssecNameFacts[];
}

// ---------------------------------------------------------------- DANE (RFC 7672)

export interface TlsaRecord {
  /** 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE. */
  usage: number;
  /** 0 the full certificate, 1 the SubjectPublicKeyInfo. */
  selector: number;
  /** 0 exact, 1 SHA-256, 2 SHA-512. */
  matchingType: number;
  /** The association data, lower-case hex. */
  data: string;
}

export interface DaneHostFacts {
  exchange: string;
  /** `_25._tcp.<exchange>`. */
  name: string;
  records: TlsaRecord[];
  /** DNSSEC status of the TLSA answer: DANE is in effect only when it is `secure`. */
  dnssec: DnssecStatus;
  /**
   * The TLSA records against the chain our port-25 probe received; null when there was nothing to
   * match (no records, or no certificate because the probe did not get TLS).
   */
  match: DaneMatch | null;
  lookupError?: string;
}

export interface DaneMatch {
  matched: boolean;
  /** The record that matched. */
  by?: TlsaRecord;
  /** Records SMTP can use (usage 2 or 3, known selector and matching type). */
  usable: number;
  /** Why nothing matched, in words (no usable record, no chain, digests differ). */
  reason?: string;
}

// ---------------------------------------------------------------- MTA-STS (RFC 8461), TLS-RPT (RFC 8460)

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  /** `mode` as a known value; null when missing or unknown (a problem says which). */
  mode: MtaStsMode | null;
  /** Seconds; null when missing or not a number. */
  maxAge: number | null;
  /** `mx` patterns, as written (lower case). */
  mx: string[];
  /** Each problem with the policy's text, by line or key. */
  problems: string[];
}

export interface MtaStsFetch {
  url: string;
  /** `fetched`: a 200 with a body; anything else says why the policy could not be used. */
  outcome: 'fetched' | 'unreachable' | 'not-asked';
  status?: number;
  contentType?: string;
  /** Where a 3xx pointed (never followed). */
  redirect?: string;
  bytes?: number;
  /** What went wrong, in words (certificate, timeout, size, status, content type). */
  problem?: string;
}

export interface MtaStsCoverage {
  exchange: string;
  /** The `mx` pattern that matched, or null: compliant senders will not use this host. */
  pattern: string | null;
  /**
   * The port-25 certificate against the MX name, as an MTA-STS sender checks it: `valid` (trusted
   * chain, name matches, in date), else what fails; `not-probed` / `no-tls` when we could not see it.
   */
  certificate: 'valid' | 'name-mismatch' | 'untrusted' | 'expired' | 'no-tls' | 'not-probed';
}

export interface MtaStsFacts {
  /** `_mta-sts.<domain>`. */
  recordName: string;
  /** The v=STSv1 record, or null (none, or several). */
  record: string | null;
  records: string[];
  id: string | null;
  recordProblems: string[];
  lookupError?: string;
  fetch: MtaStsFetch;
  /** Null when no policy was fetched. */
  policy: MtaStsPolicy | null;
  /** Each MX host against the policy; empty without a policy. */
  coverage: MtaStsCoverage[];
}

export interface TlsRptFacts {
  /** `_smtp._tls.<domain>`. */
  name: string;
  record: string | null;
  records: string[];
  /** `rua` destinations as written (`mailto:` or `https:`). */
  rua: string[];
  problems: string[];
  lookupError?: string;
}

// ---------------------------------------------------------------- reverse DNS

export interface AddressReverseDns {
  address: string;
  /** `sending`: the `--ip` address; `mx`: an address of an MX host. */
  role: 'sending' | 'mx';
  /** The MX host the address belongs to (role `mx`). */
  exchange?: string;
  ptr: string[];
  /** Some PTR name resolves back to the address. */
  forwardConfirmed: boolean;
  /** The names our port-25 probe saw at this address (role `mx`, when probed). */
  greetingName?: string | null;
  ehloName?: string | null;
  /**
   * The greeting's and EHLO's names agree with a PTR name (or the MX name); null when there is
   * nothing to compare (not probed, no PTR).
   */
  greetingConsistent: boolean | null;
  lookupError?: string;
}

export interface ReverseDnsFacts {
  addresses: AddressReverseDns[];
}

// ---------------------------------------------------------------- DNS blocklists

export interface BlocklistZone {
  /** `zen.spamhaus.org`. */
  zone: string;
  /** `ip`: addresses are asked (reversed octets); `domain`: the domain is asked. */
  kind: 'ip' | 'domain';
  /** Display name (`Spamhaus ZEN`). */
  name: string;
}

export type BlocklistStatus = 'listed' | 'not-listed' | 'refused' | 'error';

export interface BlocklistResult {
  zone: string;
  name: string;
  /** The address or domain asked about. */
  subject: string;
  subjectRole: 'sending' | 'mx' | 'domain';
  /** `refused`: the list answered with a refusal code (not a listing); `error`: no answer. */
  status: BlocklistStatus;
  /** The A answers (`127.0.0.2`). */
  codes: string[];
  /** What each code means for this list, in words. */
  meanings: string[];
  /** The list's TXT answer, when listed (untrusted). */
  text?: string;
  problem?: string;
}

export interface BlocklistFacts {
  /** The resolver the lists were asked through (`system` or `127.0.0.1:53`). */
  resolver: string;
  zones: BlocklistZone[];
  results: BlocklistResult[];
}

// ---------------------------------------------------------------- all of it

/** The transport half of the domain report's facts. */
export interface TransportFacts {
  /** Our own probe of each MX host's port 25 (at most MAX_TRANSPORT_MX_HOSTS), in MX order. */
  port25: Port25Evidence[];
  mtaSts: MtaStsFacts;
  tlsRpt: TlsRptFacts;
  dnssec: DnssecFacts;
  /** One per MX host in `port25`. */
  dane: DaneHostFacts[];
  reverseDns: ReverseDnsFacts;
  blocklists: BlocklistFacts;
}
