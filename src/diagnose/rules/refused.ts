import { describeFailure, failureElapsedMs, formatMs } from '../evidence.js';
import { isExpectedPort, undocumentedPortNote } from '../expectations.js';
import { finding, type PortRule } from '../rule.js';
import { classSeverity } from '../knowledge/port-classes.js';

export const refused: PortRule = {
  id: 'refused',
  check(port, scope) {
    if (port.class !== 'refused') return [];
    const how = port.failure ? ` ${describeFailure(port.failure)}` : '';
    const expected = isExpectedPort(port.port, scope.provider);
    const advice = [
      `Check that the server listens on ${port.port}, and that no firewall REJECTs it (a reset looks the same from outside).`,
    ];
    if (!expected && scope.provider) advice.unshift(undocumentedPortNote(port.port, scope.provider));
    return [
      finding(
        'refused',
        expected ? classSeverity('refused', scope.role) : 'info',
        port.port,
        `${port.port} refused the connection in ${formatMs(failureElapsedMs(port))}${how}: nothing listens there, or a firewall rejects it`,
        advice,
      ),
    ];
  },
};
