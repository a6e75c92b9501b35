import type { PostureFacts } from '../../posture/index.js';
import type { PostureFinding, PostureFindingId, SenderRule, SenderRuleId } from '../types.js';
import { type AuthenticationState, dkimState, dmarcState, spfState } from './authentication-state.js';
import { postureFinding } from './posture-rule.js';

// The mailbox providers' published sender requirements: Gmail and Yahoo since February 2024,
// Outlook.com for bulk senders since May 2025. DNS answers some of them; the rest are in the
// messages or the providers' dashboards, and the rule says where to look instead of guessing.

interface States {
  spf: AuthenticationState;
  dkim: AuthenticationState;
  dmarc: AuthenticationState;
}

interface SenderRuleSpec {
  provider: SenderRule['provider'];
  id: SenderRuleId;
  rule: string;
  appliesTo: SenderRule['appliesTo'];
  judge(facts: PostureFacts, states: States): AuthenticationState;
  /** What to do when the rule is not met (the advice of the `sender-<id>` finding). */
  advice?(facts: PostureFacts): string[];
  /**
   * The findings that say a miss of this rule instead of `sender-<id>`, when the same fact is
   * judged elsewhere: the rule keeps its line in the table, the fact is said once.
   */
  saidBy?: readonly PostureFindingId[];
}

function either(a: AuthenticationState, b: AuthenticationState): AuthenticationState {
  if (a.status === 'yes' || b.status === 'yes') return a.status === 'yes' ? a : b;
  const status = a.status === 'no' && b.status === 'no' ? 'no' : 'unknown';
  return { status, evidence: `${a.evidence}; ${b.evidence}` };
}

function both(a: AuthenticationState, b: AuthenticationState): AuthenticationState {
  if (a.status === 'yes' && b.status === 'yes')
    return { status: 'yes', evidence: `${a.evidence}; ${b.evidence}` };
  const missing = [a, b].filter((state) => state.status !== 'yes');
  return {
    status: missing.some((state) => state.status === 'no') ? 'no' : 'unknown',
    evidence: missing.map((state) => state.evidence).join('; '),
  };
}

function reverseDns(facts: PostureFacts): AuthenticationState {
  const sending = facts.sendingAddress;
  if (!sending) {
    return { status: 'unknown', evidence: 'give the sending address with ip/--ip to check its reverse DNS' };
  }
  if (sending.lookupError) {
    return {
      status: 'unknown',
      evidence: `the reverse lookup of ${sending.ip} got no answer (${sending.lookupError})`,
    };
  }
  if (sending.forwardConfirmed) {
    return {
      status: 'yes',
      evidence: `${sending.ip} has reverse DNS ${sending.ptr.join(', ')}, which resolves back to it`,
    };
  }
  if (sending.ptr.length === 0)
    return { status: 'no', evidence: `${sending.ip} has no reverse DNS (PTR) name` };
  return {
    status: 'no',
    evidence: `${sending.ip}'s reverse DNS (${sending.ptr.join(', ')}) does not resolve back to it`,
  };
}

/** Alignment is a property of each message; DNS can only tell when it is impossible. */
function alignment(states: States): AuthenticationState {
  if (states.spf.status === 'no' && states.dkim.status === 'no') {
    return {
      status: 'no',
      evidence: `neither SPF nor DKIM can pass, so neither aligns with From (${states.spf.evidence}; ${states.dkim.evidence})`,
    };
  }
  return {
    status: 'unknown',
    evidence:
      'it depends on each message: Authentication-Results of a delivered message say dmarc=pass when From aligns with SPF or DKIM',
  };
}

const unsubscribe: AuthenticationState = {
  status: 'unknown',
  evidence:
    'it is in the messages: List-Unsubscribe with an https URI and List-Unsubscribe-Post: List-Unsubscribe=One-Click',
};

const authAdvice = (facts: PostureFacts) => [
  `Publish an SPF record for ${facts.request.domain} listing every service that sends as it (see the SPF findings).`,
  `Turn DKIM signing on for ${facts.request.domain} at each sending service and publish the keys they give.`,
];
const dmarcAdvice = (facts: PostureFacts) => [
  `Publish a DMARC record at _dmarc.${facts.request.domain}, at least v=DMARC1; p=none with a rua= address (see the suggested record).`,
];
const alignmentAdvice = (facts: PostureFacts) => [
  `Sign with a DKIM key of ${facts.request.domain} (d=${facts.request.domain}) at the sending service: that aligns with From whatever the envelope sender.`,
  ...authAdvice(facts),
];
const never = () => [];

