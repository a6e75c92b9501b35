import { Semaphore } from '../policy/index.js';
import type { RunCheck } from './types.js';

export interface ConcurrencyLimits {
  /** Checks running at once across the bot; the rest wait their turn. */
  maxConcurrentChecks: number;
  /** Checks of one target at once: a second check of the same host waits, so its connections never pile up. */
  maxPerTarget: number;
}

export interface LimitedRunCheck {
  runCheck: RunCheck;
  /** Checks running now, and the most seen at once (tests and benchmarks read these). */
  stats(): { running: number; peak: number };
}

/** Wraps a RunCheck with a global cap and a per-target cap on simultaneous checks. */
export function limitConcurrency(runCheck: RunCheck, limits: ConcurrencyLimits): LimitedRunCheck {
  const global = new Semaphore(limits.maxConcurrentChecks);
  const perTarget = new Map<string, { semaphore: Semaphore; users: number }>();

  const limited: RunCheck = async (request, hooks) => {
    const key = request.target.toLowerCase();
    const entry = perTarget.get(key) ?? { semaphore: new Semaphore(limits.maxPerTarget), users: 0 };
    entry.users += 1;
    perTarget.set(key, entry);
    try {
      return await entry.semaphore.run(() => global.run(() => runCheck(request, hooks)));
    } finally {
      entry.users -= 1;
      if (entry.users === 0) perTarget.delete(key);
    }
  };
  return { runCheck: limited, stats: () => ({ running: global.inUse, peak: global.peak }) };
}
