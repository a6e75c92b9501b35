export {
  createTargetPolicy,
  embeddedIpv4,
  embeddedIpv4s,
  PolicyError,
  refusedRange,
} from './target-policy.js';
export type { TargetPolicy } from './target-policy.js';
export { DEFAULT_RATE_LIMITS, nameKey, RATE_WINDOW_MS, RateLimiter, rateRefusal } from './rate-limiter.js';
export type { RateDecision, RateLimits } from './rate-limiter.js';
export { Semaphore } from './semaphore.js';
export type { SemaphorePriority } from './semaphore.js';
