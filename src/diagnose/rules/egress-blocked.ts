import { failureElapsedMs, formatMs } from '../evidence.js';
import { canaryEndpoint, egressExplains } from '../expectations.js';
import { port25BlockerNames } from '../knowledge/clouds.js';
import { finding, type HostRule } from '../rule.js';

export const egressBlocked: HostRule = {
  id: 'egress-blocked',
  check(probe, scope) {
    const canary = scope.egressCanary;
    if (!canary) return [];
    const port = probe.ports.find((candidate) => egressExplains(candidate, canary));
    if (!port) return [];
    const number = port.port;
    const advice =
      number === 25
        ? [
            `Outbound 25 is blocked by many clouds and ISPs (${port25BlockerNames()}): submit through 587 (STARTTLS) or 465 (implicit TLS), or ask the network's owner to lift the block.`,
          ]
        : [`Ask whoever runs this network to allow outbound ${number}, or use another port.`];
    return [
      finding(
        'egress-blocked',
        'warning',
        null,
        `this network blocks outbound ${number}: the egress canary ${canaryEndpoint(canary)} got no answer after ${formatMs(failureElapsedMs(canary.port))}, like ${probe.host}:${number} after ${formatMs(failureElapsedMs(port))}`,
        advice,
      ),
    ];
  },
};
