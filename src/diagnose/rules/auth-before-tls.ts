import { finding, type PortRule } from '../rule.js';

export const authBeforeTls: PortRule = {
  id: 'auth-before-tls',
  check(port, scope) {
    if (port.auth.beforeTls.length === 0) return [];
    // Without any TLS session a client has no safe way to log in at all.
    const noTls = port.tls === null;
    return [
      finding(
        'auth-before-tls',
        scope.role === 'submission' && noTls ? 'critical' : 'warning',
        port.port,
        `${port.port} offers AUTH ${port.auth.beforeTls.join(' ')} before TLS${noTls ? ', and no TLS session was possible' : ''}: passwords can be sent in clear`,
        [
          'Offer AUTH only inside TLS (Postfix: smtpd_tls_auth_only = yes; Exim: advertise AUTH only when $tls_in_cipher is set).',
          'Configure clients to require TLS (nodemailer requireTLS: true) so they never log in over plain text.',
        ],
      ),
    ];
  },
};
