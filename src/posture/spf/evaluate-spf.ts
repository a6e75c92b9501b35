import { providerOfSpfInclude } from '../providers.js';
import type { SpfError, SpfNode, SpfQualifier, SpfResult, SpfTerm } from '../types.js';
import { ipInNetwork } from './ip-in-network.js';
import { type TermOutcome, matchHostMechanism } from './match-host-mechanism.js';
import { type ParsedSpfTerm, parseSpfRecord } from './parse-spf-record.js';
import { prefetchSpf } from './prefetch-spf.js';
import { type SpfRecordLookup, selectSpfRecord } from './select-spf-record.js';
import {
  type CountOutcome,
  FOLLOW_DEPTH_CAP,
  type SpfWalk,
  countLookup,
  countVoid,
  recordError,
  targetName,
} from './spf-walk.js';

// RFC 7208 §4.6 check_host(): terms left to right, include and redirect followed, each record a
// node of the tree. The same code walks the tree for an address nothing matches (the worst case,
// counting on past the limits) and evaluates a real address (stopping at the first match or error).

export type SpfVerdict =
  | {
      kind: 'match';
      result: SpfResult;
      decidedBy: { domain: string; term: string };
      path: string[];
      /** The `exp=` of the record whose qualifier decided: a fail's explanation comes from there. */
      exp?: { domain: string; spec: string };
    }
  | { kind: 'no-match'; path: string[] }
  | { kind: 'error'; error: SpfError; path: string[] };

export interface SpfWalkResult {
  lookup: SpfRecordLookup;
  tree: SpfNode | null;
  /** Null when the domain has no single record (`lookup` says why). */
  verdict: SpfVerdict | null;
}

const RESULTS: Record<SpfQualifier, SpfResult> = {
  '+': 'pass',
  '-': 'fail',
  '~': 'softfail',
  '?': 'neutral',
};
const MECHANISM_KINDS = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);

