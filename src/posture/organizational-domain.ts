import { getDomain } from 'tldts';

/**
 * The organizational domain of a name by the public suffix list (RFC 7489 §3.2): the registered
 * domain, or the name itself when it is a public suffix or the list cannot place it. The list's
 * private section counts: `you.github.io` is its own organization, as OpenDMARC, which reads the
 * whole list, sees it.
 */
export function organizationalDomain(name: string): string {
  const bare = name.toLowerCase().replace(/\.$/, '');
  return getDomain(bare, { allowPrivateDomains: true, extractHostname: false }) ?? bare;
}
