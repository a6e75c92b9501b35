import { port25BlockerNames } from '../knowledge/clouds.js';
import { classSeverity, PORT_CLASS_TABLE } from '../knowledge/port-classes.js';
import type { HostProbe, PortProbe } from '../../probe/types.js';
import { describePortClass } from '../describe-port-class.js';
import { failureElapsedMs, formatMs, listWords, siblingContrast } from '../evidence.js';
import {
  canaryEndpoint,
  egressExplains,
  egressOpen,
  isExpectedPort,
  undocumentedPortNote,
} from '../expectations.js';
import { finding, type PortRule, type PortRuleScope } from '../rule.js';
import type { Finding } from '../types.js';

/**
 * A port filtered at some of the host's addresses and not at others ("25 is filtered on 2 of 3
 * addresses of smtp.example.com"): clients that land on a silent address fail while others work,
 * exactly the intermittent fault a per-host verdict hides.
 */
function addressSplit(port: PortProbe, scope: PortRuleScope): Finding[] {
  const attempts = port.attempts ?? [];
  const silent = attempts.filter((attempt) => attempt.class === 'filtered');
  const answered = attempts.filter((attempt) => attempt.class !== 'filtered');
  if (silent.length === 0 || answered.length === 0) return [];
  const host = scope.probe.host;
  const others = answered.map((attempt) => `${attempt.address} (${describePortClass(attempt.class)})`);
  const expected = isExpectedPort(port.port, scope.provider);
  return [
    finding(
      'filtered',
      expected ? classSeverity('filtered', scope.role) : 'info',
      port.port,
      `${port.port} is filtered on ${silent.length} of ${attempts.length} addresses of ${host} (${listWords(silent.map((attempt) => attempt.address))}: no answer after ${formatMs(Math.max(...silent.map((attempt) => attempt.ms)))}), while ${listWords(others)} answered`,
      [
        `Clients that connect to ${silent.length === 1 ? 'that address' : 'those addresses'} get no answer on ${port.port} while the others work: check the firewall, security group or load balancer in front of ${listWords(silent.map((attempt) => attempt.address))}, or remove ${silent.length === 1 ? 'that address' : 'those addresses'} from the DNS records of ${host}.`,
      ],
    ),
  ];
}

const SUBMISSION_CHOICES = [
  { port: 587, label: '587 (STARTTLS)' },
  { port: 465, label: '465 (implicit TLS)' },
] as const;

/** The way around a blocked 25, true to what was probed: ports that answered, or ones not tried. */
function submissionWayOut(probe: HostProbe): string {
  const probed = (port: number) => probe.ports.find((other) => other.port === port);
  const answered = SUBMISSION_CHOICES.filter((choice) => {
    const port = probed(choice.port);
    return port !== undefined && PORT_CLASS_TABLE[port.class].group === 'usable';
  });
  if (answered.length > 0) {
    return `submit through ${answered.map((choice) => choice.label).join(' or ')} instead, which answered here`;
  }
  const untried = SUBMISSION_CHOICES.filter((choice) => probed(choice.port) === undefined);
  if (untried.length > 0) {
    return `submit through ${untried.map((choice) => choice.label).join(' or ')} instead (not probed here: check ${untried.length === 1 ? 'it' : 'them'} first)`;
  }
  return 'the usual way out is 587 (STARTTLS) or 465 (implicit TLS), but neither works from here either: fix one of them (see its findings) or ask whoever runs this network to lift the block';
}

export const filtered: PortRule = {
  id: 'filtered',
  check(port, scope) {
    const split = addressSplit(port, scope);
    if (split.length > 0) return split;
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
        `Many networks block outbound 25 (${port25BlockerNames()}): ${submissionWayOut(scope.probe)}.`,
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
        expected ? classSeverity('filtered', scope.role) : 'info',
        port.port,
        `no answer on ${port.port} after ${waited}${contrast}: ${cause}`,
        advice,
      ),
    ];
  },
};
