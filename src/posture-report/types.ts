import type { Severity } from '../diagnose/types.js';
import type { PostureFacts } from '../posture/types.js';

// The domain report: the facts DNS gave (src/posture) judged by pure rules. Ids and statuses are
// stored (watches) and printed (JSON, exit codes): they are declared once here and never renamed.

export const POSTURE_FINDING_IDS = [
  'spf-missing',
  'spf-multiple-records',
  'spf-too-many-lookups',
  'spf-too-many-void-lookups',
  'spf-syntax',
  'spf-loop',
  'spf-allows-all',
  'spf-no-all',
  'spf-ptr',
  'spf-lookup-failed',
  'dkim-not-found',
  'dkim-weak-key',
  'dkim-revoked',
  'dkim-testing',
  'dmarc-missing',
  'dmarc-multiple-records',
  'dmarc-syntax',
  'dmarc-policy-none',
  'dmarc-partial-pct',
  'dmarc-report-destination-unauthorized',
  'bimi-prerequisite-missing',
  'mx-null',
  'mx-cname',
  'mx-private',
  'mx-missing',
  'mta-sts-record-invalid',
  'mta-sts-policy-unreachable',
  'mta-sts-policy-invalid',
  'mta-sts-mx-not-covered',
  'mta-sts-certificate-mismatch',
  'mta-sts-testing',
  'tlsrpt-missing',
  'dnssec-bogus',
  'dane-without-dnssec',
  'dane-mismatch',
  'ptr-missing',
  'fcrdns-mismatch',
  'ptr-greeting-mismatch',
  'dnsbl-listed',
  'dnsbl-query-refused',
  'dns-budget-exhausted',
  'dns-resolver-failed',
] as const;

/** The mailbox providers' sender rules, one id each; a rule that is not met is a finding `sender-<id>`. */
export const SENDER_RULE_IDS = [
  'gmail-spf-or-dkim',
  'gmail-reverse-dns',
  'gmail-bulk-spf-and-dkim',
  'gmail-bulk-dmarc',
  'gmail-bulk-alignment',
  'gmail-bulk-one-click-unsubscribe',
  'gmail-bulk-spam-rate',
  'yahoo-spf-and-dkim',
  'yahoo-dmarc',
  'yahoo-alignment',
  'yahoo-one-click-unsubscribe',
  'yahoo-spam-rate',
  'outlook-spf',
  'outlook-dkim',
  'outlook-dmarc',
] as const;
export type SenderRuleId = (typeof SENDER_RULE_IDS)[number];

export type PostureFindingId = (typeof POSTURE_FINDING_IDS)[number] | `sender-${SenderRuleId}`;

export interface PostureFinding {
  id: PostureFindingId;
  severity: Severity;
  /** One sentence with the evidence. */
  summary: string;
  /** What to do, in the order a person would try it. */
  advice: string[];
}

export const SENDER_RULE_STATUSES = ['yes', 'no', 'unknown'] as const;
/** `unknown`: it cannot be told from outside (the messages or the provider's dashboard say). */
export type SenderRuleStatus = (typeof SENDER_RULE_STATUSES)[number];

export interface SenderRule {
  provider: 'Gmail' | 'Yahoo' | 'Outlook.com';
  id: SenderRuleId;
  /** The rule in a sentence ("bulk senders publish a DMARC record, at least p=none"). */
  rule: string;
  /** Who it applies to: every sender, or bulk senders (5 000 messages a day and more to the provider). */
  appliesTo: 'all' | 'bulk';
  status: SenderRuleStatus;
  /** What was seen, or for `unknown` where to look. */
  evidence: string;
}

/** A record to publish, ready to paste into a zone or a DNS provider's form. */
export interface SuggestedRecord {
  name: string;
  type: 'TXT';
  value: string;
  /** Why, in a sentence. */
  why: string;
}

export type PostureVerdict = 'ok' | 'warning' | 'critical';

export interface DomainReport {
  facts: PostureFacts;
  verdict: PostureVerdict;
  findings: PostureFinding[];
  senderRules: SenderRule[];
  fixes: SuggestedRecord[];
}
