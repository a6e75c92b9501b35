import { Semaphore } from '../policy/index.js';
import type { CheckHooks, CheckRequest, RunCheck } from './types.js';

export interface ConcurrencyLimits {
  /** Checks running at once across the bot; the rest wait their turn, people's checks first. */
  maxConcurrentChecks: number;
  /** Checks of one target at once: a second check of the same host waits, so its connections never pile up. */
  maxPerTarget: number;
  /**
   * Slots scheduled re-checks never take, so a person's check starts at once even in the middle
   * of a tick. Default: a quarter of maxConcurrentChecks (at least one when there are two or more).
   */
  reservedForInteractive?: number;
}

/**
 * Holds a target across a fleet of replicas (see src/fleet-context): resolves once this replica may
 * check it, with the function that lets go. Without it the wait is this process's alone.
 */
export type HoldTarget = (targetKey: string) => Promise<() => Promise<void>>;

export interface LimitedRunCheck {
  /** For a person's check (slash command, button, console, watch baseline): served first. */
  runCheck: RunCheck;
  /** For the schedule's re-checks: they take only the unreserved slots, and yield to people. */
  runScheduledCheck: RunCheck;
  /** Checks running now, the most seen at once, and checks waiting (tests and benchmarks read these). */
  stats(): { running: number; peak: number; queued: number };
}

/**
 * The same host typed as `MAIL.example.com.` and `mail.example.com` is one target. Different
 * names for one address are not caught here (this runs before any lookup): the probe caps the
 * sockets open to one address, and the per-address rate limit counts at dial time.
 */
export function targetKey(target: string): string {
  return target.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Wraps a RunCheck with a global cap and a per-target cap on simultaneous checks. A person's
 * check is never stuck behind a tick of a thousand watched hosts: some slots are kept for people,
 * scheduled checks queue behind every waiting interactive one, and none starts while a person's
 * check is under way.
 */
export function limitConcurrency(
  runCheck: RunCheck,
  limits: ConcurrencyLimits,
  fleet: { holdTarget?: HoldTarget } = {},
): LimitedRunCheck {
  const global = new Semaphore(limits.maxConcurrentChecks);
  const reserved =
    limits.reservedForInteractive ??
    (limits.maxConcurrentChecks >= 2 ? Math.max(1, Math.floor(limits.maxConcurrentChecks / 4)) : 0);
  const scheduledSlots = new Semaphore(Math.max(1, limits.maxConcurrentChecks - reserved));
  const perTarget = new Map<string, { semaphore: Semaphore; users: number }>();
  // While a person's check runs (or waits), no scheduled check starts: a tick's checks share the
  // process and the network with it, and each one started then would slow the answer the person
  // is waiting for. Checks of the tick already running finish.
  let people = 0;
  let peopleGone: Array<() => void> = [];
  const noPersonWaiting = async (): Promise<void> => {
    while (people > 0) await new Promise<void>((resolve) => peopleGone.push(resolve));
  };

  const limited = async (
    request: CheckRequest,
    hooks: CheckHooks,
    scheduled: boolean,
  ): ReturnType<RunCheck> => {
    const key = targetKey(request.target);
    const entry = perTarget.get(key) ?? { semaphore: new Semaphore(limits.maxPerTarget), users: 0 };
    entry.users += 1;
    perTarget.set(key, entry);
    const run = () => runCheck(request, hooks);
    // Another replica's check of the target is waited for before a slot of the whole bot is
    // taken, so the wait never keeps a slot from other targets.
    const held = async <T>(work: () => Promise<T>): Promise<T> => {
      if (!fleet.holdTarget) return work();
      const release = await fleet.holdTarget(key);
      try {
        return await work();
      } finally {
        await release();
      }
    };
    if (!scheduled) people += 1;
    try {
      return await (scheduled
        ? entry.semaphore.run(
            () =>
              scheduledSlots.run(async () => {
                await noPersonWaiting();
                return held(() => global.run(run, 'low'));
              }),
            'low',
          )
        : entry.semaphore.run(() => held(() => global.run(run, 'high')), 'high'));
    } finally {
      entry.users -= 1;
      if (entry.users === 0) perTarget.delete(key);
      if (!scheduled) {
        people -= 1;
        if (people === 0) {
          const waiting = peopleGone;
          peopleGone = [];
          for (const resolve of waiting) resolve();
        }
      }
    }
  };
  return {
    runCheck: (request, hooks = {}) => limited(request, hooks, false),
    runScheduledCheck: (request, hooks = {}) => limited(request, { ...hooks, priority: 'scheduled' }, true),
    stats: () => ({
      running: global.inUse,
      peak: global.peak,
      queued: global.queued + scheduledSlots.queued,
    }),
  };
}
