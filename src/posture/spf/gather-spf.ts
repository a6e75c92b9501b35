import type { PostureDns, SpfEvaluation, SpfFacts, SpfNode, SpfResult } from '../types.js';
import { type SpfWalkResult, walkSpf } from './evaluate-spf.js';
import { type IpAddress, parseIpAddress } from './ip-in-network.js';
import { spfExplanation } from './spf-explanation.js';
import type { SpfMacroContext } from './spf-macros.js';
import { type SpfWalk, createSpfWalk } from './spf-walk.js';

// A domain's SPF as DNS shows it: the whole include/redirect tree walked for an address nothing
// matches (what every unlisted sender gets, and whether the tree is over RFC 7208's limits), and,
// given an address, a receiver's evaluation of it. The evaluation runs after the walk, so it is
// answered from the answers the walk already has.

export interface GatherSpfOptions {
  /** The sending address to evaluate (`--ip`). */
  ip?: string;
  /** MAIL FROM for macros; `postmaster@<domain>` when not given. */
  sender?: string;
  /** HELO name for `%{h}`; the domain when not given. */
  helo?: string;
}

function conclusion(walk: SpfWalk, walked: SpfWalkResult): SpfResult {
  if (walk.error) return walk.error.kind === 'temperror' ? 'temperror' : 'permerror';
  if (walked.lookup.kind === 'none') return 'none';
  if (walked.verdict?.kind === 'match') return walked.verdict.result;
  return 'neutral';
}

function nodes(node: SpfNode | null): SpfNode[] {
  return node === null ? [] : [node, ...node.children.flatMap(nodes)];
}

async function evaluate(
  dns: PostureDns,
  domain: string,
  ip: { text: string; address: IpAddress },
  macros: Omit<SpfMacroContext, 'domain'>,
): Promise<SpfEvaluation> {
  const walk = createSpfWalk(dns, {
    client: ip.address,
    ptrAddress: ip.address,
    macros,
    family: ip.address.family,
    countPastLimits: false,
  });
  const walked = await walkSpf(walk, domain);
  const result = conclusion(walk, walked);
  const verdict = walked.verdict;
  const evaluation: SpfEvaluation = {
    ip: ip.text,
    sender: macros.sender,
    result,
    decidedBy: verdict?.kind === 'match' && !walk.error ? verdict.decidedBy : null,
    path: verdict?.path ?? [domain],
    lookups: walk.lookups,
    voidLookups: walk.voidLookups,
    ...(walk.error ? { error: walk.error } : {}),
  };
  if (result === 'fail' && verdict?.kind === 'match' && verdict.exp) {
    const explanation = await spfExplanation(dns, verdict.exp, macros);
    if (explanation !== undefined) evaluation.explanation = explanation;
  }
  return evaluation;
}

/** What DNS says about `domain`'s SPF; never throws for what DNS answers. */
export async function gatherSpf(
  dns: PostureDns,
  domain: string,
  options: GatherSpfOptions = {},
): Promise<SpfFacts> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const address = options.ip === undefined ? null : parseIpAddress(options.ip);
  if (options.ip !== undefined && address === null) throw new TypeError(`not an IP address: ${options.ip}`);
  const macros =
    address === null
      ? null
      : {
          sender: options.sender ?? `postmaster@${name}`,
          ip: address,
          helo: options.helo ?? name,
          now: () => Date.now() / 1000,
        };
  const walk = createSpfWalk(dns, {
    client: null,
    ptrAddress: address,
    macros,
    family: 4,
    countPastLimits: true,
  });
  const walked = await walkSpf(walk, name);
  const lookup = walked.lookup;
  const all = nodes(walked.tree);
  const providers = [...new Set(all.flatMap((node) => (node.provider ? [node.provider] : [])))];
  const facts: SpfFacts = {
    domain: name,
    record: lookup.kind === 'record' ? lookup.record : null,
    records: lookup.kind === 'record' ? [lookup.record] : lookup.kind === 'multiple' ? lookup.records : [],
    ...(lookup.kind === 'error' ? { lookupError: lookup.message } : {}),
    tree: walked.tree,
    lookups: walk.lookups,
    voidLookups: walk.voidLookups,
    worstCase: conclusion(walk, walked),
    ...(walk.error ? { error: walk.error } : {}),
    macros: walk.usesMacros || all.some((node) => node.terms.some((term) => term.macro)),
    providers,
  };
  if (address !== null && macros !== null) {
    facts.result = await evaluate(dns, name, { text: options.ip ?? '', address }, macros);
  }
  return facts;
}
