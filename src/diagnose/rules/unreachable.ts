import { describeFailure, failureElapsedMs, formatMs } from '../evidence.js';
import { isExpectedPort } from '../expectations.js';
import { finding, type PortRule } from '../rule.js';
import { classSeverity } from '../knowledge/port-classes.js';

export const unreachable: PortRule = {
  id: 'unreachable',
  check(port, scope) {
    if (port.class !== 'unreachable') return [];
    const how = port.failure ? ` ${describeFailure(port.failure)}` : '';
    return [
      finding(
        'unreachable',
        isExpectedPort(port.port, scope.provider) ? classSeverity('unreachable', scope.role) : 'info',
        port.port,
        `${port.address ?? scope.probe.host}:${port.port} is unreachable after ${formatMs(failureElapsedMs(port))}${how}: a router or firewall on the way answered that there is no route`,
        [
          'Check the routing and outbound firewall of the network you send from; an ICMP "unreachable" comes from a device on the way, not from the mail server.',
        ],
      ),
    ];
  },
};
