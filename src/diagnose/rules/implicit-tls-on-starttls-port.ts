import { finding, type PortRule } from '../rule.js';
import { classSeverity } from '../knowledge/port-classes.js';

/** Usable, but only with the right client setting: the classic 465-vs-587 mix-up, the other way round. */
export const implicitTlsOnStarttlsPort: PortRule = {
  id: 'implicit-tls-on-starttls-port',
  check(port, scope) {
    if (port.class !== 'implicit-tls-on-starttls-port') return [];
    return [
      finding(
        'implicit-tls-on-starttls-port',
        classSeverity('implicit-tls-on-starttls-port', scope.role),
        port.port,
        `${port.port} speaks implicit TLS (TLS from the first byte), where clients expect plain SMTP with STARTTLS`,
        [
          `Configure ${port.port} as SSL/TLS (nodemailer secure: true), not STARTTLS; or have the server offer STARTTLS on ${port.port} and implicit TLS on 465.`,
        ],
      ),
    ];
  },
};
