// The facts a probe produces. Stable strings here are printed in JSON and stored, so they change
// only on purpose (README, "JSON output").

export const PORT_CLASSES = [
  'open-starttls',
  'open-implicit-tls',
  'no-starttls',
  'starttls-stripped',
  'filtered',
  'refused',
  'unreachable',
  'no-banner',
  'slow-banner',
  'greeting-rejected',
  'tls-handshake-failed',
  'implicit-tls-on-starttls-port',
  'plaintext-on-implicit-tls-port',
  'not-smtp',
  'intercepted',
  'oversized-response',
  'dns-failed',
  'denied-by-policy',
] as const;
export type PortClass = (typeof PORT_CLASSES)[number];

/**
 * Ports that speak TLS from the first byte by convention (RFC 8314 for 465; 2465 is the ESP
 * alternate of it); every other port starts plain and upgrades with STARTTLS.
 */
export const IMPLICIT_TLS_PORTS: readonly number[] = [465, 2465];

/** How a port is expected to speak: TLS from the first byte, or plain text with a STARTTLS upgrade. */
export type ProbeMode = 'implicit-tls' | 'starttls';

export const STAGES = [
  'resolve',
  'connect',
  'tls-handshake',
  'greeting',
  'ehlo',
  'starttls',
  'tls-ehlo',
  'quit',
] as const;
export type Stage = (typeof STAGES)[number];

/** Milliseconds spent in each stage that was reached. */
export type StageTimings = Partial<Record<Stage, number>>;

/** What went wrong, where. `kind` is the raw failure; the port's `class` is the verdict built from it. */
export interface ProbeFailure {
  stage: Stage;
  kind:
    | 'timeout'
    | 'refused'
    | 'unreachable'
    | 'reset'
    | 'closed'
    | 'tls-alert'
    | 'tls-error'
    | 'smtp-reply'
    | 'not-smtp'
    | 'oversized'
    | 'dns'
    | 'policy'
    | 'other';
  /** errno (`ECONNREFUSED`) or OpenSSL code (`ERR_SSL_WRONG_VERSION_NUMBER`) when there is one. */
  code?: string;
  /** SMTP reply code when the failure is a reply. */
  replyCode?: number;
  /** TLS alert number (40 handshake_failure, 70 protocol_version, 112 unrecognized_name, …). */
  tlsAlert?: number;
  /** Human-readable, may quote server text: render escapes it. */
  message: string;
  /**
   * The first bytes the server sent (latin1, at most 120), when they are the evidence: bytes that
   * are not SMTP, a line that never ended, or a plain-text answer to our TLS hello. Untrusted.
   */
  firstBytes?: string;
  /** For a DNS failure: the question that failed (`example.com MX`) and who was asked. */
  query?: string;
  resolver?: ResolverIdentity;
}

/** Which DNS servers a resolver asks: the ones configured (DNS_SERVERS), or the system's own. */
export interface ResolverIdentity {
  /** `127.0.0.1:5353`, `[::1]:53`, `192.0.2.53` — as node:dns reports them. */
  servers: string[];
  /** The system resolver (/etc/resolv.conf), rather than servers chosen in the configuration. */
  system: boolean;
}

export interface SmtpReply {
  code: number;
  /** Text of each line without the `NNN-` / `NNN ` prefix. */
  lines: string[];
}

export interface TlsFacts {
  protocol: string | null;
  cipher: string | null;
  /** SNI sent (the host name, never an IP). */
  servername: string | null;
}

