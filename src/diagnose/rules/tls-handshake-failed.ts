import { describeFailure, describeTlsAlert } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

// What an alert usually means at an SMTP server, so the advice can point at the setting.
const ALERT_ADVICE: Record<number, string> = {
  40: 'No protocol version or cipher in common: the server may only offer TLS 1.0/1.1 or old ciphers, which Node refuses; ask its admin to enable TLS 1.2+.',
  70: 'The server refuses the TLS version offered: enable TLS 1.2 or 1.3 on it.',
  112: 'The server has no certificate for the name sent in SNI: use the host name its certificate is issued for.',
};

export const tlsHandshakeFailed: PortRule = {
  id: 'tls-handshake-failed',
  check(port, scope) {
    if (port.class !== 'tls-handshake-failed') return [];
    const failure = port.failure;
    const alert = failure?.tlsAlert;
    const how = failure ? ` ${describeFailure(failure)}` : '';
    const advice: string[] = [];
    if (alert !== undefined) {
      advice.push(ALERT_ADVICE[alert] ?? `The server ended the handshake with ${describeTlsAlert(alert)}.`);
    }
    if (failure?.code?.includes('WRONG_VERSION_NUMBER')) {
      advice.push(
        `A "wrong version number" means plain text answered the TLS hello: ${port.port} may expect STARTTLS (secure: false) rather than implicit TLS.`,
      );
    }
    advice.push(
      "Check the server's TLS settings (protocols, ciphers, certificate) and its logs for the handshake.",
    );
    return [
      finding(
        'tls-handshake-failed',
        classSeverity('tls-handshake-failed', scope.role),
        port.port,
        `the TLS handshake on ${port.port} failed${how}`,
        advice,
      ),
    ];
  },
};
