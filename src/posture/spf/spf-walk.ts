import type { PostureDns, SpfError, SpfNode, SpfTerm } from '../types.js';
import type { IpAddress } from './ip-in-network.js';
import { type SpfMacroContext, expandSpfMacros, expandedDomainName, scanDomainSpec } from './spf-macros.js';

// One walk through an SPF tree: the counters RFC 7208 §4.6.4 limits, shared by every record the
// walk reaches, and the first error met.

/** §4.6.4's limits. */
export const MAX_LOOKUPS = 10;
export const MAX_VOID_LOOKUPS = 2;
export const MAX_MX_HOSTS = 10;
export const MAX_PTR_NAMES = 10;
// Past the limit the worst-case walk goes on counting, to say by how much a tree is over; these
// stop a hostile or looping tree from making it ask without end.
export const FOLLOW_LOOKUP_CAP = 50;
export const FOLLOW_DEPTH_CAP = 12;

export interface SpfWalk {
  dns: PostureDns;
  /** The client's address; null walks for an address no mechanism matches (the worst case). */
  client: IpAddress | null;
  /** The address `ptr` asks about (`--ip`), also in the worst-case walk; null: ptr is counted, not asked. */
  ptrAddress: IpAddress | null;
  /** What macros expand from, `domain` aside; null: terms with macros are counted, not followed. */
  macros: Omit<SpfMacroContext, 'domain'> | null;
  /** The address family `a` and `mx` ask for. */
  family: 4 | 6;
  /** The worst-case walk counts on past the limits; a receiver's evaluation stops there. */
  countPastLimits: boolean;
  lookups: number;
  voidLookups: number;
  error?: SpfError;
  /** A limit was passed: a receiver never reaches the terms counted from here on. */
  pastLimit: boolean;
  usesMacros: boolean;
  /** Domains whose records' questions were already sent ahead. */
  prefetched: Set<string>;
  prefetchedLookups: number;
}

export function createSpfWalk(
  dns: PostureDns,
  settings: Pick<SpfWalk, 'client' | 'ptrAddress' | 'macros' | 'family' | 'countPastLimits'>,
): SpfWalk {
  return {
    dns,
    ...settings,
    lookups: 0,
    voidLookups: 0,
    pastLimit: false,
    usesMacros: false,
    prefetched: new Set(),
    prefetchedLookups: 0,
  };
}

export type TargetName = { kind: 'name'; name: string } | { kind: 'macro' } | { kind: 'invalid' };

/** The name a term asks about, from the record of `domain`. */
export function targetName(walk: SpfWalk, domain: string, spec: string | undefined): TargetName {
  if (spec === undefined) return { kind: 'name', name: domain };
  const scan = scanDomainSpec(spec);
  if (scan.ok && scan.hasMacros && walk.macros === null) return { kind: 'macro' };
  const expanded =
    scan.ok && scan.hasMacros && walk.macros ? expandSpfMacros(spec, { ...walk.macros, domain }) : spec;
  const name = expandedDomainName(expanded);
  // An expansion that is no DNS name is never asked, and finds nothing (as pyspf treats it).
  return name === null ? { kind: 'invalid' } : { kind: 'name', name };
}

export function recordError(walk: SpfWalk, node: SpfNode, error: SpfError): SpfError {
  node.error ??= error;
  walk.error ??= error;
  return error;
}

/** What counting a term allows: asking DNS, asking nothing (the safety cap), or stopping here. */
export type CountOutcome = { kind: 'ask' } | { kind: 'capped' } | { kind: 'stop'; error: SpfError };

export function countLookup(walk: SpfWalk, node: SpfNode, term: SpfTerm): CountOutcome {
  term.lookups = 1;
  walk.lookups += 1;
  if (walk.lookups === MAX_LOOKUPS + 1) {
    const error = recordError(walk, node, {
      kind: 'too-many-lookups',
      domain: node.domain,
      term: term.text,
      message: `${term.text} is DNS lookup ${walk.lookups}: RFC 7208 allows ${MAX_LOOKUPS} per evaluation`,
    });
    walk.pastLimit = true;
    if (!walk.countPastLimits) return { kind: 'stop', error };
  }
  return walk.lookups > FOLLOW_LOOKUP_CAP ? { kind: 'capped' } : { kind: 'ask' };
}

/** Counts a lookup that found nothing; a stop when it passes the limit of a real evaluation. */
export function countVoid(walk: SpfWalk, node: SpfNode, term: SpfTerm, name: string): SpfError | null {
  term.voidLookups += 1;
  walk.voidLookups += 1;
  if (walk.voidLookups !== MAX_VOID_LOOKUPS + 1) return null;
  const error = recordError(walk, node, {
    kind: 'too-many-void-lookups',
    domain: node.domain,
    term: term.text,
    message: `${name} (for ${term.text}) is lookup ${walk.voidLookups} that found nothing: RFC 7208 allows ${MAX_VOID_LOOKUPS}`,
  });
  walk.pastLimit = true;
  return walk.countPastLimits ? null : error;
}

/** A DNS failure met by a term: a temperror. */
export function temporaryError(
  walk: SpfWalk,
  node: SpfNode,
  term: string | undefined,
  message: string,
): SpfError {
  return recordError(walk, node, {
    kind: 'temperror',
    domain: node.domain,
    ...(term ? { term } : {}),
    message,
  });
}
