import { isIP } from 'node:net';
import { type ConnectionOptions, createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { createTransport } from 'nodemailer';
import { type Failure, type KnownCertificate, cleanText, describeFailure } from './describe-failure.js';
import { nodemailerVersion } from './nodemailer-version.js';

/**
 * The proof behind a recommendation: the transport options exactly as the user will see them go to
 * nodemailer's `createTransport(options).verify()`, which connects, reads the greeting, sends EHLO,
 * upgrades with STARTTLS or speaks TLS from the first byte as the options say, and checks the
 * certificate as any default client would.
 *
 * Only two things are added on top of the shown options, and neither changes what is tested:
 * - timeouts (connectionTimeout, greetingTimeout, socketTimeout, dnsTimeout), because nodemailer's
 *   defaults are minutes long; a timeout the shown options set themselves wins (a slow-banner host
 *   is shown a longer greetingTimeout, and verified with it);
 * - the password is withheld: a shown `auth` block keeps its user name and loses its `pass`, so
 *   nothing secret or made up is ever sent. A server that offers AUTH then makes nodemailer stop
 *   with its own "Missing credentials" (EAUTH) after EHLO: connection, TLS and EHLO worked, and that
 *   is what a transport check proves. A 530/535 demand for authentication counts the same way.
 */

export interface ShownTlsOptions
  extends Pick<ConnectionOptions, 'servername' | 'ca' | 'minVersion' | 'maxVersion' | 'ciphers'> {
  rejectUnauthorized?: boolean;
}

/** The options a user is shown (the nodemailer part of the recommended configuration). */
export interface ShownTransportOptions {
  host: string;
  port: number;
  secure: boolean;
  requireTLS?: boolean;
  tls?: ShownTlsOptions;
  auth?: { user?: string; pass?: string };
  greetingTimeout?: number;
  connectionTimeout?: number;
  socketTimeout?: number;
}

export interface ProofLimits {
  /** Budget for each phase nodemailer times (connect + TLS, greeting, inactivity). */
  timeoutMs: number;
}

export interface VerifyDeps {
  limits: ProofLimits;
  /**
   * The address the probe vetted and dialled. The session goes there instead of nodemailer resolving
   * the name again (which could reach another address), while SNI and the certificate check keep
   * the shown host name.
   */
  address?: string;
  /**
   * CA certificates this machine trusts on top of Node's store (the bot's extra CAs): a client
   * elsewhere trusts its own store, so the proof uses ours, the same one the probe judged with.
   */
  extraCa?: string[];
  /** What the probe learnt about the certificate, so an expiry can be dated. */
  certificate?: KnownCertificate;
}

export interface TransportVerification {
  by: 'nodemailer';
  /** nodemailer's version, from its package.json. */
  version: string;
  ok: boolean;
  /** The server reply that settled it, when one did (an AUTH demand, a refusal). */
  reply?: string;
  /** Short reason when not ok: "its certificate expired on 2026-10-01". */
  error?: string;
  /** The structured reason behind `error`. */
  failure?: Failure;
  /** True when ok because the server asked for credentials, which a transport check does not have. */
  authDemanded?: boolean;
}

/**
 * The same check with certificate verification switched off. Never a configuration: it only shows
 * whether the certificate is the ONLY thing a verifying client refuses.
 */
export interface CertificateDiagnostic {
  kind: 'diagnostic';
  label: string;
  /** True when everything but the certificate works: fix the certificate and the transport works. */
  certificateIsOnlyProblem: boolean;
  verification: TransportVerification;
}

const AUTH_DEMAND_CODES = new Set([530, 535]);

const contexts = new WeakMap<readonly string[], SecureContext>();

/** Node's CAs plus the extra ones, parsed once per list: parsing ~150 roots costs every connection otherwise. */
function trustingContext(extraCa: readonly string[]): SecureContext {
  let context = contexts.get(extraCa);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, ...extraCa] });
    contexts.set(extraCa, context);
  }
  return context;
}

/** The exact object handed to nodemailer: the shown options, the password withheld, timeouts added. */
/**
 * nodemailer's timeouts for one proof session: every stage bounded by the proof's timeout (its
 * defaults are minutes), and the socket closed at most a second after QUIT — a proof has no
 * reason to linger.
 */
export function sessionTimeouts(timeoutMs: number) {
  return {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    socketCloseTimeout: Math.min(timeoutMs, 1_000),
  };
}

