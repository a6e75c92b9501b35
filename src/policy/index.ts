export { createTargetPolicy, embeddedIpv4, PolicyError, refusedRange } from './target-policy.js';
export type { TargetPolicy } from './target-policy.js';
