import type { SpfError, SpfNode, SpfTerm } from '../types.js';
import { type IpAddress, formatIpAddress, ipInNetwork, parseIpAddress } from './ip-in-network.js';
import type { ParsedSpfTerm } from './parse-spf-record.js';
import {
  MAX_MX_HOSTS,
  MAX_PTR_NAMES,
  type SpfWalk,
  countLookup,
  countVoid,
  recordError,
  targetName,
  temporaryError,
} from './spf-walk.js';

// The mechanisms that ask DNS about hosts: a, mx, ptr and exists (RFC 7208 §5.3–5.7). Void lookups
// are counted where pyspf counts them: every address, MX, PTR or exists question that finds
// nothing, an MX host's or a PTR name's address question included.

export type TermOutcome = { kind: 'match' } | { kind: 'no-match' } | { kind: 'stop'; error: SpfError };

const NO_MATCH: TermOutcome = { kind: 'no-match' };

type Addresses = { kind: 'addresses'; addresses: string[] } | { kind: 'stop'; error: SpfError };

async function addressesOf(
  walk: SpfWalk,
  node: SpfNode,
  term: SpfTerm,
  name: string,
  family: 4 | 6,
): Promise<Addresses> {
  const answer = family === 4 ? await walk.dns.a(name) : await walk.dns.aaaa(name);
  if (answer.kind === 'error')
    return { kind: 'stop', error: temporaryError(walk, node, term.text, answer.message) };
  if (answer.kind === 'records') return { kind: 'addresses', addresses: answer.records };
  const error = countVoid(walk, node, term, name);
  return error ? { kind: 'stop', error } : { kind: 'addresses', addresses: [] };
}

function contains(client: IpAddress | null, addresses: string[], parsed: ParsedSpfTerm): boolean {
  if (client === null) return false;
  const prefix = client.family === 4 ? (parsed.cidr4 ?? 32) : (parsed.cidr6 ?? 128);
  return addresses.some((text) => {
    const address = parseIpAddress(text);
    return address !== null && ipInNetwork(client, address, prefix);
  });
}

async function matchMx(walk: SpfWalk, node: SpfNode, parsed: ParsedSpfTerm, term: SpfTerm, name: string) {
  const answer = await walk.dns.mx(name);
  if (answer.kind === 'error') return stop(temporaryError(walk, node, term.text, answer.message));
  if (answer.kind !== 'records') {
    const error = countVoid(walk, node, term, name);
    return error ? stop(error) : NO_MATCH;
  }
  term.mxHosts = answer.records.length;
  if (answer.records.length > MAX_MX_HOSTS) {
    return stop(
      recordError(walk, node, {
        kind: 'too-many-mx-hosts',
        domain: node.domain,
        term: term.text,
        message: `${name} has ${answer.records.length} MX hosts: RFC 7208 allows ${MAX_MX_HOSTS} for one mx mechanism`,
      }),
    );
  }
  const hosts = [...answer.records]
    .sort((left, right) => left.priority - right.priority || left.exchange.localeCompare(right.exchange))
    .map((mx) => mx.exchange.replace(/\.$/, '').toLowerCase())
    .filter((host) => host !== '');
  // All of them are asked before matching, as pyspf does: their voids count even when one matches.
  const addresses: string[] = [];
  for (const host of hosts) {
    const found = await addressesOf(walk, node, term, host, walk.family);
    if (found.kind === 'stop') return stop(found.error);
    addresses.push(...found.addresses);
  }
  return contains(walk.client, addresses, parsed) ? MATCH : NO_MATCH;
}

async function matchPtr(walk: SpfWalk, node: SpfNode, term: SpfTerm, target: string, address: IpAddress) {
  const answer = await walk.dns.ptr(formatIpAddress(address));
  // §5.5: a DNS error in the PTR lookup makes the mechanism not match, and one in a name's address
  // lookup skips that name.
  if (answer.kind === 'error') return NO_MATCH;
  if (answer.kind !== 'records') {
    const error = countVoid(walk, node, term, `PTR of ${formatIpAddress(address)}`);
    return error ? stop(error) : NO_MATCH;
  }
  const validated: string[] = [];
  for (const ptrName of answer.records.slice(0, MAX_PTR_NAMES)) {
    const name = ptrName.replace(/\.$/, '').toLowerCase();
    const found = address.family === 4 ? await walk.dns.a(name) : await walk.dns.aaaa(name);
    if (found.kind === 'error') continue;
    if (found.kind !== 'records') {
      const error = countVoid(walk, node, term, name);
      if (error) return stop(error);
      continue;
    }
    const back = found.records.map((text) => parseIpAddress(text));
    if (
      back.some((parsed) => parsed !== null && ipInNetwork(address, parsed, address.family === 4 ? 32 : 128))
    ) {
      validated.push(name);
    }
  }
  if (walk.client === null) return NO_MATCH;
  return validated.some((name) => name === target || name.endsWith(`.${target}`)) ? MATCH : NO_MATCH;
}

const MATCH: TermOutcome = { kind: 'match' };
const stop = (error: SpfError): TermOutcome => ({ kind: 'stop', error });

/** Counts, asks and matches one a, mx, ptr or exists term of `node`'s record. */
export async function matchHostMechanism(
  walk: SpfWalk,
  node: SpfNode,
  parsed: ParsedSpfTerm,
  term: SpfTerm,
): Promise<TermOutcome> {
  const count = countLookup(walk, node, term);
  if (count.kind === 'stop') return stop(count.error);
  if (parsed.kind === 'ptr' && walk.ptrAddress === null) return NO_MATCH;
  const target = targetName(walk, node.domain, parsed.domainSpec);
  if (target.kind === 'macro') {
    walk.usesMacros = true;
    return NO_MATCH;
  }
  if (count.kind === 'capped' || target.kind === 'invalid') return NO_MATCH;
  const name = target.name;
  switch (parsed.kind) {
    case 'a': {
      const found = await addressesOf(walk, node, term, name, walk.family);
      if (found.kind === 'stop') return stop(found.error);
      return contains(walk.client, found.addresses, parsed) ? MATCH : NO_MATCH;
    }
    case 'exists': {
      // §5.7: always an A question, whatever the client's family.
      const found = await addressesOf(walk, node, term, name, 4);
      if (found.kind === 'stop') return stop(found.error);
      return walk.client !== null && found.addresses.length > 0 ? MATCH : NO_MATCH;
    }
    case 'mx':
      return matchMx(walk, node, parsed, term, name);
    case 'ptr':
      return walk.ptrAddress ? matchPtr(walk, node, term, name, walk.ptrAddress) : NO_MATCH;
    default:
      return NO_MATCH;
  }
}
