import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

export const plaintextOnImplicitTlsPort: PortRule = {
  id: 'plaintext-on-implicit-tls-port',
  check(port, scope) {
    if (port.class !== 'plaintext-on-implicit-tls-port') return [];
    // With a STARTTLS upgrade the port still works, just not the way clients configure 465.
    const upgraded = port.tls !== null;
    return [
      finding(
        'plaintext-on-implicit-tls-port',
        upgraded ? 'warning' : classSeverity('plaintext-on-implicit-tls-port', scope.role),
        port.port,
        `${port.port} speaks plain SMTP where implicit TLS is expected${upgraded ? ', and upgrades with STARTTLS' : ', with no TLS at all'}`,
        [
          upgraded
            ? `Configure ${port.port} as STARTTLS (nodemailer secure: false, requireTLS: true), or have the server speak TLS from the first byte there.`
            : `Do not send credentials to ${port.port}: have the server speak TLS from the first byte there (RFC 8314), or use 587 with STARTTLS.`,
        ],
      ),
    ];
  },
};
