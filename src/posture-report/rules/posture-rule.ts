import type { Severity } from '../../diagnose/index.js';
import type { PostureFacts } from '../../posture/index.js';
import type { PostureFinding, PostureFindingId } from '../types.js';

/** A rule is an id and a pure function of the facts; it returns at most one finding of its id. */
export interface PostureRule {
  id: PostureFindingId;
  check(facts: PostureFacts): PostureFinding[];
}

export function postureFinding(
  id: PostureFindingId,
  severity: Severity,
  summary: string,
  advice: string[],
): PostureFinding {
  return { id, severity, summary, advice };
}

/** Names in a sentence: `a, b and c`. */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
