/** Outcome of asking for one more check. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number; reason: string };

export interface RateLimits {
  /** Checks one user may start per minute. */
  perUserPerMinute: number;
  /**
   * Checks of one target per minute, whoever asks (protects the target, and our IP's reputation):
   * counted per name as typed (any case, with or without the trailing dot) before a check starts,
   * and per address dialled, so several names for one server share one allowance.
   */
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
  private readonly addresses = new Map<string, number[]>();
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
    const key = nameKey(target);
    const targetTimes = recent(this.targets.get(key), now);
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
        reason: `${key} was checked ${targetTimes.length} times in the last minute (limit ${this.limits.perTargetPerMinute})`,
      };
    }
    userTimes.push(now);
    targetTimes.push(now);
    this.users.set(user, userTimes);
    this.targets.set(key, targetTimes);
    return { allowed: true };
  }

  /**
   * Records one check dialling `address` (called once the name is resolved, before any
   * connection); refused when the address has had perTargetPerMinute checks in the last minute,
   * whatever names they were typed as.
   */
  takeAddress(address: string): RateDecision {
    const now = this.now();
    this.sweep(now);
    const key = address.toLowerCase();
    const times = recent(this.addresses.get(key), now);
    if (times.length >= this.limits.perTargetPerMinute) {
      return {
        allowed: false,
        retryAfterMs: (times[0] ?? now) + WINDOW_MS - now,
        reason: `${address} was checked ${times.length} times in the last minute, under this name or others (limit ${this.limits.perTargetPerMinute})`,
      };
    }
    times.push(now);
    this.addresses.set(key, times);
    return { allowed: true };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < WINDOW_MS) return;
    this.lastSweep = now;
    for (const map of [this.users, this.targets, this.addresses]) {
      for (const [key, times] of map) if (recent(times, now).length === 0) map.delete(key);
    }
  }
}

/** `Mail.Example.COM.` and `mail.example.com` are one name. */
function nameKey(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function recent(times: number[] | undefined, now: number): number[] {
  return (times ?? []).filter((time) => now - time < WINDOW_MS);
}
