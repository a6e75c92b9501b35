import { certificateDaysLeft, isCertificateExpired } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

import { CERT_CRITICAL_DAYS, CERT_EXPIRING_DAYS } from '../knowledge/certificates.js';

export const certExpiring: PortRule = {
  id: 'cert-expiring',
  check(port, scope) {
    const certificate = port.certificate;
    if (!certificate || isCertificateExpired(certificate, scope.now)) return [];
    const daysLeft = certificateDaysLeft(certificate, scope.now);
    // An unreadable date says nothing about expiry; cert-untrusted reports the broken field.
    if (!Number.isFinite(daysLeft) || daysLeft >= CERT_EXPIRING_DAYS) return [];
    const severity = daysLeft < CERT_CRITICAL_DAYS ? 'critical' : 'warning';
    return [
      finding(
        'cert-expiring',
        severityForRole(scope.role, severity),
        port.port,
        `the certificate on ${port.port} (${certificate.subject}) expires on ${certificate.validTo.slice(0, 10)}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`,
        [
          `Renew the certificate of ${scope.probe.host} now; if renewal is automated (ACME), check why it has not run.`,
        ],
      ),
    ];
  },
};
