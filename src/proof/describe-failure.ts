import { cleanText as cleanServerText } from '../text/sanitize.js';
import { scrub } from './secrets.js';

/**
 * Turns a nodemailer error into a stable kind and a short reason a person can act on. nodemailer
 * reports TLS and certificate failures as ESOCKET with the OpenSSL/Node code in `originalCode`
 * (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_WRONG_VERSION_NUMBER, …), timeouts as
 * ETIMEDOUT with `timeoutType`, and server refusals with `response`/`responseCode`.
 */

export const FAILURE_KINDS = [
  'certificate-expired',
  'certificate-not-yet-valid',
  'certificate-self-signed',
  'certificate-untrusted',
  'certificate-wrong-name',
  'certificate-check-disabled',
  'tls-mode-mismatch',
  'starttls-unavailable',
  'connection-refused',
  'timed-out',
  'dns',
  'connection-closed',
  'server-refused',
  'other',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface Failure {
  kind: FailureKind;
  /** One short sentence: what went wrong, in the user's terms. */
  reason: string;
  /** The server's reply, when there was one (hostile text: the renderer escapes it). */
  reply?: string;
  /** Names on the certificate, for `certificate-wrong-name`. */
  certificateNames?: string[];
  /** nodemailer's code and the underlying one, for the curious and for JSON. */
  code?: string;
  originalCode?: string;
}

/** What the caller already knows about the certificate (from the probe), to say when it expired. */
export interface KnownCertificate {
  /** ISO 8601 (the probe's CertificateFacts.validTo). */
  validTo?: string;
  subjectAltNames?: string[];
}

export interface FailureContext {
  host: string;
  port: number;
  secure: boolean;
  /** The name the certificate was checked against (tls.servername, else host). */
  checkedName: string;
  certificate?: KnownCertificate;
  secretForms?: readonly string[];
  /**
   * How the session redacts a text of its own (the transcript collector's `redact`), used instead
   * of scrubbing for `secretForms`: it also hides a short password the server echoed in its answer
   * to AUTH, which a blind scrub must leave alone.
   */
  redact?: (text: string) => string;
}

interface NodemailerErrorLike {
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  response?: unknown;
  responseCode?: unknown;
  timeoutType?: unknown;
  reason?: unknown;
  cert?: { subjectaltname?: unknown };
}

const MAX_TEXT = 400;

/**
 * Server text is kept as data: secrets scrubbed, then cleaned as all server text is (control,
 * bidi and escape sequences removed, newlines kept, tabs as spaces) and cut to a size.
 */
export function cleanText(text: string, secretForms: readonly string[] = []): string {
  return cleanServerText(scrub(text, secretForms).replace(/\t/g, ' '), MAX_TEXT + 1).trim();
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function dateOnly(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}

function altNamesFrom(error: NodemailerErrorLike, known?: KnownCertificate): string[] {
  const fromCert = str(error.cert?.subjectaltname);
  const fromReason = str(error.reason) ?? str(error.message);
  const source = fromCert ?? /altnames: (.*)$/.exec(fromReason ?? '')?.[1];
  if (source) {
    return source
      .split(/,\s*/)
      .map((entry) => entry.replace(/^(?:DNS|IP Address):/, '').trim())
      .filter((entry) => entry.length > 0);
  }
  return known?.subjectAltNames ?? [];
}

const WRONG_PROTOCOL =
  /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i;

/** Classifies a nodemailer error; `context` says what was attempted, for the wording. */
export function describeFailure(error: unknown, context: FailureContext): Failure {
  const e = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as NodemailerErrorLike;
  const forms = context.secretForms ?? [];
  const { redact } = context;
  const clean = (text: string) => (redact ? cleanText(redact(text)) : cleanText(text, forms));
  const code = str(e.code);
  const originalCode = str(e.originalCode);
  const message = clean(str(e.message) ?? 'unknown error');
  const response = str(e.response) ? clean(e.response as string) : undefined;
  const base = {
    ...(code ? { code } : {}),
    ...(originalCode ? { originalCode } : {}),
    ...(response ? { reply: response } : {}),
  };
  const where = `${context.host}:${context.port}`;

  switch (originalCode) {
    case 'CERT_HAS_EXPIRED': {
      const on = dateOnly(context.certificate?.validTo);
      return {
        kind: 'certificate-expired',
        reason: on ? `its certificate expired on ${on}` : 'its certificate has expired',
        ...base,
      };
    }
    case 'CERT_NOT_YET_VALID':
      return {
        kind: 'certificate-not-yet-valid',
        reason: 'its certificate is not valid yet (check the server clock or the certificate dates)',
        ...base,
      };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return {
        kind: 'certificate-self-signed',
        reason: 'its certificate is self-signed: no client trusts it by default',
        ...base,
      };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        kind: 'certificate-untrusted',
        reason:
          'its certificate does not lead to a trusted authority: the server may not send the full chain',
        ...base,
      };
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = altNamesFrom(e, context.certificate);
      return {
        kind: 'certificate-wrong-name',
        reason: `its certificate is for ${names.length > 0 ? names.join(', ') : 'another name'}, not ${context.checkedName}`,
        certificateNames: names,
        ...base,
      };
    }
    default:
      break;
  }
  if (originalCode === 'ERR_SSL_WRONG_VERSION_NUMBER' || (context.secure && WRONG_PROTOCOL.test(message))) {
    return {
      kind: 'tls-mode-mismatch',
      reason: `port ${context.port} answered a TLS hello in plain text: it expects STARTTLS (secure: false, requireTLS: true), not TLS from the first byte`,
      ...base,
    };
  }
  if (originalCode === 'ECONNREFUSED')
    return { kind: 'connection-refused', reason: `connection to ${where} refused`, ...base };
  if (code === 'EDNS' || originalCode === 'ENOTFOUND' || originalCode === 'EAI_AGAIN') {
    return { kind: 'dns', reason: `${context.host} could not be resolved`, ...base };
  }
  if (code === 'ETIMEDOUT' || originalCode === 'ETIMEDOUT') {
    if (e.timeoutType === 'GREETING_TIMEOUT' && !context.secure) {
      return {
        kind: 'timed-out',
        reason: `no greeting from ${where} in time: if the port speaks TLS from the first byte (like 465), use secure: true`,
        ...base,
      };
    }
    return { kind: 'timed-out', reason: `${where} did not answer in time`, ...base };
  }
  if (code === 'ETLS') {
    return {
      kind: 'starttls-unavailable',
      reason: response
        ? `the server did not upgrade to TLS (STARTTLS answered "${response}")`
        : `the TLS upgrade failed: ${message}`,
      ...base,
    };
  }
  if (originalCode === 'ECONNRESET' || code === 'ECONNECTION' || /closed/i.test(message)) {
    return { kind: 'connection-closed', reason: `${where} closed the connection`, ...base };
  }
  if (response) return { kind: 'server-refused', reason: `the server answered "${response}"`, ...base };
  return { kind: 'other', reason: message.split('\n')[0]!, ...base };
}
