import type { DmarcDestination, PostureFacts } from '../../posture/index.js';
import { plural } from '../../text/plural.js';
import { appliedPolicy } from './authentication-state.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

// DMARC as RFC 7489 has receivers apply it. A record found at the organizational domain applies
// to the domain too (its sp=), and the findings say it was inherited so the fix lands there.

/** Where the record lives, and whether the domain inherits it. */
function whereRecord(facts: PostureFacts): string {
  const { dmarc } = facts;
  const name = `_dmarc.${dmarc.sourceDomain ?? facts.request.domain}`;
  return dmarc.source === 'organizational' ? `${name} (inherited from the organizational domain)` : name;
}

/** A single record, whatever its state: the rules past "missing" and "several" judge it. */
function single(facts: PostureFacts): boolean {
  return facts.dmarc.records.length === 1 && !facts.dmarc.lookupError;
}

export const dmarcMissing: PostureRule = {
  id: 'dmarc-missing',
  check(facts) {
    const { dmarc } = facts;
    if (dmarc.lookupError || dmarc.records.length > 0) return [];
    const domain = facts.request.domain;
    const org = dmarc.organizationalDomain !== domain ? ` nor at _dmarc.${dmarc.organizationalDomain}` : '';
    return [
      postureFinding(
        'dmarc-missing',
        'critical',
        `No DMARC record at _dmarc.${domain}${org}: Gmail, Yahoo and Outlook.com require at least p=none of bulk senders, and receivers have no policy for mail forged as ${domain}`,
        [
          `Publish TXT at _dmarc.${domain}: v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain} (the mailbox must exist, or use a DMARC reporting service's address).`,
          'Read the aggregate reports for a few weeks until every service sending as the domain passes aligned SPF or DKIM.',
          'Then move to p=quarantine, and later p=reject.',
        ],
      ),
    ];
  },
};

export const dmarcMultipleRecords: PostureRule = {
  id: 'dmarc-multiple-records',
  check(facts) {
    const { dmarc } = facts;
    if (dmarc.records.length <= 1) return [];
    return [
      postureFinding(
        'dmarc-multiple-records',
        'critical',
        `${whereRecord(facts)} holds ${dmarc.records.length} DMARC records: receivers apply none of them (RFC 7489 §6.6.3)`,
        [
          `Keep one v=DMARC1 record at _dmarc.${dmarc.sourceDomain ?? facts.request.domain} and delete the others.`,
        ],
      ),
    ];
  },
};

export const dmarcSyntax: PostureRule = {
  id: 'dmarc-syntax',
  check(facts) {
    const { dmarc } = facts;
    if (!single(facts) || (dmarc.syntaxErrors.length === 0 && dmarc.policy !== null)) return [];
    // Without a policy the record is not applied at all; other problems leave it working.
    const unusable = dmarc.policy === null;
    const problems =
      dmarc.syntaxErrors.length > 0 ? `: ${dmarc.syntaxErrors.join('; ')}` : ': it sets no policy';
    return [
      postureFinding(
        'dmarc-syntax',
        unusable ? 'critical' : 'warning',
        `The DMARC record at ${whereRecord(facts)} has ${plural(Math.max(dmarc.syntaxErrors.length, 1), 'problem')}${problems}${unusable ? '; receivers apply no DMARC policy' : ''}`,
        [
          'Correct the tags named: v=DMARC1 first, then p=none, quarantine or reject, separated by semicolons.',
          'Report addresses are written rua=mailto:address; several are separated by commas.',
        ],
      ),
    ];
  },
};

export const dmarcPolicyNone: PostureRule = {
  id: 'dmarc-policy-none',
  check(facts) {
    const { dmarc } = facts;
    if (!single(facts) || appliedPolicy(dmarc) !== 'none') return [];
    const tag = dmarc.source === 'organizational' && dmarc.tags.sp !== undefined ? 'sp=none' : 'p=none';
    return [
      postureFinding(
        'dmarc-policy-none',
        'warning',
        `The DMARC policy for ${facts.request.domain} is ${tag} at ${whereRecord(facts)}: monitoring only, mail forged as the domain is delivered as usual`,
        [
          ...(dmarc.rua.length === 0
            ? ['Add rua=mailto:… first: without aggregate reports, p=none tells you nothing.']
            : []),
          'Read the aggregate reports until every service sending as the domain passes aligned SPF or DKIM.',
          'Then move to p=quarantine (the suggested record), and after a quiet few weeks to p=reject.',
        ],
      ),
    ];
  },
};

const ONE_STEP_LOWER = { quarantine: 'none', reject: 'quarantine' } as const;

export const dmarcPartialPct: PostureRule = {
  id: 'dmarc-partial-pct',
  check(facts) {
    const { dmarc } = facts;
    const policy = appliedPolicy(dmarc);
    if (!single(facts) || dmarc.pct >= 100 || (policy !== 'quarantine' && policy !== 'reject')) return [];
    return [
      postureFinding(
        'dmarc-partial-pct',
        'warning',
        `pct=${dmarc.pct} at ${whereRecord(facts)}: p=${policy} applies to ${dmarc.pct} % of failing mail, the rest is treated as ${ONE_STEP_LOWER[policy]} (RFC 7489 §6.6.4)`,
        ['Raise pct step by step as the reports stay clean, then drop the tag: 100 is the default.'],
      ),
    ];
  },
};

function authorizationName(facts: PostureFacts, destination: DmarcDestination): string {
  return (
    destination.authorizationName ??
    `${facts.dmarc.sourceDomain ?? facts.request.domain}._report._dmarc.${destination.domain ?? ''}`
  );
}

export const dmarcReportDestinationUnauthorized: PostureRule = {
  id: 'dmarc-report-destination-unauthorized',
  check(facts) {
    const { dmarc } = facts;
    if (!single(facts)) return [];
    const refused = [...dmarc.rua, ...dmarc.ruf].filter(
      (destination) => destination.external && destination.authorized === false,
    );
    if (refused.length === 0) return [];
    return [
      postureFinding(
        'dmarc-report-destination-unauthorized',
        'warning',
        `${listed(refused.map((destination) => destination.uri))}: report destination${refused.length === 1 ? '' : 's'} outside ${dmarc.organizationalDomain} without an authorization record, so receivers will not send reports there (RFC 7489 §7.1)`,
        [
          ...refused.map(
            (destination) =>
              `${destination.domain ?? 'The destination'} must publish TXT at ${authorizationName(facts, destination)}: v=DMARC1 (a reporting service does so when the domain is added to its account).`,
          ),
          'Or send the reports to a mailbox of your own domain.',
        ],
      ),
    ];
  },
};

export const DMARC_RULES: readonly PostureRule[] = [
  dmarcMissing,
  dmarcMultipleRecords,
  dmarcSyntax,
  dmarcPolicyNone,
  dmarcPartialPct,
  dmarcReportDestinationUnauthorized,
];
