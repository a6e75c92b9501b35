import { describeStage } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

export const oversizedResponse: PortRule = {
  id: 'oversized-response',
  check(port, scope) {
    if (port.class !== 'oversized-response') return [];
    const where = port.failure ? ` at ${describeStage(port.failure.stage)}` : '';
    return [
      finding(
        'oversized-response',
        classSeverity('oversized-response', scope.role),
        port.port,
        `${port.port} sent a reply beyond sane limits${where} (RFC 5321 caps a line at 512 octets); reading stopped at the cap`,
        [
          `Whatever answers on ${port.port} is misbehaving or not a mail server: check the service behind it.`,
        ],
      ),
    ];
  },
};
