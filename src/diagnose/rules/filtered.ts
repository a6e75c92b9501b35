import { port25BlockerNames } from '../knowledge/clouds.js';
import { failureElapsedMs, formatMs, siblingContrast } from '../evidence.js';
import {
  canaryEndpoint,
  egressExplains,
  egressOpen,
  isExpectedPort,
  undocumentedPortNote,
} from '../expectations.js';
import { finding, type PortRule } from '../rule.js';

export const filtered: PortRule = {
  id: 'filtered',
  check(port, scope) {
    if (port.class !== 'filtered') return [];
    const waited = formatMs(failureElapsedMs(port));
    const canary = scope.egressCanary;
    if (canary && egressExplains(port, canary)) {
      return [
        finding(
          'filtered',
          'info',
          port.port,
          `no answer on ${port.port} after ${waited}, and the egress canary ${canaryEndpoint(canary)} got no answer either: this network blocks outbound ${port.port}, not ${scope.probe.host}`,
          [
            `Send through a port this network lets out (see the recommendation), or ask whoever runs this network to open outbound ${port.port}.`,
          ],
        ),
      ];
    }
    const contrast = siblingContrast(port, scope.probe);
    // The canary reached the same port elsewhere: this network lets it out, so blaming the
    // network (or an ISP or cloud block) would send the reader the wrong way.
    const letOut = canary && egressOpen(port, canary) ? canary : null;
    const canaryMs = letOut?.port.timings.connect;
    const cause = letOut
      ? `the egress canary ${canaryEndpoint(letOut)} answered on ${port.port}${canaryMs === undefined ? '' : ` in ${formatMs(canaryMs)}`}, so this network lets ${port.port} out: ${scope.probe.host} or a firewall in front of it drops the packets`
      : contrast
        ? 'packets to this port are dropped on the way (firewall DROP, or an ISP or cloud blocking it)'
        : 'no other port answered either: the host may be down, or everything is dropped on the way';
    const advice: string[] = [];
    if (scope.role === 'relay' && !letOut) {
      advice.push(
        `Many networks block outbound 25 (${port25BlockerNames()}): submit through 587 (STARTTLS) or 465 (implicit TLS) instead.`,
      );
    }
    advice.push(
      `Check the outbound firewall rules of the network you send from, and the inbound rules (security group, firewall) of ${scope.probe.host} for port ${port.port}.`,
    );
    const expected = isExpectedPort(port.port, scope.provider);
    if (!expected && scope.provider) advice.unshift(undocumentedPortNote(port.port, scope.provider));
    return [
      finding(
        'filtered',
        expected ? 'warning' : 'info',
        port.port,
        `no answer on ${port.port} after ${waited}${contrast}: ${cause}`,
        advice,
      ),
    ];
  },
};
