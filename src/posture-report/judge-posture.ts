import { compareSeverity } from '../diagnose/index.js';
import type { PostureFacts } from '../posture/index.js';
import { BIMI_RULES } from './rules/bimi-rules.js';
import { DANE_RULES } from './rules/dane-rules.js';
import { DKIM_RULES } from './rules/dkim-rules.js';
import { DMARC_RULES } from './rules/dmarc-rules.js';
import { DNS_RULES, resolverFailed } from './rules/dns-rules.js';
import { MTA_STS_RULES } from './rules/mta-sts-rules.js';
import { MX_RULES } from './rules/mx-rules.js';
import type { PostureRule } from './rules/posture-rule.js';
import { REPUTATION_RULES } from './rules/reputation-rules.js';
import { judgeSenderRules, senderFindings } from './rules/sender-rules.js';
import { suggestedRecords } from './rules/suggested-records.js';
import { SPF_RULES } from './rules/spf-rules.js';
import type { DomainReport, PostureFinding, PostureVerdict } from './types.js';

/** By part, in the order a report reads: the listing order within a severity. */
export const POSTURE_RULES: readonly PostureRule[] = [
  ...SPF_RULES,
  ...DKIM_RULES,
  ...DMARC_RULES,
  ...BIMI_RULES,
  ...MX_RULES,
  ...MTA_STS_RULES,
  ...DANE_RULES,
  ...REPUTATION_RULES,
  ...DNS_RULES,
];

export function postureVerdict(findings: readonly PostureFinding[]): PostureVerdict {
  if (findings.some((finding) => finding.severity === 'critical')) return 'critical';
  if (findings.some((finding) => finding.severity === 'warning')) return 'warning';
  return 'ok';
}

/** The domain report: pure, so watches can judge stored facts again. */
export function judgePosture(facts: PostureFacts): DomainReport {
  const senderRules = judgeSenderRules(facts);
  // A resolver that answered nothing at all told nothing about the domain: only that is said, so no
  // part blames the domain's own name servers or calls a key missing.
  const rules = resolverFailed(facts) ? DNS_RULES : POSTURE_RULES;
  const findings = [...rules.flatMap((rule) => rule.check(facts)), ...senderFindings(facts, senderRules)];
  // Array sort is stable: within a severity, findings keep the rules' order.
  findings.sort((a, b) => compareSeverity(a.severity, b.severity));
  return { facts, verdict: postureVerdict(findings), findings, senderRules, fixes: suggestedRecords(facts) };
}
