export type * from './types.js';
export { POSTURE_FINDING_IDS, SENDER_RULE_IDS, SENDER_RULE_STATUSES } from './types.js';
export { type CheckDomain, createCheckDomain } from './check-domain.js';
