import { describeFailure } from '../evidence.js';
import { egressExplains } from '../expectations.js';
import { finding, type HostRule } from '../rule.js';
import { assessPort } from '../usability.js';

export const noUsablePort: HostRule = {
  id: 'no-usable-port',
  check(probe, scope) {
    if (scope.ports.some((port) => port.usable)) return [];
    let why: string;
    if (scope.ports.length === 0) {
      why = probe.resolveFailure
        ? `nothing could be probed (${probe.resolveFailure.message}, ${describeFailure(probe.resolveFailure)})`
        : 'no port was probed';
    } else {
      why = scope.ports
        .map((port) => {
          if (egressExplains(port, scope.egressCanary)) return `${port.port} blocked by this network`;
          return `${port.port} ${assessPort(port, port.role, scope.now).reason}`;
        })
        .join(', ');
    }
    return [
      finding('no-usable-port', 'critical', null, `no port of ${probe.host} is usable from here: ${why}`, [
        'Start with the most severe finding of each port; to tell the network from the server, run the check from another network.',
      ]),
    ];
  },
};
