import { certificateDaysLeft, isCertificateExpired } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

export const certExpired: PortRule = {
  id: 'cert-expired',
  check(port, scope) {
    const certificate = port.certificate;
    if (!certificate || !isCertificateExpired(certificate, scope.now)) return [];
    const days = -certificateDaysLeft(certificate, scope.now);
    const ago = days <= 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`;
    return [
      finding(
        'cert-expired',
        severityForRole(scope.role, 'critical'),
        port.port,
        `the certificate on ${port.port} (${certificate.subject}) expired on ${certificate.validTo.slice(0, 10)}, ${ago}`,
        [
          `Renew the certificate of ${scope.probe.host} and reload the mail server; clients that verify certificates refuse ${port.port} until then.`,
          'Do not switch certificate verification off in clients to get around it.',
        ],
      ),
    ];
  },
};
