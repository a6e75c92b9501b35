import { describe, expect, test } from 'vitest';
import { isPlaintextAnswer, socketFailure, tlsAlertNumber } from '../../src/probe/socket-failure.js';

describe('TLS failures', () => {
  test.each([
    [{ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', message: 'x:SSL alert number 40' }, 40],
    [{ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'tlsv1 alert protocol version' }, 70],
    [
      {
        code: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME',
        message: 'ssl3_read_bytes:tlsv1 unrecognized name:SSL alert number 112',
      },
      112,
    ],
    [{ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: 'alert' }, 116],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, null],
  ])('%j → alert %s', (error, alert) => {
    expect(tlsAlertNumber(error)).toBe(alert);
  });

  test('maps errno to the raw failure kind', () => {
    const failure = (code: string) => socketFailure(Object.assign(new Error(code), { code })).kind;
    expect(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT'].map(failure)).toEqual([
      'refused',
      'unreachable',
      'unreachable',
      'reset',
      'timeout',
    ]);
  });

  test('recognises a plain-text answer to a TLS hello', () => {
    expect(isPlaintextAnswer({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: '' })).toBe(true);
    expect(isPlaintextAnswer({ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', message: 'alert 40' })).toBe(
      false,
    );
  });
});
