import { listPorts } from '../evidence.js';
import { finding, type HostRule } from '../rule.js';
import { PORT_CLASS_TABLE } from '../knowledge/port-classes.js';

/** The bot's own target policy (src/policy, README "Security"), reported once with the reason it gave. */
export const deniedByPolicy: HostRule = {
  id: 'denied-by-policy',
  check(probe) {
    const denied = probe.ports.filter((port) => port.class === 'denied-by-policy');
    const hostWide = probe.resolveFailure?.kind === 'policy' ? probe.resolveFailure : null;
    if (denied.length === 0 && !hostWide) return [];
    const reason = hostWide?.message ?? denied[0]?.failure?.message ?? null;
    const what =
      hostWide || denied.length === probe.ports.length
        ? probe.host
        : `${probe.host} on ${listPorts(denied.map((port) => port.port))}`;
    return [
      finding(
        'denied-by-policy',
        PORT_CLASS_TABLE['denied-by-policy'].severity,
        null,
        `this bot is not allowed to probe ${what}${reason ? `: ${reason}` : ''}`,
        [
          'Private, loopback and metadata addresses and unlisted ports are refused on purpose; an admin can open chosen ranges with ALLOW_TARGETS.',
        ],
      ),
    ];
  },
};
