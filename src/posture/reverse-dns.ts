import { isIP } from 'node:net';
import { describeFailure } from './describe-failure.js';
import type { AddressReverseDns, Port25Evidence, ReverseDnsFacts } from './transport-types.js';
import type { PostureDns } from './types.js';
import { bareHostName } from '../text/host-name.js';

// Reverse DNS of the addresses mail comes from and goes to: the PTR names, whether one of them
// resolves back to the address (forward-confirmed reverse DNS, FCrDNS), and for MX addresses
// whether the names the server gave our port-25 probe agree with them. Gmail, Yahoo and
// Outlook.com ask FCrDNS of every sender; receivers compare a sender's HELO name with its PTR.

/** A PTR set longer than this is a misconfiguration; checking a few is enough to say so. */
const MAX_PTR_NAMES = 10;
/** MX hosts and addresses per host looked up: past these, more of the same says nothing new. */
export const MAX_REVERSE_DNS_MX_HOSTS = 5;
export const MAX_REVERSE_DNS_ADDRESSES_PER_HOST = 4;

/** What reverse DNS says of one address, whoever uses it. */
export interface ReverseLookup {
  /** Lower case, no trailing dot. */
  ptr: string[];
  /** Some PTR name resolves back to the address. */
  forwardConfirmed: boolean;
  lookupError?: string;
}

/** One spelling per address, so `2001:db8::1` and `2001:0db8:0:0::1` compare equal. */
export function canonicalAddress(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  try {
    return new URL(`http://[${bare}]/`).hostname;
  } catch {
    return new URL(`http://${bare}/`).hostname;
  }
}

/**
 * The address's PTR names, and whether one of them has an A (IPv4) or AAAA (IPv6) record of the
 * address: the FCrDNS check receivers make. A failed forward lookup is reported only when no other
 * name confirmed the address, since then it is why the answer is "no".
 */
export async function lookupReverseDns(dns: PostureDns, address: string): Promise<ReverseLookup> {
  const family = isIP(address);
  if (family === 0)
    return { ptr: [], forwardConfirmed: false, lookupError: `${address} is not an IP address` };
  const answer = await dns.ptr(address);
  if (answer.kind === 'error') {
    return { ptr: [], forwardConfirmed: false, lookupError: describeFailure('PTR', address, answer) };
  }
  const ptr = answer.kind === 'records' ? answer.records.map(bareHostName) : [];
  const wanted = canonicalAddress(address);
  const type = family === 4 ? 'A' : 'AAAA';
  const checks = await Promise.all(
    ptr.slice(0, MAX_PTR_NAMES).map(async (name) => {
      const forward = family === 4 ? await dns.a(name) : await dns.aaaa(name);
      return {
        confirmed:
          forward.kind === 'records' && forward.records.some((found) => canonicalAddress(found) === wanted),
        error: forward.kind === 'error' ? describeFailure(type, name, forward) : undefined,
      };
    }),
  );
  const forwardConfirmed = checks.some((check) => check.confirmed);
  const errors = forwardConfirmed ? [] : checks.flatMap((check) => (check.error ? [check.error] : []));
  return { ptr, forwardConfirmed, ...(errors.length > 0 ? { lookupError: errors.join('; ') } : {}) };
}

/**
 * A name worth comparing: a host name of two labels or more. The probe takes the first word after
 * `220` (or of the EHLO reply) as sent, so a server that gives no name yields `ESMTP`, a banner
 * word, a firewall's `****` mask, or an address literal (`[192.0.2.1]`, which RFC 5321 §4.1.3
 * allows in place of a name): none of those is a name that can disagree with the PTR, so none is
 * a mismatch by itself. A bare IP address is treated as a literal too.
 */
function comparableName(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const normalised = bareHostName(name.trim());
  if (normalised.startsWith('[') || isIP(normalised) !== 0) return null;
  const labels = normalised.split('.');
  const hostLabel = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
  return labels.length >= 2 && labels.every((label) => hostLabel.test(label)) ? normalised : null;
}

/**
 * Whether the names the server gave agree with its PTR names or its MX names (every MX host of the
 * domain that has this address: a server shared by two MX names may greet with either): true
 * when every given name equals one of them, false when a given name equals none, null when there is nothing
 * to compare (no probe at this address, the server gave no name, or the address has no PTR, which
 * `ptr-missing` says already).
 *
 * The comparison is strict on purpose. RFC 5321 §4.1.1.1 and §4.3.1 say the greeting and the EHLO
 * reply carry the server's own fully-qualified domain name, and receivers (Gmail among them) check
 * a sender's HELO name against its PTR, and an MX host that also sends (bounces, forwards) does
 * so under that name. Many
 * large providers greet with a service name that only shares a domain with the PTR (greeting
 * `mx.google.com`, PTR `mx-in-f26.1e100.net`): that reads as `false` here, and whoever judges it
 * decides how much it weighs. A looser "same organization" rule would need the public suffix list
 * and would still guess (1e100.net is Google's, google.com too, nothing in DNS says they belong
 * together), so it is not invented here. What is never reported is a mismatch without a name: a
 * slow greeting is waited for by the probe, and a missing or literal name is not compared.
 */
