import type { PostureFacts, SpfError } from '../../posture/index.js';
import { plural } from '../../text/plural.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';
import { startingSpfRecord } from './spf-record-text.js';
import { effectiveAll, lookupCosts, passesEveryone, qualifierOf, spfNodes } from './spf-tree.js';

// SPF as receivers evaluate it (RFC 7208). A permerror fails SPF for every message of the domain,
// so each one is critical; the walk stops at the first error, which is reported under its kind.

const FAILS_ALL = 'receivers answer permerror, and SPF fails for every message';

/** The record an error is in, said from the domain's side. */
function where(facts: PostureFacts, error: SpfError): string {
  return error.domain === facts.spf.domain
    ? `${error.domain}'s SPF record`
    : `the SPF record of ${error.domain}, which ${facts.spf.domain}'s record reaches,`;
}

/** A lookup our own query budget refused: the domain is not to blame (dns-budget-exhausted says it). */
export function budgetSpent(facts: PostureFacts, name: string | undefined): boolean {
  const lower = name?.toLowerCase();
  return facts.queries.log.some(
    (question) => question.code === 'budget' && question.name.toLowerCase() === lower,
  );
}

function errorOf(facts: PostureFacts, ...kinds: SpfError['kind'][]): SpfError | undefined {
  const error = facts.spf.error;
  return error && kinds.includes(error.kind) ? error : undefined;
}

export const spfMissing: PostureRule = {
  id: 'spf-missing',
  check(facts) {
    const { spf } = facts;
    if (spf.lookupError || spf.records.length > 0) return [];
    const start = startingSpfRecord(facts);
    const basis =
      start.providers.length > 0
        ? `, built from the services its DKIM keys and MX hosts point to (${listed(start.providers)})`
        : '';
    return [
      postureFinding(
        'spf-missing',
        'critical',
        `${spf.domain} publishes no SPF record (no TXT record starting v=spf1): receivers cannot tell which servers may send as it, and Gmail, Yahoo and Outlook.com refuse bulk mail without one`,
        [
          `Publish one TXT record at ${spf.domain}: ${start.value} (a start to review${basis}).`,
          `Add every other service that sends as ${spf.domain} (its own servers, newsletters, CRM, ticketing) before relying on it.`,
          'Keep ~all until DMARC reports show all your mail passing SPF; -all comes after that.',
        ],
      ),
    ];
  },
};

export const spfMultipleRecords: PostureRule = {
  id: 'spf-multiple-records',
  check(facts) {
    const { spf } = facts;
    if (spf.records.length > 1) {
      return [
        postureFinding(
          'spf-multiple-records',
          'critical',
          `${spf.domain} publishes ${spf.records.length} SPF records where one is allowed (RFC 7208 §3.2): ${FAILS_ALL}`,
          [
            `Merge them into one TXT record at ${spf.domain} (the suggested record is their union, with one all) and delete the others.`,
          ],
        ),
      ];
    }
    const error = errorOf(facts, 'multiple-records');
    if (!error) return [];
    return [
      postureFinding(
        'spf-multiple-records',
        'critical',
        `${error.domain}, which ${spf.domain}'s SPF includes, publishes more than one SPF record: ${FAILS_ALL}`,
        [
          `Ask whoever runs ${error.domain} to merge its SPF records into one.`,
          `Until then, remove the include of ${error.domain} or list that service's addresses (ip4:, ip6:) yourself.`,
        ],
      ),
    ];
  },
};

