import type { DnsAnswer } from '../types.js';
import { formatIpAddress } from './ip-in-network.js';
import { type ParsedSpfTerm, parseSpfRecord } from './parse-spf-record.js';
import { selectSpfRecord } from './select-spf-record.js';
import {
  FOLLOW_DEPTH_CAP,
  FOLLOW_LOOKUP_CAP,
  MAX_MX_HOSTS,
  MAX_PTR_NAMES,
  type SpfWalk,
  targetName,
} from './spf-walk.js';

// Terms are evaluated one after the other, but their questions need not wait for each other: as
// soon as a record is read, every question its terms will ask is sent, and each include's or
// redirect's record is read and sent ahead the same way. The DNS keeps each answer once, so the
// evaluation then finds them waiting, and a tree costs about one round trip per level.

const LOOKUP_KINDS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

function quietly(answer: Promise<DnsAnswer<unknown>>): void {
  // Nobody waits for these yet; the evaluation awaits the same cached answer and meets any failure.
  answer.catch(() => undefined);
}

function addresses(walk: SpfWalk, name: string, family: 4 | 6): Promise<DnsAnswer<string>> {
  return family === 4 ? walk.dns.a(name) : walk.dns.aaaa(name);
}

/** Sends ahead the questions of `domain`'s record and of the records it includes or redirects to. */
export function prefetchSpf(
  walk: SpfWalk,
  domain: string,
  terms: ParsedSpfTerm[],
  ancestors: string[],
  depth: number,
): void {
  if (walk.prefetched.has(domain) || depth > FOLLOW_DEPTH_CAP) return;
  walk.prefetched.add(domain);
  const path = [...ancestors, domain];
  const hasAll = terms.some((term) => term.kind === 'all');
  for (const term of terms) {
    if (term.kind === 'all') return;
    if (!LOOKUP_KINDS.has(term.kind) || (term.kind === 'redirect' && hasAll)) continue;
    walk.prefetchedLookups += 1;
    if (walk.prefetchedLookups > FOLLOW_LOOKUP_CAP) return;
    if (term.kind === 'ptr') {
      const address = walk.ptrAddress;
      if (address === null) continue;
      const ptr = walk.dns.ptr(formatIpAddress(address)).then((answer) => {
        if (answer.kind !== 'records') return;
        for (const name of answer.records.slice(0, MAX_PTR_NAMES))
          quietly(addresses(walk, name, address.family));
      });
      ptr.catch(() => undefined);
      continue;
    }
    const target = targetName(walk, domain, term.domainSpec);
    if (target.kind !== 'name') continue;
    const name = target.name;
    switch (term.kind) {
      case 'include':
      case 'redirect': {
        if (path.includes(name) || depth >= FOLLOW_DEPTH_CAP) continue;
        const next = walk.dns.txt(name).then((answer) => {
          const lookup = selectSpfRecord(answer);
          if (lookup.kind !== 'record') return;
          const parsed = parseSpfRecord(lookup.record);
          if (!parsed.error) prefetchSpf(walk, name, parsed.terms, path, depth + 1);
        });
        next.catch(() => undefined);
        break;
      }
      case 'a':
        quietly(addresses(walk, name, walk.family));
        break;
      case 'exists':
        quietly(walk.dns.a(name));
        break;
      case 'mx': {
        const hosts = walk.dns.mx(name).then((answer) => {
          if (answer.kind !== 'records' || answer.records.length > MAX_MX_HOSTS) return;
          for (const mx of answer.records) {
            if (mx.exchange.replace(/\.$/, '') !== '') quietly(addresses(walk, mx.exchange, walk.family));
          }
        });
        hosts.catch(() => undefined);
        break;
      }
    }
  }
}
