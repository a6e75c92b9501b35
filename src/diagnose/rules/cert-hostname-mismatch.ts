import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

const MAX_NAMES = 5;

export const certHostnameMismatch: PortRule = {
  id: 'cert-hostname-mismatch',
  check(port, scope) {
    const certificate = port.certificate;
    if (!certificate || certificate.hostnameMatches) return [];
    const names =
      certificate.subjectAltNames.length > 0 ? certificate.subjectAltNames : [certificate.subject];
    const shown = names.slice(0, MAX_NAMES).join(', ') + (names.length > MAX_NAMES ? ', …' : '');
    return [
      finding(
        'cert-hostname-mismatch',
        severityForRole(scope.role, 'critical'),
        port.port,
        `the certificate on ${port.port} is for ${shown}, not ${scope.probe.host}`,
        [
          `Connect with a name the certificate covers (${names[0]}), or add ${scope.probe.host} to the certificate's names.`,
        ],
      ),
    ];
  },
};
