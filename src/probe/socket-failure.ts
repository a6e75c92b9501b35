import type { ProbeFailure } from './types.js';

/** TLS alert numbers (RFC 8446 §6) by the name OpenSSL puts in its error codes. */
const ALERTS: Record<string, number> = {
  UNEXPECTED_MESSAGE: 10,
  BAD_RECORD_MAC: 20,
  RECORD_OVERFLOW: 22,
  HANDSHAKE_FAILURE: 40,
  BAD_CERTIFICATE: 42,
  UNSUPPORTED_CERTIFICATE: 43,
  CERTIFICATE_REVOKED: 44,
  CERTIFICATE_EXPIRED: 45,
  CERTIFICATE_UNKNOWN: 46,
  ILLEGAL_PARAMETER: 47,
  UNKNOWN_CA: 48,
  ACCESS_DENIED: 49,
  DECODE_ERROR: 50,
  DECRYPT_ERROR: 51,
  PROTOCOL_VERSION: 70,
  INSUFFICIENT_SECURITY: 71,
  INTERNAL_ERROR: 80,
  INAPPROPRIATE_FALLBACK: 86,
  USER_CANCELLED: 90,
  MISSING_EXTENSION: 109,
  UNSUPPORTED_EXTENSION: 110,
  UNRECOGNIZED_NAME: 112,
  BAD_CERTIFICATE_STATUS_RESPONSE: 113,
  UNKNOWN_PSK_IDENTITY: 115,
  CERTIFICATE_REQUIRED: 116,
  NO_APPLICATION_PROTOCOL: 120,
};

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/**
 * The TLS alert a peer sent, from OpenSSL's message ("… SSL alert number 40") or from Node's code
 * (`ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE`, `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`).
 */
export function tlsAlertNumber(error: { code?: string; message?: string }): number | null {
  const fromMessage = /SSL alert number (\d+)/.exec(error.message ?? '');
  if (fromMessage) return Number(fromMessage[1]);
  const fromCode = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(\w+)$/.exec(error.code ?? '');
  return fromCode ? (ALERTS[fromCode[1]!] ?? null) : null;
}

/** Whether OpenSSL choked on a reply that was not TLS at all (a plain-text server answering a hello). */
export function isPlaintextAnswer(failure: Pick<ProbeFailure, 'code' | 'message' | 'firstBytes'>): boolean {
  return (
    failure.firstBytes !== undefined ||
    failure.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    failure.code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    /wrong version number|packet length too long|unknown protocol/i.test(failure.message)
  );
}

/** A socket or TLS error as a failure value (the caller adds the stage). */
export function socketFailure(error: Error & { code?: string }): Omit<ProbeFailure, 'stage'> {
  const code = error.code;
  const alert = tlsAlertNumber(error);
  if (alert !== null) {
    return { kind: 'tls-alert', code: code ?? 'ERR_SSL_ALERT', tlsAlert: alert, message: error.message };
  }
  if (code === 'ECONNREFUSED') return { kind: 'refused', code, message: error.message };
  if (code && UNREACHABLE.has(code)) return { kind: 'unreachable', code, message: error.message };
  if (code === 'ETIMEDOUT') return { kind: 'timeout', code, message: error.message };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { kind: 'reset', code, message: error.message };
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS')) {
    return { kind: 'tls-error', code, message: error.message };
  }
  return code ? { kind: 'other', code, message: error.message } : { kind: 'other', message: error.message };
}
