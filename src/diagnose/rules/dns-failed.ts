import type { ProbeFailure } from '../../probe/types.js';
import { finding, type HostRule } from '../rule.js';
import { PORT_CLASS_TABLE } from '../knowledge/port-classes.js';

/** A word for the shell: left bare when it is safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9._:@%+=,/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `dig @127.0.0.1 -p 5353 example.com MX`, aimed at the resolver the probe asked. */
function digCommand(failure: ProbeFailure, host: string): string {
  const [name = host, type = 'A'] = (failure.query ?? `${host} A`).split(' ');
  const words = ['dig'];
  const server = failure.resolver && !failure.resolver.system ? failure.resolver.servers[0] : undefined;
  if (server) {
    const match = /^\[(.+)\]:(\d+)$/.exec(server) ?? /^([^:]+):(\d+)$/.exec(server);
    const address = match ? match[1]! : server;
    words.push(`@${address}`);
    if (match && match[2] !== '53') words.push('-p', match[2]!);
  }
  words.push(name, type);
  return words.map(shellWord).join(' ');
}

/** What to do, by what the resolver said. */
function adviceFor(failure: ProbeFailure, host: string): string[] {
  const dig = `\`${digCommand(failure, host)}\``;
  switch (failure.code) {
    case 'ENOTFOUND':
    case 'ENONAME':
      return [`Check the spelling of ${host}: the name does not exist. ${dig} shows the same answer.`];
    case 'ENODATA':
      return [
        `The name exists but has no record of the kind needed: add its A/AAAA (or MX) records, or check the name. ${dig} shows the answer.`,
      ];
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
      return [
        `The resolver did not answer, so nothing is known about ${host} yet: check that the DNS servers set in DNS_SERVERS (or the system's) are reachable, then retry. ${dig} asks the same server.`,
      ];
    case 'ESERVFAIL':
      return [
        `The resolver could not get an answer from the name servers of ${host}'s domain (broken delegation, or a DNSSEC failure): ${dig} shows it; \`dig +cd\` with the same arguments tells a DNSSEC failure apart.`,
      ];
    case 'EREFUSED':
      return [
        `The resolver refused to answer this client: set DNS_SERVERS to a resolver that serves it, or ask whoever runs that resolver. ${dig} shows the refusal.`,
      ];
    default:
      return [`Check the name and the resolver: ${dig}.`];
  }
}

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
    if (!failure) {
      return [
        finding(
          'dns-failed',
          PORT_CLASS_TABLE['dns-failed'].severity,
          null,
          `${probe.host} did not resolve`,
          [
            `Check the spelling of ${probe.host} and its DNS records: \`${digCommand({ stage: 'resolve', kind: 'dns', message: '' }, probe.host)}\`.`,
          ],
        ),
      ];
    }
    return [
      finding(
        'dns-failed',
        PORT_CLASS_TABLE['dns-failed'].severity,
        null,
        failure.message,
        adviceFor(failure, probe.host),
      ),
    ];
  },
};