export function greetingConsistency(
  names: { greetingName?: string | null; ehloName?: string | null },
  ptr: string[],
  mxNames: string[],
): boolean | null {
  if (ptr.length === 0) return null;
  const given = [names.greetingName, names.ehloName].flatMap((name) => {
    const comparable = comparableName(name);
    return comparable === null ? [] : [comparable];
  });
  if (given.length === 0) return null;
  const known = new Set([...ptr, ...mxNames].map(bareHostName));
  return given.every((name) => known.has(name));
}

function sameName(a: string, b: string): boolean {
  return bareHostName(a) === bareHostName(b);
}

/** The probe's evidence at this address: the host's own first, any other that dialled it next. */
function evidenceAt(
  evidence: Port25Evidence[],
  exchange: string,
  address: string,
): Port25Evidence | undefined {
  const wanted = sameAddressAs(address);
  const here = evidence.filter((item) => item.address !== null && wanted(item.address));
  return here.find((item) => sameName(item.exchange, exchange)) ?? here[0];
}

/** A test for "the same address", whatever the spelling; never true when either is no address. */
function sameAddressAs(address: string): (other: string) => boolean {
  const bare = (text: string) => text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare(address)) === 0) return () => false;
  const wanted = canonicalAddress(address);
  return (other) => isIP(bare(other)) !== 0 && canonicalAddress(other) === wanted;
}

async function mxAddressReverseDns(
  dns: PostureDns,
  pair: MxAddress,
  evidence: Port25Evidence[],
): Promise<AddressReverseDns> {
  const { exchange, address, mxNames } = pair;
  const lookup = await lookupReverseDns(dns, address);
  const seen = evidenceAt(evidence, exchange, address);
  const names = seen ? { greetingName: seen.greetingName, ehloName: seen.ehloName } : {};
  return {
    address,
    role: 'mx',
    exchange,
    ptr: lookup.ptr,
    forwardConfirmed: lookup.forwardConfirmed,
    ...names,
    greetingConsistent: greetingConsistency(names, lookup.ptr, mxNames),
    ...(lookup.lookupError !== undefined ? { lookupError: lookup.lookupError } : {}),
  };
}

interface MxAddress {
  exchange: string;
  address: string;
  /** Every MX host (of those looked up) that has this address. */
  mxNames: string[];
}

/** The (MX host, address) pairs looked up: the first hosts and addresses, each pair once. */
function mxPairs(mxHosts: Array<{ exchange: string; addresses: string[] }>): MxAddress[] {
  const spelling = (address: string) => (isIP(address) !== 0 ? canonicalAddress(address) : address);
  const unique = mxHosts.filter(
    (host, index) => mxHosts.findIndex((other) => sameName(other.exchange, host.exchange)) === index,
  );
  const hosts = unique.slice(0, MAX_REVERSE_DNS_MX_HOSTS).map(({ exchange, addresses }) => ({
    exchange,
    addresses: [...new Set(addresses.slice(0, MAX_REVERSE_DNS_ADDRESSES_PER_HOST))],
  }));
  const namesOf = new Map<string, string[]>();
  for (const { exchange, addresses } of hosts)
    for (const address of addresses)
      namesOf.set(spelling(address), [...(namesOf.get(spelling(address)) ?? []), exchange]);
  return hosts.flatMap(({ exchange, addresses }) =>
    addresses.map((address) => ({
      exchange,
      address,
      mxNames: namesOf.get(spelling(address)) ?? [exchange],
    })),
  );
}

/**
 * Reverse DNS of the sending address (first, when given) and of each MX host's addresses, all
 * asked at once. The sending address has no greeting to compare (we do not connect to it), so its
 * `greetingConsistent` is null. An address shared by two MX hosts appears under each (the findings
 * name the host), its names judged against both hosts' names.
 */
export async function gatherReverseDns(
  dns: PostureDns,
  input: {
    sendingIp?: string;
    mxHosts: Array<{ exchange: string; addresses: string[] }>;
    evidence: Port25Evidence[];
  },
): Promise<ReverseDnsFacts> {
  const sending = input.sendingIp;
  const addresses = await Promise.all([
    ...(sending !== undefined
      ? [
          lookupReverseDns(dns, sending).then(
            (lookup): AddressReverseDns => ({
              address: sending,
              role: 'sending',
              ...lookup,
              greetingConsistent: null,
            }),
          ),
        ]
      : []),
    ...mxPairs(input.mxHosts).map((pair) => mxAddressReverseDns(dns, pair, input.evidence)),
  ]);
  return { addresses };
}
