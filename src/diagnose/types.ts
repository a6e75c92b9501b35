import type { HostProbe, PortClass, PortProbe } from '../probe/types.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Finding ids that are not port classes (listed in README "JSON output"). A port class can be a finding id too. */
export const FINDING_IDS = [
  'cert-expired',
  'cert-expiring',
  'cert-self-signed',
  'cert-untrusted',
  'cert-hostname-mismatch',
  'auth-before-tls',
  'banner-masked',
  'banner-name-mismatch',
  'slow-response',
  'egress-blocked',
  'no-usable-port',
  'no-verified-config',
] as const;
export type FindingId = (typeof FINDING_IDS)[number] | PortClass;

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** The port it concerns; null for host-level findings. */
  port: number | null;
  /** One sentence with the evidence ("no answer on 25 after 5 s while 587 answered in 40 ms"). */
  summary: string;
  /** What to do, in the order a person would try it. */
  advice: string[];
}

/** Port 25 relays between servers; the others carry authenticated submission from clients. */
export type PortRole = 'relay' | 'submission';

export type Security = 'implicit-tls' | 'starttls' | 'none';

export interface ConfigSnippets {
  /** Options for nodemailer.createTransport (auth left as placeholders). */
  nodemailer: Record<string, unknown>;
  /** The same as ready-to-paste JavaScript. */
  nodemailerText: string;
  /** Postfix main.cf lines. */
  postfix: string[];
  /** Host / port / security / authentication, as mail clients and marketing platforms ask for it. */
  table: Array<{ label: string; value: string }>;
}

export interface Recommendation {
  host: string;
  port: number;
  security: Security;
  /** Why this choice, with the evidence. */
  reason: string;
  config: ConfigSnippets;
  /**
   * The proof: nodemailer was handed `config.nodemailer` and accepted it. Absent when the check did
   * not verify (scheduled re-checks); a recommendation whose verification failed is never made.
   */
  verified?: ConfigVerification;
}

/** nodemailer's verdict on one configuration (`createTransport(options).verify()`). */
export interface ConfigVerification {
  by: 'nodemailer';
  /** nodemailer's version. */
  version: string;
  ok: boolean;
  /** The server reply that settled it (an authentication demand, a refusal). */
  reply?: string;
  /** Why nodemailer refused the configuration ("its certificate expired on 2026-10-01"). */
  error?: string;
}

/** What verifying one candidate configuration found. */
export interface PortVerification {
  port: number;
  verification: ConfigVerification;
  /** nodemailer refused the server's certificate (expired, untrusted, self-signed, another name). */
  certificateRefused: boolean;
  /** The certificate is for another name: that name, and whether nodemailer accepts it for that name. */
  certificateName?: { name: string; ok: boolean };
  /** With certificate checking switched off, did nodemailer get through? A diagnostic, never a config. */
  certificateIsOnlyProblem?: boolean;
}

export interface ProviderInfo {
  id: string;
  name: string;
  docsUrl: string;
  starttlsPorts: number[];
  implicitTlsPorts: number[];
}

export interface PortDiagnosis extends PortProbe {
  role: PortRole;
  /** Whether mail can be sent through this port as things stand (a working, safe TLS session or relay). */
  usable: boolean;
  findings: Finding[];
}

export interface HostVerdict {
  status: 'ok' | 'degraded' | 'failing';
  /** One line: "3 of 4 ports usable · 25 filtered · use 587 + STARTTLS". */
  summary: string;
  usablePorts: number[];
}

export interface HostDiagnosis {
  target: string;
  host: string;
  mx: HostProbe['mx'];
  addresses: string[];
  checkedAt: string;
  durationMs: number;
  provider: ProviderInfo | null;
  ports: PortDiagnosis[];
  /** Host-level findings (egress-blocked, no-usable-port, …); port findings live on the ports. */
  findings: Finding[];
  recommendation: Recommendation | null;
  verdict: HostVerdict;
  /** The troubleshooting checklist that fits, in order. */
  advice: string[];
  /** The egress canary's result when one was probed. */
  egressCanary: { target: string; port: PortProbe } | null;
  /**
   * On a check of a mail domain's MX hosts (not an implicit MX): each MX host as senders that do
   * MTA-STS and DANE see it, the probed one first judged on its own certificate. Absent on host
   * checks, scheduled re-checks, and when nothing could be learnt.
   */
  mxTransport?: MxTransport[];
}

/**
 * One MX host against the domain's MTA-STS policy (RFC 8461) and its own TLSA records (RFC 7672).
 * The facts come from the posture room; these are their shape in a host check.
 */
export interface MxTransport {
  exchange: string;
  /** This is the MX host whose ports the check probed. */
  probed: boolean;
  /** The port whose STARTTLS certificate was judged (25, or a test server's); null when none was. */
  port: number | null;
  /** Null: the domain publishes no MTA-STS record. Absent: it could not be learnt (DNS failed). */
  mtaSts?: MxMtaSts | null;
  /** Null: the host has no TLSA record. Absent: the TLSA question got no answer. */
  dane?: MxDane | null;
}

export interface MxMtaSts {
  /** The policy's mode; null when no usable policy was found (`problem` says why). */
  mode: 'enforce' | 'testing' | 'none' | null;
  /** The policy's `mx` pattern that covers this host; null: compliant senders will not use it. */
  pattern: string | null;
  /** The port-25 certificate as an MTA-STS sender judges it; `not-probed` for the other MX hosts. */
  certificate: 'valid' | 'name-mismatch' | 'untrusted' | 'expired' | 'no-tls' | 'not-probed';
  /** Why senders apply no policy although a record is published (untrusted text). */
  problem?: string;
}

export interface MxDane {
  /** Each TLSA record's usage, selector and matching type (`3 1 1`), as published. */
  records: string[];
  /** Records SMTP can use (DANE-TA or DANE-EE, known selector and matching type). */
  usable: number;
  /** DNSSEC status of the TLSA answer: DANE is in effect only when `secure`. */
  dnssec: 'secure' | 'insecure' | 'bogus';
  /**
   * Whether a record matches the certificate chain port 25 sent; false too when the server itself
   * did not complete STARTTLS (`starttlsRefused`); null when there was nothing to match.
   */
  matched: boolean | null;
  /** The record that matched (`3 1 1`). */
  by?: string;
  /** The server answered on port 25 without completing STARTTLS: DANE senders refuse it. */
  starttlsRefused?: true;
}

export interface DiagnoseContext {
  now: Date;
  provider: ProviderInfo | null;
  egressCanary: { target: string; port: PortProbe } | null;
  /**
   * The candidate configurations nodemailer was handed, in rank order. When present, only a
   * verified configuration is recommended; absent means the check did not verify.
   */
  verifications?: PortVerification[];
}
