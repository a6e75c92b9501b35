import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

export const noStarttls: PortRule = {
  id: 'no-starttls',
  check(port, scope) {
    if (port.class !== 'no-starttls') return [];
    const relay = scope.role === 'relay';
    return [
      finding(
        'no-starttls',
        classSeverity('no-starttls', scope.role),
        port.port,
        relay
          ? `${port.port} speaks plain SMTP without STARTTLS: mail to it crosses the network in clear`
          : `${port.port} speaks plain SMTP without STARTTLS: credentials and mail would cross the network in clear`,
        [
          `Ask the server's admin to enable STARTTLS on ${port.port} (a certificate and the TLS settings of the mail server).`,
          ...(relay ? [] : ['Do not authenticate on it until then; use a port with TLS.']),
        ],
      ),
    ];
  },
};
