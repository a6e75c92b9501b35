import { isCertificateExpired } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

// These verification errors are already reported by their own findings (expired, hostname).
const EXPLAINED_ELSEWHERE = new Set(['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

export const certUntrusted: PortRule = {
  id: 'cert-untrusted',
  check(port, scope) {
    const certificate = port.certificate;
    // A self-signed leaf is its own finding; this one is about chains that lead nowhere trusted.
    if (!certificate || certificate.trusted || certificate.selfSigned) return [];
    const error = certificate.verifyError;
    if (error && EXPLAINED_ELSEWHERE.has(error)) return [];
    if (!error && isCertificateExpired(certificate, scope.now)) return [];
    return [
      finding(
        'cert-untrusted',
        severityForRole(scope.role, 'critical'),
        port.port,
        `the certificate on ${port.port} (${certificate.subject}, issued by ${certificate.issuer}) is not trusted${error ? `: ${error}` : ''}`,
        [
          error === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || error === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
            ? `The server does not send its intermediate certificate(s): configure the full chain on ${scope.probe.host}.`
            : `Use a certificate from a public CA on ${scope.probe.host}, or, for a private CA, add it to the clients (NODE_EXTRA_CA_CERTS for Node).`,
        ],
      ),
    ];
  },
};
