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

export const DNS_RULES: readonly PostureRule[] = [dnsBudgetExhausted];
