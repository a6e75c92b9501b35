import type { DnsAnswer } from './types.js';

/** One line for a question that got no answer (timeout, SERVFAIL, REFUSED, budget spent). */
export function describeFailure(type: string, name: string, answer: DnsAnswer<unknown>): string {
  if (answer.kind !== 'error') return `${type} ${name}: ${answer.kind}`;
  // The resolver's message usually names the question already; say it once.
  return answer.message.toLowerCase().includes(name.toLowerCase())
    ? answer.message
    : `${type} ${name}: ${answer.message} (${answer.code})`;
}