export const spfTooManyLookups: PostureRule = {
  id: 'spf-too-many-lookups',
  check(facts) {
    const { spf } = facts;
    const mxHosts = errorOf(facts, 'too-many-mx-hosts');
    if (mxHosts) {
      return [
        postureFinding(
          'spf-too-many-lookups',
          'critical',
          `${mxHosts.term ?? 'mx'} in ${where(facts, mxHosts)} names more than 10 MX hosts, each an address lookup (RFC 7208 §4.6.4): ${FAILS_ALL}`,
          [`Replace ${mxHosts.term ?? 'mx'} with the ip4: and ip6: ranges of the servers that send.`],
        ),
      ];
    }
    if (spf.lookups <= 10 && !errorOf(facts, 'too-many-lookups')) return [];
    const costs = spf.tree ? lookupCosts(spf.tree) : [];
    const costly = costs.slice(0, 3).map((cost) => `${cost.term} (${plural(cost.lookups, 'lookup')})`);
    const macros = spf.macros ? '; terms with macros depend on the message and may cost more' : '';
    return [
      postureFinding(
        'spf-too-many-lookups',
        'critical',
        `SPF for ${spf.domain} needs ${spf.lookups} of 10 DNS lookups (RFC 7208 §4.6.4): past the 10th ${FAILS_ALL}${costly.length > 0 ? `; the costliest: ${listed(costly)}` : ''}${macros}`,
        [
          `Remove the includes of services that no longer send as ${spf.domain}.`,
          'Replace an include with the ip4: and ip6: ranges it lists (flattening): they cost no lookup, but the record must follow when the service changes its ranges.',
          `Send each service from its own subdomain (news.${spf.domain} for newsletters), each with its own SPF record and its own 10 lookups.`,
          'Replace a and mx with the ip4: and ip6: addresses of your own servers when those are fixed.',
        ],
      ),
    ];
  },
};

export const spfTooManyVoidLookups: PostureRule = {
  id: 'spf-too-many-void-lookups',
  check(facts) {
    const { spf } = facts;
    if (spf.voidLookups <= 2 && !errorOf(facts, 'too-many-void-lookups')) return [];
    const voids = (spf.tree ? spfNodes(spf.tree) : []).flatMap((node) =>
      node.terms.filter((term) => term.voidLookups > 0).map((term) => `${term.text} in ${node.domain}`),
    );
    return [
      postureFinding(
        'spf-too-many-void-lookups',
        'critical',
        `${plural(spf.voidLookups, 'lookup')} of ${spf.domain}'s SPF found nothing (no such name, or no record), more than the 2 RFC 7208 §4.6.4 allows: ${FAILS_ALL}${voids.length > 0 ? ` (${listed(voids)})` : ''}`,
        [
          'Remove the terms that name domains without records: services you left, typos, hosts taken down.',
          "Check the spelling of each include against the service's documentation.",
        ],
      ),
    ];
  },
};

export const spfSyntax: PostureRule = {
  id: 'spf-syntax',
  check(facts) {
    const error = errorOf(facts, 'syntax', 'include-without-spf', 'redirect-without-spf');
    if (!error) return [];
    const term = error.term ?? '';
    if (error.kind === 'syntax') {
      return [
        postureFinding(
          'spf-syntax',
          'critical',
          `${where(facts, error)} holds a term receivers cannot parse, "${term}" (${error.message}): ${FAILS_ALL}`,
          [
            `Correct or remove "${term}": terms are written include:domain, ip4:address/prefix, ip6:address/prefix, a, mx, -all, separated by single spaces.`,
            'A record split into several TXT strings is joined with no space: check where the strings meet.',
          ],
        ),
      ];
    }
    const section = error.kind === 'include-without-spf' ? '§5.2' : '§6.1';
    return [
      postureFinding(
        'spf-syntax',
        'critical',
        `"${term}" in ${where(facts, error)} names a domain without an SPF record (RFC 7208 ${section}): ${FAILS_ALL}`,
        [
          `Check "${term}" against the sending service's documentation (a typo, or a name it has since changed).`,
          'Remove it if you no longer send with that service.',
        ],
      ),
    ];
  },
};

export const spfLoop: PostureRule = {
  id: 'spf-loop',
  check(facts) {
    const error = errorOf(facts, 'loop');
    if (!error) return [];
    return [
      postureFinding(
        'spf-loop',
        'critical',
        `${where(facts, error)} leads back to a record already evaluated${error.term ? ` through "${error.term}"` : ''}: ${FAILS_ALL}`,
        [`Remove the include or redirect that points back (${error.term ?? 'see the tree'}).`],
      ),
    ];
  },
};

