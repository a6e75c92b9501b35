import { describeFailure } from '../evidence.js';
import { finding, type HostRule } from '../rule.js';

/** A name that does not resolve fails every port alike, so it is one host finding, not one per port. */
export const dnsFailed: HostRule = {
  id: 'dns-failed',
  check(probe) {
    const failure =
      (probe.resolveFailure?.kind === 'dns' ? probe.resolveFailure : null) ??
      probe.ports.find((port) => port.class === 'dns-failed')?.failure ??
      null;
    const anyPort = probe.ports.some((port) => port.class === 'dns-failed');
    if (!failure && !anyPort) return [];
    const how = failure ? ` (${describeFailure(failure).replace(/^at /, '')}: ${failure.message})` : '';
    return [
      finding('dns-failed', 'critical', null, `${probe.host} does not resolve${how}`, [
        `Check the spelling of ${probe.host} and that its A/AAAA (or MX) records exist: \`dig ${probe.host}\`.`,
        'If it resolves elsewhere, the DNS resolver of this network may be filtering or failing.',
      ]),
    ];
  },
};
