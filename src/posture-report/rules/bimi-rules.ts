import type { PostureFacts } from '../../posture/index.js';
import { appliedPolicy } from './authentication-state.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

/** Why mailbox providers will not show the logo: BIMI needs DMARC enforced on all the mail. */
export function bimiBlockers(facts: PostureFacts): string[] {
  const { dmarc } = facts;
  if (dmarc.records.length !== 1 || dmarc.lookupError) return ['no usable DMARC record'];
  const policy = appliedPolicy(dmarc);
  const blockers: string[] = [];
  if (policy !== 'quarantine' && policy !== 'reject') blockers.push(`DMARC p=${policy ?? 'missing'}`);
  if (dmarc.pct < 100) blockers.push(`pct=${dmarc.pct}`);
  if (dmarc.subdomainPolicy === 'none' && policy !== 'none') blockers.push('sp=none');
  return blockers;
}

export const bimiPrerequisiteMissing: PostureRule = {
  id: 'bimi-prerequisite-missing',
  check(facts) {
    if (facts.bimi.record === null) return [];
    const blockers = bimiBlockers(facts);
    if (blockers.length === 0) return [];
    return [
      postureFinding(
        'bimi-prerequisite-missing',
        'warning',
        `${facts.bimi.name} publishes a BIMI record, but mailbox providers show the logo only under DMARC p=quarantine or p=reject at pct=100 (and no sp=none): here ${listed(blockers)}`,
        [
          'Move DMARC to p=quarantine (the suggested record) once the reports show all your mail passing, then p=reject.',
          'Remove pct= and sp=none, so the policy covers all the mail of the domain and its subdomains.',
        ],
      ),
    ];
  },
};

export const BIMI_RULES: readonly PostureRule[] = [bimiPrerequisiteMissing];