export interface CertificateFacts {
  subject: string;
  /** DNS names and IP addresses from subjectAltName, without the `DNS:` / `IP Address:` prefix. */
  subjectAltNames: string[];
  issuer: string;
  /** ISO 8601; OpenSSL's text when the certificate's date field cannot be read. */
  validFrom: string;
  validTo: string;
  /** Whole days from the probe's clock to validTo; negative when expired; NaN when validTo is unreadable. */
  daysLeft: number;
  selfSigned: boolean;
  /** Chain verified against Node's store plus NODE_EXTRA_CA_CERTS (and any CA the caller adds). */
  trusted: boolean;
  /** OpenSSL verification code when not trusted (`CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …). */
  verifyError: string | null;
  /** Whether the certificate covers the name the user asked for. */
  hostnameMatches: boolean;
  fingerprint256: string;
  /** Certificates the server sent, leaf first. */
  chainLength: number;
  /**
   * Digests of each certificate the server itself sent, leaf first, along the issuer path (at most
   * 20): what DANE's TLSA records are matched against. Only sent ones: a DANE-TA record must name a
   * certificate the server presents (RFC 7672 §3.1.2), not one our trust store holds. Absent from
   * facts made before it existed, and when a certificate's key could not be read.
   */
  chain?: CertificateDigests[];
}

/** A certificate and its SubjectPublicKeyInfo, hashed as TLSA records do (RFC 6698 §2.1); lower-case hex. */
export interface CertificateDigests {
  certSha256: string;
  certSha512: string;
  spkiSha256: string;
  spkiSha512: string;
}

export interface AuthFacts {
  /** AUTH mechanisms advertised before any TLS (a plain-text session). */
  beforeTls: string[];
  /** AUTH mechanisms advertised inside TLS. */
  afterTls: string[];
}

export interface PortProbe {
  port: number;
  /** The mode the port was expected to speak. */
  mode: ProbeMode;
  /** The mode it was found speaking, when it answered in one. */
  observedMode: ProbeMode | null;
  class: PortClass;
  /** The address dialled (IPv6 without brackets), null when none was dialled. */
  address: string | null;
  timings: StageTimings;
  /** Wall-clock time of the whole port, retries included. */
  durationMs: number;
  /** The greeting reply, all lines joined with "\n", as the server sent it (untrusted). */
  greeting: string | null;
  greetingCode: number | null;
  /** EHLO keyword lines from the last EHLO that succeeded (inside TLS when upgraded). */
  ehlo: string[];
  /** EHLO lines seen before STARTTLS; discarded for decisions after the upgrade (RFC 3207 §6). */
  ehloBeforeTls: string[];
  /** Whether EHLO was refused and HELO used instead. */
  heloFallback: boolean;
  /** The first line of the last EHLO (or HELO) reply, after its code: the name the server gave (untrusted). */
  ehloGreeting?: string | null;
  auth: AuthFacts;
  /** SIZE limit in bytes, from the last EHLO; null when not advertised. */
  sizeLimit: number | null;
  tls: TlsFacts | null;
  certificate: CertificateFacts | null;
  failure: ProbeFailure | null;
  /** Whether a read stopped at a cap (line, reply or line-count limit). */
  truncated: boolean;
  /** Set when the port was retried in the other TLS mode; the first attempt's failure. */
  firstAttempt: { mode: ProbeMode; failure: ProbeFailure } | null;
  /**
   * The port at every address dialled (probeHost dials each resolved address, bounded), in dial
   * order; the port's own facts and class are those of the first. Absent when nothing was dialled.
   */
  attempts?: AddressAttempt[];
}

/** The port's verdict at one of the host's addresses. */
export interface AddressAttempt {
  address: string;
  class: PortClass;
  /** Wall-clock time of the port at this address, retries included. */
  ms: number;
  /** What went wrong there, when something did. */
  failure: ProbeFailure | null;
}

export interface MxHost {
  exchange: string;
  priority: number;
}

export interface HostProbe {
  /** What the user asked for. */
  target: string;
  /** The host whose ports were probed: the target, or its first MX host. */
  host: string;
  /**
   * Set when the target's MX hosts were looked up instead of probing the name itself. `implicit`:
   * the name has no MX records, so — RFC 5321 §5.1's implicit MX — its own address was probed.
   */
  mx: { hosts: MxHost[]; reason: 'no-address' | 'forced'; implicit?: boolean } | null;
  addresses: string[];
  /** ISO 8601. */
  checkedAt: string;
  durationMs: number;
  ports: PortProbe[];
  /** The resolve failure when nothing could be dialled. */
  resolveFailure: ProbeFailure | null;
}

