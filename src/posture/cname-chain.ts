import type { PostureDns } from './types.js';
import { bareHostName } from '../text/host-name.js';

// Long enough for any delegation seen in practice (customer → provider → provider's own zone), short
// enough that a loop the cache does not catch still ends.
const MAX_HOPS = 8;

/**
 * Where a name's CNAME chain ends, asked hop by hop; undefined when the name is no alias. A hop
 * that gets no answer ends the chain where it got to: the caller's own lookups say what failed.
 */
export async function followCname(dns: PostureDns, name: string): Promise<string | undefined> {
  const seen = new Set([bareHostName(name)]);
  let current = bareHostName(name);
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const answer = await dns.cname(current);
    const target = answer.kind === 'records' ? answer.records[0] : undefined;
    if (target === undefined || seen.has(bareHostName(target))) break;
    current = bareHostName(target);
    seen.add(current);
  }
  return current === bareHostName(name) ? undefined : current;
}
