import { isIP } from 'node:net';
import type { CertificateFacts, PortClass, PortProbe } from './types.js';

/** The facts the interception check needs from a port. */
export type PortIdentity = Pick<PortProbe, 'port' | 'class' | 'greeting'> & {
  certificate: Pick<CertificateFacts, 'subject' | 'subjectAltNames'> | null;
};

// Only a port whose SMTP session worked can be somebody else's server; a failure class says more.
const SPEAKING: ReadonlySet<PortClass> = new Set([
  'open-starttls',
  'open-implicit-tls',
  'no-starttls',
  'slow-banner',
  'implicit-tls-on-starttls-port',
  'plaintext-on-implicit-tls-port',
]);

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))+$/;
// Second-level labels under which registries sell names (example.co.uk): the "site" keeps one more label.
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'ne', 'or', 'go']);

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The host name a greeting announces (`220 mx.example.com ESMTP` → `mx.example.com`). */
export function bannerHostName(greeting: string | null): string | null {
  const first = greeting?.split('\n')[0] ?? '';
  const token = /^\d{3}[ -](\S+)/.exec(first)?.[1];
  if (!token) return null;
  const name = normalise(token);
  return HOST_NAME.test(name) && isIP(name) === 0 ? name : null;
}

/** The DNS names a certificate is for: subject CN and DNS subjectAltNames. */
export function certificateNames(certificate: PortIdentity['certificate']): string[] {
  if (!certificate) return [];
  const commonName = /(?:^|, )CN=([^,]+)/.exec(certificate.subject)?.[1];
  return [...(commonName ? [commonName] : []), ...certificate.subjectAltNames]
    .map(normalise)
    .filter((name) => isIP(name) === 0 && name.length > 0);
}

/** The registrable part of a name, approximately (no public-suffix list): `mx1.example.co.uk` → `example.co.uk`. */
function site(name: string): string {
  const labels = name.replace(/^\*\./, '').split('.');
  const keep = labels.length >= 3 && SECOND_LEVEL.has(labels.at(-2)!) && labels.at(-1)!.length === 2 ? 3 : 2;
  return labels.slice(-keep).join('.');
}

function related(a: string, b: string): boolean {
  return a === b || site(a) === site(b);
}

function agrees(names: string[], references: string[]): boolean {
  return names.some((name) => references.some((reference) => related(name, reference)));
}

/**
 * The ports answered by somebody other than the target: a transparent proxy (antivirus, ISP or
 * corporate interception) that takes over one port. A port is intercepted when its banner host name
 * (and its certificate, if any) name a different site than the target while another port of the
 * same host answers as the target — or, when no port names the target (an IP target, a CNAME to a
 * provider), while at least two other ports agree with each other and not with it.
 */
export function findInterceptedPorts(targets: string[], ports: PortIdentity[]): Set<number> {
  const references = targets.map(normalise).filter((name) => isIP(name) === 0 && name.length > 0);
  const identities = ports.map((port) => {
    const banner = bannerHostName(port.greeting);
    const certNames = certificateNames(port.certificate);
    return { port, banner, certNames, names: [...(banner ? [banner] : []), ...certNames] };
  });
  const witnesses = identities.filter((identity) => identity.names.length > 0);
  const onTarget = witnesses.filter((identity) => agrees(identity.names, references));
  const intercepted = new Set<number>();
  for (const candidate of identities) {
    if (!candidate.banner || !SPEAKING.has(candidate.port.class)) continue;
    if (agrees(candidate.names, references)) continue;
    const others = witnesses.filter((identity) => identity !== candidate);
    if (onTarget.some((identity) => identity !== candidate)) {
      intercepted.add(candidate.port.port);
      continue;
    }
    const [first, ...rest] = others;
    if (!first || rest.length === 0) continue;
    const consistent = rest.every((identity) => agrees(identity.names, first.names));
    if (consistent && !agrees(candidate.names, first.names)) intercepted.add(candidate.port.port);
  }
  return intercepted;
}