export interface ProbeLimits {
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  /** Every reply after the greeting (EHLO, STARTTLS, QUIT) and the TLS handshake. */
  replyTimeoutMs: number;
  /** The whole port, retries included. */
  portDeadlineMs: number;
  /** A greeting slower than this is `slow-banner` even though it came. */
  slowBannerMs: number;
  /**
   * A STARTTLS-mode port that has sent not one byte this long after connecting is also tried with
   * implicit TLS, in parallel, instead of only after the whole greeting timeout; a port that has
   * sent bytes but no complete line by then is judged on them (see probePort). 6 s: nmap's NULL
   * probe wait, longer than the greet pauses servers put before their first line.
   */
  otherModeAfterMs: number;
  maxLineBytes: number;
  maxReplyBytes: number;
  maxReplyLines: number;
}

export const DEFAULT_LIMITS: ProbeLimits = {
  connectTimeoutMs: 5_000,
  greetingTimeoutMs: 15_000,
  replyTimeoutMs: 10_000,
  portDeadlineMs: 45_000,
  slowBannerMs: 5_000,
  otherModeAfterMs: 6_000,
  maxLineBytes: 4_096,
  maxReplyBytes: 65_536,
  maxReplyLines: 200,
};

/** The target policy's answer for one resolved address (src/policy); the probe dials only allowed ones. */
export type AddressDecision = { allowed: true } | { allowed: false; reason: string };

/** Name resolution, injected so tests can point it at a local DNS server. */
export interface Resolver {
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
  resolveMx(host: string): Promise<MxHost[]>;
  /**
   * The system's own lookup (hosts file first), tried when neither A nor AAAA came back — so names
   * like `localhost` work. Optional: a resolver aimed at chosen DNS servers leaves it out.
   */
  lookup?(host: string): Promise<string[]>;
  /** Who is asked, for messages ("SERVFAIL from 127.0.0.1:5353"); absent for a hand-made resolver. */
  identity?: ResolverIdentity;
}

export interface ProbeHostOptions {
  ports: number[];
  limits?: Partial<ProbeLimits>;
  resolver?: Resolver;
  /** 'auto': use MX hosts when the name has no address of its own; 'force': always (`--mx`). */
  mx?: 'auto' | 'force' | 'off';
  /**
   * Checked for every address about to be dialled, before any connection; `host` is the name it
   * was resolved from (the MX host under --mx). May answer asynchronously (a fleet's rate limit).
   */
  checkAddress?: (address: string, host: string) => AddressDecision | Promise<AddressDecision>;
  /** Extra CA certificates (PEM) trusted for the chain check, on top of Node's store. */
  extraCa?: string[];
  /** Called as each port finishes, in completion order (live Slack and terminal updates). */
  onPort?: (port: PortProbe) => void;
  /** The clock used for certificate `daysLeft` and `checkedAt`. */
  now?: () => Date;
  /** Our EHLO name. */
  clientName?: string;
  /** Ports that speak TLS from the first byte; every other port is probed with STARTTLS. Default 465, 2465. */
  implicitTlsPorts?: number[];
}

/** One port to probe at an address already resolved and vetted (see probePort). */
export interface PortProbeRequest {
  /** The vetted address to dial (IPv6 without brackets). */
  address: string;
  /** The name the user asked for: sent as SNI (unless it is an IP) and checked against the certificate. */
  host: string;
  port: number;
  mode: ProbeMode;
  clientName?: string;
  extraCa?: string[];
  now?: () => Date;
}

export type ProbeHost = (target: string, options: ProbeHostOptions) => Promise<HostProbe>;
