import { formatMs } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

export const noBanner: PortRule = {
  id: 'no-banner',
  check(port, scope) {
    if (port.class !== 'no-banner') return [];
    const connected = port.timings.connect === undefined ? '' : ` in ${formatMs(port.timings.connect)}`;
    const waited = port.timings.greeting === undefined ? '' : ` after ${formatMs(port.timings.greeting)}`;
    return [
      finding(
        'no-banner',
        severityForRole(scope.role, 'critical'),
        port.port,
        `${port.port} accepted the connection${connected} but said nothing${waited}, with or without TLS`,
        [
          `Something listens on ${port.port} but does not speak SMTP first: check the mail server's logs and that no load balancer or proxy holds the connection.`,
        ],
      ),
    ];
  },
};
