import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

export const certSelfSigned: PortRule = {
  id: 'cert-self-signed',
  check(port, scope) {
    const certificate = port.certificate;
    if (!certificate?.selfSigned) return [];
    return [
      finding(
        'cert-self-signed',
        severityForRole(scope.role, 'critical'),
        port.port,
        `the certificate on ${port.port} (${certificate.subject}) is self-signed`,
        [
          `Install a certificate from a public CA (Let's Encrypt works for mail servers) on ${scope.probe.host}.`,
          scope.role === 'relay'
            ? 'Relay peers will still deliver over it (opportunistic TLS), but without authenticating the server.'
            : 'Clients refuse it unless verification is switched off, which would let anyone impersonate the server.',
        ],
      ),
    ];
  },
};
