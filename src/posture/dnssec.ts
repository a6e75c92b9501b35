import type { DnssecFacts, DnssecNameFacts } from './transport-types.js';
import type { DnsReply, RawDnsAnswer, ValidatingDns, ValidatingQuestionType } from './validating-dns.js';

// Whether DNSSEC vouches for a name, read from a validating resolver's own verdict (the AD flag,
// and SERVFAIL for what it refused) rather than by validating the chain here: the resolver that
// senders use is the one whose verdict decides whether they deliver.

/** The resolver answered the question (NOERROR or NXDOMAIN): AD or not, it said something. */
export function answered(answer: RawDnsAnswer): answer is DnsReply & { rcode: 'NOERROR' | 'NXDOMAIN' } {
  return answer.kind === 'reply' && (answer.rcode === 'NOERROR' || answer.rcode === 'NXDOMAIN');
}

/**
 * The DNSSEC status of one name. AD set: secure. An answer without AD: insecure (no chain of
 * trust reaches it). SERVFAIL: asked again with CD set (checking disabled); an answer then means
 * the data is there but failed validation: bogus, with the Extended DNS Error the resolver gave
 * the first time. No answer either way, a timeout or REFUSED: unknown, and why.
 */
export async function dnssecStatusOf(
  vdns: ValidatingDns,
  name: string,
  type: ValidatingQuestionType,
): Promise<DnssecNameFacts> {
  const first = await vdns.query(name, type);
  const said = first.kind === 'reply' && first.extendedError ? { extendedError: first.extendedError } : {};
  if (answered(first)) return { name, status: first.authenticated ? 'secure' : 'insecure', ...said };
  if (first.kind !== 'reply' || first.rcode !== 'SERVFAIL') {
    return { name, status: 'unknown', ...said, lookupError: noAnswer(vdns, first, name, type) };
  }
  const unchecked = await vdns.query(name, type, { checkingDisabled: true });
  if (answered(unchecked)) return { name, status: 'bogus', ...said };
  return {
    name,
    status: 'unknown',
    ...said,
    lookupError: `${vdns.resolver} answered SERVFAIL for ${name} ${type}, with checking disabled too: the zone's name servers fail, whatever DNSSEC says`,
  };
}

/** Why there is no verdict, in words. */
export function noAnswer(vdns: ValidatingDns, answer: RawDnsAnswer, name: string, type: string): string {
  if (answer.kind !== 'reply') return answer.message;
  if (answer.rcode === 'REFUSED') {
    return `${vdns.resolver} refused the ${type} query for ${name} (REFUSED): it does not resolve names for this client`;
  }
  return `${vdns.resolver} answered ${answer.rcode} for ${name} ${type}`;
}

/**
 * The domain's zone (asked as SOA, which every zone apex has) and each MX host's (asked as A, the
 * question a sender asks before it dials), all at once.
 */
export async function gatherDnssec(
  vdns: ValidatingDns,
  domain: string,
  mxHosts: string[],
): Promise<DnssecFacts> {
  const [domainFacts, ...hostFacts] = await Promise.all([
    dnssecStatusOf(vdns, domain, 'SOA'),
    ...mxHosts.map((host) => dnssecStatusOf(vdns, host, 'A')),
  ]);
  return { resolver: vdns.resolver, domain: domainFacts as DnssecNameFacts, mxHosts: hostFacts };
}
