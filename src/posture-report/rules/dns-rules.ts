import type { PostureFacts } from '../../posture/index.js';
import { describeResolver } from '../../probe/index.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

const NAMES_SHOWN = 5;

export const dnsBudgetExhausted: PostureRule = {
  id: 'dns-budget-exhausted',
  check(facts) {
    const { queries } = facts;
    if (!queries.budgetExhausted) return [];
    const names = [
      ...new Set(queries.log.filter((q) => q.code === 'budget').map((q) => `${q.name} ${q.type}`)),
    ];
    const shown =
      names.length > NAMES_SHOWN
        ? [...names.slice(0, NAMES_SHOWN), `${names.length - NAMES_SHOWN} more`]
        : names;
    return [
      postureFinding(
        'dns-budget-exhausted',
        'warning',
        `The report's DNS budget of ${queries.budget} questions ran out${shown.length > 0 ? ` before ${listed(shown)}` : ''}: some parts are incomplete`,
        [
          'Read the parts that were answered; the unasked ones are neither good nor bad.',
          'An SPF tree that needs this many questions is itself worth trimming (see its lookups).',
        ],
      ),
    ];
  },
};

/** Codes that mean the resolver itself is the problem: not there, refusing us, or silent. */
const RESOLVER_FAILURES = new Set(['ECONNREFUSED', 'EREFUSED', 'ETIMEOUT']);

/**
 * Every question went unanswered, and each time the resolver itself was the reason (unreachable,
 * refusing, silent): nothing about the domain was learnt, and its name servers are not to blame.
 */
export function resolverFailed(facts: PostureFacts): boolean {
  const asked = facts.queries.log.filter((question) => question.code !== 'budget');
  return (
    asked.length > 0 &&
    asked.every((question) => question.outcome === 'error' && RESOLVER_FAILURES.has(question.code ?? ''))
  );
}

export const dnsResolverFailed: PostureRule = {
  id: 'dns-resolver-failed',
  check(facts) {
    if (!resolverFailed(facts)) return [];
    const who = describeResolver(facts.resolver);
    const codes = [...new Set(facts.queries.log.map((question) => question.code ?? ''))].sort();
    const server = facts.resolver.servers[0] ?? 'the resolver';
    return [
      postureFinding(
        'dns-resolver-failed',
        'critical',
        `None of the ${facts.queries.sent} DNS questions got an answer from ${who} (${codes.join(', ')}): nothing about ${facts.request.domain} could be checked, and this says nothing about its own name servers`,
        [
          `Check that ${who} answers from here: dig @${server.replace(/:(\d+)$/, ' -p $1')} ${facts.request.domain} TXT.`,
          "Point the report at a resolver that does: DNS_RESOLVER (else DNS_SERVERS, else the system's resolvers).",
        ],
      ),
    ];
  },
};

export const DNS_RULES: readonly PostureRule[] = [dnsResolverFailed, dnsBudgetExhausted];
