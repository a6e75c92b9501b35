/** Outcome of asking for one more check. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number; reason: string };

export interface RateLimits {
  /** Checks one user may start per minute. */
  perUserPerMinute: number;
  /** Checks of one target per minute, whoever asks (protects the target, and our IP's reputation). */
  perTargetPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perUserPerMinute: 10, perTargetPerMinute: 6 };

const WINDOW_MS = 60_000;

/**
 * Sliding one-minute windows per user and per target, with an injected clock. Memory stays
 * bounded: a key whose window has emptied is dropped on the next sweep.
 */
export class RateLimiter {
  private readonly users = new Map<string, number[]>();
  private readonly targets = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number,
  ) {}

  /** Records the check when allowed; a refused attempt does not count against the user. */
  take(user: string, target: string): RateDecision {
    const now = this.now();
    this.sweep(now);
    const userTimes = recent(this.users.get(user), now);
    const targetTimes = recent(this.targets.get(target.toLowerCase()), now);
    if (userTimes.length >= this.limits.perUserPerMinute) {
      return {
        allowed: false,
        retryAfterMs: (userTimes[0] ?? now) + WINDOW_MS - now,
        reason: `you have started ${userTimes.length} checks in the last minute (limit ${this.limits.perUserPerMinute})`,
      };
    }
    if (targetTimes.length >= this.limits.perTargetPerMinute) {
      return {
        allowed: false,
        retryAfterMs: (targetTimes[0] ?? now) + WINDOW_MS - now,
        reason: `${target} was checked ${targetTimes.length} times in the last minute (limit ${this.limits.perTargetPerMinute})`,
      };
    }
    userTimes.push(now);
    targetTimes.push(now);
    this.users.set(user, userTimes);
    this.targets.set(target.toLowerCase(), targetTimes);
    return { allowed: true };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < WINDOW_MS) return;
    this.lastSweep = now;
    for (const map of [this.users, this.targets]) {
      for (const [key, times] of map) if (recent(times, now).length === 0) map.delete(key);
    }
  }
}

function recent(times: number[] | undefined, now: number): number[] {
  return (times ?? []).filter((time) => now - time < WINDOW_MS);
}
