import type { PostureFacts } from '../../src/posture/types.js';
import type { DomainReport, PostureFinding } from '../../src/posture-report/types.js';
import { postureFacts } from './posture-builders.js';

// A judged domain report around the posture builders' facts: a test states the facts it breaks and
// the findings it expects the advice to come from; the verdict follows the findings.

export function aDomainReport(
  facts: Partial<PostureFacts> = {},
  findings: PostureFinding[] = [],
): DomainReport {
  const verdict = findings.some((f) => f.severity === 'critical')
    ? 'critical'
    : findings.some((f) => f.severity === 'warning')
      ? 'warning'
      : 'ok';
  return { facts: postureFacts(facts), verdict, findings, senderRules: [], fixes: [] };
}
