import { greetingLine, isIpAddress, quote } from '../evidence.js';
import { finding, type PortRule } from '../rule.js';

const HOST_NAME = /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
// Second-level labels under which registries sell names (example.co.uk), for the heuristic below.
const PUBLIC_SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'ac', 'gov', 'edu', 'ne', 'or', 'go']);

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * The registrable domain, approximately (no public-suffix list in a pure module): big providers
 * greet with a machine name (BN0PR04CA0123.outlook.office365.com for smtp.office365.com), which
 * is fine as long as it sits in the same organisation's domain.
 */
export function organizationalDomain(name: string): string {
  const labels = normalise(name).split('.');
  const tld = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const take = tld.length === 2 && PUBLIC_SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.slice(-take).join('.');
}

/** The host name a greeting announces ("220 mx.example.com ESMTP"), or null when it names none. */
export function greetingHostName(greeting: string): string | null {
  const token = normalise(greeting.split(/\s+/)[0] ?? '');
  if (!HOST_NAME.test(token) || isIpAddress(token)) return null;
  // "ESMTP", "Microsoft.Exchange"-like words are not names; a name needs a letter-only TLD.
  if (!/\.[a-z]{2,63}$/.test(token)) return null;
  return token;
}

export const bannerNameMismatch: PortRule = {
  id: 'banner-name-mismatch',
  check(port, scope) {
    // The class findings already say that someone else answers (or something else entirely).
    if (port.class === 'intercepted' || port.class === 'not-smtp') return [];
    const probe = scope.probe;
    // An IP target gives nothing to compare with: any name in the greeting is plausible.
    if (isIpAddress(probe.host) || isIpAddress(probe.target)) return [];
    const banner = greetingLine(port);
    const named = banner ? greetingHostName(banner) : null;
    if (!banner || !named) return [];
    const expected = [probe.target, probe.host, ...(probe.mx?.hosts.map((mx) => mx.exchange) ?? [])].map(
      normalise,
    );
    const domains = new Set(expected.map(organizationalDomain));
    if (expected.includes(named) || domains.has(organizationalDomain(named))) return [];
    // On 25 a foreign name is the mark of a transparent proxy; on submission ports it is usually
    // a hosting provider's machine name.
    const relay = scope.role === 'relay';
    return [
      finding(
        'banner-name-mismatch',
        relay ? 'warning' : 'info',
        port.port,
        `the greeting on ${port.port} names ${named} (${quote(banner)}), not ${probe.host}`,
        [
          relay
            ? 'If other ports greet with the right name, something on this network may answer 25 in its place (transparent proxy): compare with 587/465.'
            : `Usually harmless (the server is hosted elsewhere), but check that ${probe.host} really points at the server you expect.`,
        ],
      ),
    ];
  },
};
