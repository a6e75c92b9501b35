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

/** The window every rate limit counts in, here and in the fleet's database. */
export const RATE_WINDOW_MS = 60_000;
const WINDOW_MS = RATE_WINDOW_MS;

/**
 * The refusal for a key that had `count` checks in the window, the oldest at `oldestMs`: one
 * wording whether the counting was done in this process or in a database shared by a fleet.
 */
export function rateRefusal(
  scope: 'user' | 'target' | 'address',
  key: string,
  count: number,
  limit: number,
  oldestMs: number,
  nowMs: number,
): RateDecision {
  const reason =
    scope === 'user'
      ? `you have started ${count} checks in the last minute (limit ${limit})`
      : scope === 'target'
        ? `${key} was checked ${count} times in the last minute (limit ${limit})`
        : `${key} was checked ${count} times in the last minute, under this name or others (limit ${limit})`;
  return { allowed: false, retryAfterMs: oldestMs + WINDOW_MS - nowMs, reason };
}

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
      const { perUserPerMinute } = this.limits;
      return rateRefusal('user', user, userTimes.length, perUserPerMinute, userTimes[0] ?? now, now);
    }
    if (targetTimes.length >= this.limits.perTargetPerMinute) {
      const { perTargetPerMinute } = this.limits;
      return rateRefusal('target', key, targetTimes.length, perTargetPerMinute, targetTimes[0] ?? now, now);
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
      const limit = this.limits.perTargetPerMinute;
      return rateRefusal('address', address, times.length, limit, times[0] ?? now, now);
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
export function nameKey(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function recent(times: number[] | undefined, now: number): number[] {
  return (times ?? []).filter((time) => now - time < WINDOW_MS);
}