function toSpfTerm(parsed: ParsedSpfTerm, domain: string): SpfTerm {
  const target =
    parsed.domainSpec ?? parsed.network ?? (['a', 'mx', 'ptr'].includes(parsed.kind) ? domain : undefined);
  return {
    text: parsed.text,
    kind: parsed.kind,
    ...(parsed.qualifier ? { qualifier: parsed.qualifier } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(parsed.macro ? { macro: true } : {}),
    lookups: 0,
    voidLookups: 0,
  };
}

function newNode(domain: string, via: SpfNode['via']): SpfNode {
  const provider = via === 'root' ? undefined : providerOfSpfInclude(domain)?.name;
  return { domain, via, record: null, terms: [], children: [], ...(provider ? { provider } : {}) };
}

type Followed = { node: SpfNode; verdict: SpfVerdict | 'none' };

/** Reads the record at `name` for an include or redirect term of `parent`, and evaluates it. */
async function followTarget(
  walk: SpfWalk,
  parent: SpfNode,
  term: SpfTerm,
  name: string,
  via: 'include' | 'redirect',
  ancestors: string[],
  depth: number,
): Promise<Followed> {
  const lookup = selectSpfRecord(await walk.dns.txt(name));
  const node = newNode(name, via);
  const path = [...ancestors, name];
  switch (lookup.kind) {
    case 'record':
      return evaluateRecord(walk, name, via, lookup, ancestors, depth);
    case 'error': {
      const error = recordError(walk, node, { kind: 'temperror', domain: name, message: lookup.message });
      return { node, verdict: { kind: 'error', error, path } };
    }
    case 'multiple': {
      const message = `${name} has ${lookup.records.length} SPF records: RFC 7208 §4.5 makes that a permerror`;
      const error = recordError(walk, node, { kind: 'multiple-records', domain: name, message });
      return { node, verdict: { kind: 'error', error, path } };
    }
    case 'none': {
      const error = lookup.void ? countVoid(walk, parent, term, name) : null;
      return { node, verdict: error ? { kind: 'error', error, path: ancestors } : 'none' };
    }
  }
}

type Step = { kind: 'match'; verdict: SpfVerdict & { kind: 'match' } } | TermOutcome;

/**
 * What following an include or redirect term found: nothing to follow (a macro without an address,
 * past the caps), an error met on the way (a loop, a target without SPF), or the target's verdict.
 */
type FollowOutcome =
  | { kind: 'skipped' }
  | { kind: 'error'; error: SpfError }
  | { kind: 'followed'; verdict: SpfVerdict };

/** The part include and redirect share: the target named, loops refused, its record walked. */
async function followTerm(
  walk: SpfWalk,
  node: SpfNode,
  parsed: ParsedSpfTerm,
  term: SpfTerm,
  path: string[],
  depth: number,
  via: 'include' | 'redirect',
  capped: boolean,
): Promise<FollowOutcome> {
  const target = targetName(walk, node.domain, parsed.domainSpec);
  if (target.kind === 'macro') walk.usesMacros = true;
  if (target.kind === 'macro' || capped || depth >= FOLLOW_DEPTH_CAP) return { kind: 'skipped' };
  const name = target.kind === 'name' ? target.name : null;
  if (name !== null && path.includes(name)) {
    const message = `${term.text} leads back to ${name}, already on the path ${path.join(' → ')}`;
    return {
      kind: 'error',
      error: recordError(walk, node, { kind: 'loop', domain: node.domain, term: term.text, message }),
    };
  }
  const child = name === null ? null : await followTarget(walk, node, term, name, via, path, depth + 1);
  if (child) node.children.push(child.node);
  if (child === null || child.verdict === 'none') {
    const section = via === 'include' ? '§5.2' : '§6.1';
    const message = `${term.text}: ${name ?? parsed.domainSpec} has no SPF record (RFC 7208 ${section} makes that a permerror)`;
    const kind = via === 'include' ? 'include-without-spf' : 'redirect-without-spf';
    return {
      kind: 'error',
      error: recordError(walk, node, { kind, domain: node.domain, term: term.text, message }),
    };
  }
  return { kind: 'followed', verdict: child.verdict };
}

async function followInclude(
  walk: SpfWalk,
  node: SpfNode,
  parsed: ParsedSpfTerm,
  term: SpfTerm,
  path: string[],
  depth: number,
): Promise<Step> {
  const count = countLookup(walk, node, term);
  if (count.kind === 'stop') return count;
  const followed = await followTerm(
    walk,
    node,
    parsed,
    term,
    path,
    depth,
    'include',
    count.kind === 'capped',
  );
  if (followed.kind === 'skipped') return { kind: 'no-match' };
  if (followed.kind === 'error') return { kind: 'stop', error: followed.error };
  const verdict = followed.verdict;
  if (verdict.kind === 'error') return { kind: 'stop', error: verdict.error };
  if (verdict.kind === 'match' && verdict.result === 'pass') return { kind: 'match', verdict };
  return { kind: 'no-match' };
}

async function followRedirect(
  walk: SpfWalk,
  node: SpfNode,
  parsed: ParsedSpfTerm,
  term: SpfTerm,
  path: string[],
  depth: number,
  count: CountOutcome & { kind: 'ask' | 'capped' },
): Promise<SpfVerdict> {
  const followed = await followTerm(
    walk,
    node,
    parsed,
    term,
    path,
    depth,
    'redirect',
    count.kind === 'capped',
  );
  if (followed.kind === 'skipped') return { kind: 'no-match', path };
  if (followed.kind === 'error') return { kind: 'error', error: followed.error, path };
  return followed.verdict;
}

async function evaluateTerm(
  walk: SpfWalk,
  node: SpfNode,
  parsed: ParsedSpfTerm,
  term: SpfTerm,
  path: string[],
  depth: number,
): Promise<Step> {
  switch (parsed.kind) {
    case 'all':
      return { kind: 'match' };
    case 'ip4':
    case 'ip6': {
      const inside = walk.client !== null && parsed.address !== undefined;
      return inside && ipInNetwork(walk.client!, parsed.address!, parsed.prefix ?? 0)
        ? { kind: 'match' }
        : { kind: 'no-match' };
    }
    case 'include':
      return followInclude(walk, node, parsed, term, path, depth);
    default:
      return matchHostMechanism(walk, node, parsed, term);
  }
}

/** check_host() for one record: its node in the tree, and what it concluded. */
async function evaluateRecord(
  walk: SpfWalk,
  domain: string,
  via: SpfNode['via'],
  lookup: SpfRecordLookup & { kind: 'record' },
  ancestors: string[],
  depth: number,
): Promise<Followed> {
  const node = newNode(domain, via);
  node.record = lookup.record;
  if (lookup.strings.length > 1) node.strings = lookup.strings;
  const parsed = parseSpfRecord(lookup.record);
  node.terms = parsed.terms.map((term) => toSpfTerm(term, domain));
  const path = [...ancestors, domain];
  if (parsed.error) {
    const { term, message } = parsed.error;
    const error = recordError(walk, node, { kind: 'syntax', domain, term, message: `${term}: ${message}` });
    for (const spfTerm of node.terms) spfTerm.unreached = true;
    return { node, verdict: { kind: 'error', error, path } };
  }
  prefetchSpf(walk, domain, parsed.terms, ancestors, depth);
  const expTerm = parsed.terms.find((term) => term.kind === 'exp');
  const exp = expTerm?.domainSpec ? { domain, spec: expTerm.domainSpec } : undefined;
  const hasAll = parsed.terms.some((term) => term.kind === 'all');
  const redirectIndex = parsed.terms.findIndex((term) => term.kind === 'redirect');
  const redirect = parsed.terms[redirectIndex];
  // pyspf counts redirect= as it reads the record, before any mechanism, and also when all or a
  // match then leaves it unused. §4.6.4 can be read either way; counting it never reports fewer
  // lookups than a receiver running pyspf counts.
  const redirectCount = redirect ? countLookup(walk, node, node.terms[redirectIndex]!) : null;
  let verdict: SpfVerdict | null =
    redirectCount?.kind === 'stop' ? { kind: 'error', error: redirectCount.error, path } : null;
  for (const [index, term] of parsed.terms.entries()) {
    const spfTerm = node.terms[index]!;
    if (!MECHANISM_KINDS.has(term.kind)) continue;
    if (verdict) {
      spfTerm.unreached = true;
      continue;
    }
    if (walk.pastLimit) spfTerm.unreached = true;
    const step = await evaluateTerm(walk, node, term, spfTerm, path, depth);
    if (step.kind === 'stop') verdict = { kind: 'error', error: step.error, path };
    else if (step.kind === 'match') {
      const result = RESULTS[term.qualifier ?? '+'];
      const inner = 'verdict' in step ? step.verdict : null;
      verdict = {
        kind: 'match',
        result,
        decidedBy: inner?.decidedBy ?? { domain, term: term.text },
        path: inner?.path ?? path,
        ...(exp ? { exp } : {}),
      };
    }
  }
  if (redirect && (verdict || hasAll)) node.terms[redirectIndex]!.unreached = true;
  if (!verdict && redirect && redirectCount && redirectCount.kind !== 'stop' && !hasAll) {
    const spfTerm = node.terms[redirectIndex]!;
    if (walk.pastLimit) spfTerm.unreached = true;
    verdict = await followRedirect(walk, node, redirect, spfTerm, path, depth, redirectCount);
  }
  return { node, verdict: verdict ?? { kind: 'no-match', path } };
}

/** Walks `domain`'s SPF tree from its TXT records. */
export async function walkSpf(walk: SpfWalk, domain: string): Promise<SpfWalkResult> {
  const lookup = selectSpfRecord(await walk.dns.txt(domain));
  // pyspf counts the domain's own TXT lookup as void when it finds no TXT record at all.
  if (lookup.kind === 'none' && lookup.void) walk.voidLookups += 1;
  if (lookup.kind === 'error') {
    walk.error = { kind: 'temperror', domain, message: lookup.message };
  } else if (lookup.kind === 'multiple') {
    const message = `${domain} has ${lookup.records.length} SPF records: RFC 7208 §4.5 makes that a permerror`;
    walk.error = { kind: 'multiple-records', domain, message };
  }
  if (lookup.kind !== 'record') return { lookup, tree: null, verdict: null };
  const { node, verdict } = await evaluateRecord(walk, domain, 'root', lookup, [], 0);
  return { lookup, tree: node, verdict: verdict === 'none' ? null : verdict };
}
