import { certificateDaysLeft, isCertificateExpired } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

/** Under 21 days renewal is overdue for automated CAs (they renew at 30); under 7 it is urgent. */
export const EXPIRING_WARNING_DAYS = 21;
export const EXPIRING_CRITICAL_DAYS = 7;

export const certExpiring: PortRule = {
  id: 'cert-expiring',
  check(port, scope) {
    const certificate = port.certificate;
    if (!certificate || isCertificateExpired(certificate, scope.now)) return [];
    const daysLeft = certificateDaysLeft(certificate, scope.now);
    // An unreadable date says nothing about expiry; cert-untrusted reports the broken field.
    if (!Number.isFinite(daysLeft) || daysLeft >= EXPIRING_WARNING_DAYS) return [];
    const severity = daysLeft < EXPIRING_CRITICAL_DAYS ? 'critical' : 'warning';
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