export function optionsForVerification(
  shown: ShownTransportOptions,
  limits: ProofLimits,
  route: Pick<VerifyDeps, 'address' | 'extraCa'> = {},
): Record<string, unknown> {
  const { auth, ...rest } = shown;
  const { socketCloseTimeout, ...timeouts } = sessionTimeouts(limits.timeoutMs);
  const options: Record<string, unknown> = {
    ...timeouts,
    ...rest,
    logger: false,
    socketCloseTimeout,
  };
  if (auth) options.auth = { user: auth.user ?? 'user' };
  if (route.address !== undefined && route.address !== shown.host) {
    options.host = route.address;
    const servername = shown.tls?.servername ?? (isIP(shown.host) === 0 ? shown.host : undefined);
    options.tls = { ...shown.tls, ...(servername ? { servername } : {}) };
  }
  if (route.extraCa && route.extraCa.length > 0 && shown.tls?.ca === undefined) {
    options.tls = { ...(options.tls as object | undefined), secureContext: trustingContext(route.extraCa) };
  }
  return options;
}

function isAuthDemand(error: unknown): boolean {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return true;
  return typeof e.responseCode === 'number' && AUTH_DEMAND_CODES.has(e.responseCode);
}

async function runVerify(shown: ShownTransportOptions, deps: VerifyDeps): Promise<TransportVerification> {
  const version = nodemailerVersion();
  const checkedName = shown.tls?.servername ?? shown.host;
  const context = {
    host: shown.host,
    port: shown.port,
    secure: shown.secure,
    checkedName,
    certificate: deps.certificate,
  };
  const transport = createTransport(optionsForVerification(shown, deps.limits, deps));
  // verify() has no cancel; this bound only guarantees an answer if nodemailer's own timers never fire.
  const guardMs = deps.limits.timeoutMs * 4;
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<TransportVerification>((resolve) => {
    timer = setTimeout(() => {
      resolve({
        by: 'nodemailer',
        version,
        ok: false,
        error: `${shown.host}:${shown.port} did not finish in time`,
        failure: { kind: 'timed-out', reason: `${shown.host}:${shown.port} did not finish in time` },
      });
    }, guardMs);
  });
  const attempt = transport.verify().then(
    (): TransportVerification => ({ by: 'nodemailer', version, ok: true }),
    (error: unknown): TransportVerification => {
      const response = (error as { response?: unknown }).response;
      const reply = typeof response === 'string' ? cleanText(response) : undefined;
      if (isAuthDemand(error))
        return { by: 'nodemailer', version, ok: true, authDemanded: true, ...(reply ? { reply } : {}) };
      const failure = describeFailure(error, context);
      return {
        by: 'nodemailer',
        version,
        ok: false,
        error: failure.reason,
        failure,
        ...(reply ? { reply } : {}),
      };
    },
  );
  try {
    return await Promise.race([attempt, guard]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

/**
 * Verifies the shown configuration with nodemailer. Never throws for a network outcome; a
 * configuration that switches certificate checking off is refused without connecting, because it
 * proves nothing a user should copy.
 */
export async function verifyTransport(
  shown: ShownTransportOptions,
  deps: VerifyDeps,
): Promise<TransportVerification> {
  if (shown.tls?.rejectUnauthorized === false) {
    const reason =
      'certificate checking is switched off (rejectUnauthorized: false): not a configuration to recommend';
    return {
      by: 'nodemailer',
      version: nodemailerVersion(),
      ok: false,
      error: reason,
      failure: { kind: 'certificate-check-disabled', reason },
    };
  }
  return runVerify(shown, deps);
}

/**
 * The fix "use the name on the certificate": the same options with `tls.servername` set to a name
 * the certificate carries. The result is a real configuration (certificate checking stays on).
 */
export function withCertificateName(shown: ShownTransportOptions, name: string): ShownTransportOptions {
  return { ...shown, tls: { ...shown.tls, servername: name } };
}

/**
 * Verifies with certificate checking switched off, to show that the certificate is the only problem.
 * Labelled as a diagnostic; its options must never be shown as a configuration.
 */
export async function diagnoseWithoutCertificateCheck(
  shown: ShownTransportOptions,
  deps: VerifyDeps,
): Promise<CertificateDiagnostic> {
  const verification = await runVerify({ ...shown, tls: { ...shown.tls, rejectUnauthorized: false } }, deps);
  return {
    kind: 'diagnostic',
    label: 'Diagnostic only (certificate check switched off, not a configuration)',
    certificateIsOnlyProblem: verification.ok,
    verification,
  };
}