function bulkRules(
  provider: 'Gmail' | 'Yahoo',
  prefix: 'gmail-bulk' | 'yahoo',
  dashboard: string,
): SenderRuleSpec[] {
  return [
    {
      provider,
      id: `${prefix}-spf-and-dkim`,
      rule: 'bulk senders authenticate with both SPF and DKIM',
      appliesTo: 'bulk',
      judge: (_facts, states) => both(states.spf, states.dkim),
      advice: authAdvice,
    },
    {
      provider,
      id: `${prefix}-dmarc`,
      rule: 'bulk senders publish a DMARC record, at least p=none',
      appliesTo: 'bulk',
      judge: (_facts, states) => states.dmarc,
      advice: dmarcAdvice,
    },
    {
      provider,
      id: `${prefix}-alignment`,
      rule: 'the From domain aligns with the SPF or the DKIM domain',
      appliesTo: 'bulk',
      judge: (_facts, states) => alignment(states),
      advice: alignmentAdvice,
    },
    {
      provider,
      id: `${prefix}-one-click-unsubscribe`,
      rule: 'marketing mail offers one-click unsubscribe (RFC 8058)',
      appliesTo: 'bulk',
      judge: () => unsubscribe,
      advice: never,
    },
    {
      provider,
      id: `${prefix}-spam-rate`,
      rule: 'the spam rate reported by recipients stays under 0.3 %',
      appliesTo: 'bulk',
      judge: () => ({ status: 'unknown', evidence: `only the provider knows it: ${dashboard}` }),
      advice: never,
    },
  ];
}

export const SENDER_RULE_SPECS: readonly SenderRuleSpec[] = [
  {
    provider: 'Gmail',
    id: 'gmail-spf-or-dkim',
    rule: 'every sender authenticates with SPF or DKIM',
    appliesTo: 'all',
    judge: (_facts, states) => either(states.spf, states.dkim),
    advice: authAdvice,
  },
  {
    provider: 'Gmail',
    id: 'gmail-reverse-dns',
    rule: 'the sending address has reverse DNS that resolves back to it',
    appliesTo: 'all',
    judge: (facts) => reverseDns(facts),
    // With the MX addresses' reverse DNS, by the reputation rules.
    saidBy: ['ptr-missing', 'fcrdns-mismatch'],
  },
  ...bulkRules(
    'Gmail',
    'gmail-bulk',
    'Google Postmaster Tools (postmaster.google.com) shows it for verified domains',
  ),
  ...bulkRules('Yahoo', 'yahoo', 'Yahoo Sender Hub (senders.yahooinc.com) shows it'),
  {
    provider: 'Outlook.com',
    id: 'outlook-spf',
    rule: 'bulk senders pass SPF for the sending domain',
    appliesTo: 'bulk',
    judge: (facts, states) =>
      states.spf.status === 'yes' && !facts.spf.result
        ? {
            status: 'yes',
            evidence: `${states.spf.evidence}; give ip/--ip to check it passes for your sending address`,
          }
        : states.spf,
    advice: (facts) => [
      `List every address that sends as ${facts.request.domain} in its SPF record (see the SPF findings).`,
    ],
  },
  {
    provider: 'Outlook.com',
    id: 'outlook-dkim',
    rule: 'bulk senders sign with DKIM that verifies',
    appliesTo: 'bulk',
    judge: (_facts, states) => states.dkim,
    advice: (facts) => [
      `Turn DKIM signing on for ${facts.request.domain} at each sending service and publish the keys they give.`,
    ],
  },
  {
    provider: 'Outlook.com',
    id: 'outlook-dmarc',
    rule: 'bulk senders publish DMARC at least p=none, aligned with SPF or DKIM',
    appliesTo: 'bulk',
    judge: (_facts, states) => states.dmarc,
    advice: dmarcAdvice,
  },
];

export function judgeSenderRules(facts: PostureFacts): SenderRule[] {
  const states: States = { spf: spfState(facts), dkim: dkimState(facts), dmarc: dmarcState(facts) };
  return SENDER_RULE_SPECS.map((spec) => {
    const { status, evidence } = spec.judge(facts, states);
    return {
      provider: spec.provider,
      id: spec.id,
      rule: spec.rule,
      appliesTo: spec.appliesTo,
      status,
      evidence,
    };
  });
}

/** A rule not met is a finding: critical when every sender must meet it, a warning for bulk ones. */
export function senderFindings(facts: PostureFacts, rules: readonly SenderRule[]): PostureFinding[] {
  return rules.flatMap((rule) => {
    if (rule.status !== 'no') return [];
    const spec = SENDER_RULE_SPECS.find((candidate) => candidate.id === rule.id);
    if (spec?.saidBy) return [];
    return [
      postureFinding(
        `sender-${rule.id}`,
        rule.appliesTo === 'all' ? 'critical' : 'warning',
        `${rule.provider}${rule.appliesTo === 'bulk' ? ' (bulk senders)' : ''}: ${rule.rule}; not met: ${rule.evidence}`,
        spec?.advice?.(facts) ?? [],
      ),
    ];
  });
}