export const spfAllowsAll: PostureRule = {
  id: 'spf-allows-all',
  check(facts) {
    const { spf } = facts;
    if (!spf.tree?.record) return [];
    const chain = passesEveryone(spf.tree);
    if (chain) {
      const through =
        chain.length > 1 ? ` through ${chain.slice(1).join(' → ')}, whose record ends in +all` : ' with +all';
      return [
        postureFinding(
          'spf-allows-all',
          'critical',
          `${spf.domain}'s SPF passes every address${through}: any server on the internet passes SPF as ${spf.domain}`,
          chain.length > 1
            ? [`Remove the include of ${chain[1]}, or ask whoever runs it to end its record in ~all or -all.`]
            : [
                'End the record in ~all instead (the suggested record), once every service that sends as the domain is listed.',
                'Move to -all after DMARC reports show all your mail passing.',
              ],
        ),
      ];
    }
    const all = effectiveAll(spf.tree);
    if (!all || qualifierOf(all.term) !== '?') return [];
    return [
      postureFinding(
        'spf-allows-all',
        'warning',
        `${all.node.domain === spf.domain ? `${spf.domain}'s SPF` : `The SPF record ${spf.domain} redirects to (${all.node.domain})`} ends in ${all.term.text}: servers it does not list get neutral, neither pass nor fail, so SPF tells receivers nothing about forgeries`,
        [
          'End the record in ~all (the suggested record), then -all once DMARC reports show all your mail passing.',
        ],
      ),
    ];
  },
};

export const spfNoAll: PostureRule = {
  id: 'spf-no-all',
  check(facts) {
    const { spf } = facts;
    if (!spf.tree?.record || spf.error) return [];
    if (spf.tree.terms.some((term) => term.kind === 'all' || term.kind === 'redirect')) return [];
    return [
      postureFinding(
        'spf-no-all',
        'warning',
        `${spf.domain}'s SPF ends with neither an all term nor redirect=: servers it does not list get neutral, as with ?all`,
        [
          'Append ~all (the suggested record), then move to -all once DMARC reports show all your mail passing.',
        ],
      ),
    ];
  },
};

export const spfPtr: PostureRule = {
  id: 'spf-ptr',
  check(facts) {
    const { spf } = facts;
    const nodes = (spf.tree ? spfNodes(spf.tree) : []).filter((node) =>
      node.terms.some((term) => term.kind === 'ptr' && !term.unreached),
    );
    if (nodes.length === 0) return [];
    const own = nodes.some((node) => node.domain === spf.domain);
    return [
      postureFinding(
        'spf-ptr',
        'warning',
        `${spf.domain}'s SPF uses ptr (in ${listed(nodes.map((node) => node.domain))}), which RFC 7208 §5.5 says not to use: it is slow, depends on reverse DNS nobody controls, and some receivers skip it`,
        own
          ? ['Replace ptr with the ip4: and ip6: addresses (or a:host) of the servers it was meant to match.']
          : ['Ask the service whose record uses ptr to replace it, or list its addresses yourself.'],
      ),
    ];
  },
};

export const spfLookupFailed: PostureRule = {
  id: 'spf-lookup-failed',
  check(facts) {
    const { spf } = facts;
    const consequence = 'receivers get temperror and defer its mail, or reject it';
    if (spf.lookupError) {
      if (budgetSpent(facts, spf.domain)) return [];
      return [
        postureFinding(
          'spf-lookup-failed',
          'critical',
          `The TXT lookup of ${spf.domain} got no answer (${spf.lookupError}): ${consequence}`,
          [
            `Check that every name server of ${spf.domain} answers TXT questions (dig TXT ${spf.domain} @each NS).`,
            'Run the check again: a single timeout may be the network between here and there.',
          ],
        ),
      ];
    }
    const error = errorOf(facts, 'temperror');
    if (!error || budgetSpent(facts, error.domain)) return [];
    return [
      postureFinding(
        'spf-lookup-failed',
        'critical',
        `A lookup for ${where(facts, error)}${error.term ? ` (${error.term})` : ''} got no answer (${error.message}): ${consequence}`,
        [
          `Check that the name servers of ${error.domain} answer.`,
          'Run the check again: a single timeout may be the network between here and there.',
        ],
      ),
    ];
  },
};

/** In the order a reader meets the problems: the record is missing, broken, then loose. */
export const SPF_RULES: readonly PostureRule[] = [
  spfLookupFailed,
  spfMissing,
  spfMultipleRecords,
  spfSyntax,
  spfLoop,
  spfTooManyLookups,
  spfTooManyVoidLookups,
  spfAllowsAll,
  spfNoAll,
  spfPtr,
];
