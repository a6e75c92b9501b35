import type { SpfNode, SpfQualifier, SpfTerm } from '../../posture/index.js';

// Reading the SPF tree the way a receiver evaluates it for an address no mechanism matches: the
// case every sender who is not listed falls into, and so the one that decides what forgers get.

/** The record an include or redirect term led to, when the walk followed it. */
export function childOf(node: SpfNode, term: SpfTerm): SpfNode | undefined {
  if (term.kind !== 'include' && term.kind !== 'redirect') return undefined;
  const via = term.kind === 'redirect' ? 'redirect' : 'include';
  const target = term.target?.toLowerCase();
  return node.children.find((child) => child.via === via && child.domain.toLowerCase() === target);
}

/** Every record of the tree, the root first. */
export function spfNodes(node: SpfNode): SpfNode[] {
  return [node, ...node.children.flatMap(spfNodes)];
}

/** The `all` that ends a record: its own, else the one of the record its redirect= leads to. */
export function effectiveAll(node: SpfNode): { node: SpfNode; term: SpfTerm } | null {
  const all = node.terms.find((term) => term.kind === 'all' && !term.unreached);
  if (all) return { node, term: all };
  const redirect = node.terms.find((term) => term.kind === 'redirect' && !term.unreached);
  const target = redirect ? childOf(node, redirect) : undefined;
  return target ? effectiveAll(target) : null;
}

/**
 * The record passes every address: its `all` is `+all`, or a `+include` it reaches first does. An
 * include of a record ending in +all matches everyone, so the includer passes everyone too.
 * Returns the chain of domains that leads to the `+all`, or null.
 */
export function passesEveryone(node: SpfNode, seen = new Set<SpfNode>()): string[] | null {
  if (seen.has(node)) return null;
  seen.add(node);
  for (const term of node.terms) {
    if (term.unreached) continue;
    if (term.kind === 'all') return qualifierOf(term) === '+' ? [node.domain] : null;
    if ((term.kind === 'include' && qualifierOf(term) === '+') || term.kind === 'redirect') {
      const child = childOf(node, term);
      const chain = child ? passesEveryone(child, seen) : null;
      if (chain) return [node.domain, ...chain];
      if (term.kind === 'redirect') return null;
    }
  }
  return null;
}

export function qualifierOf(term: SpfTerm): SpfQualifier {
  return term.qualifier ?? '+';
}

/** §4.6.4 lookups the record costs with everything it includes or redirects to. */
export function subtreeLookups(node: SpfNode): number {
  return (
    node.terms.reduce((sum, term) => sum + term.lookups, 0) +
    node.children.reduce((sum, child) => sum + subtreeLookups(child), 0)
  );
}

/** The root's terms that cost lookups, most expensive first, with what each costs in all. */
export function lookupCosts(root: SpfNode): Array<{ term: string; lookups: number }> {
  return root.terms
    .map((term) => {
      const child = childOf(root, term);
      return { term: term.text, lookups: term.lookups + (child ? subtreeLookups(child) : 0) };
    })
    .filter((cost) => cost.lookups > 0)
    .sort((a, b) => b.lookups - a.lookups);
}
