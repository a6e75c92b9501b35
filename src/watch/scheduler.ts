import { type ScheduledTask, schedule, validateDetailed } from 'node-cron';
import type { Logger } from '../log.js';
import { type Metrics, NO_METRICS } from '../metrics/index.js';
import { isTimeZone } from '../util/time-zone.js';
import { ScheduleError } from './schedule-error.js';

// The only node-cron import. node-cron decides when; the tick (recheckWatches) decides what.
// Ticks never stack: node-cron's noOverlap skips a slot while the previous tick runs, and the
// skip is logged with how long that tick has been running.

export type ScheduleCheck = { ok: true } | { ok: false; error: string };

const EXAMPLES = 'e.g. "*/15 * * * *" (every 15 minutes) or "*/30 * * * * *" (every 30 seconds)';

/** Checks a cron expression (five fields, or six with seconds first) the way the scheduler reads it. */
export function validateSchedule(expression: string): ScheduleCheck {
  const result = validateDetailed(expression.trim());
  if (result.valid) return { ok: true };
  const reasons = result.errors.map((error) => error.message).join('; ');
  return {
    ok: false,
    error: `CHECK_SCHEDULE "${expression}" is not a cron expression (${reasons}). Use five fields — minute hour day-of-month month day-of-week — or six with seconds first, ${EXAMPLES}.`,
  };
}

/** Checks an IANA time zone name such as "Europe/Paris" or "UTC". */
export function validateTimezone(timezone: string): ScheduleCheck {
  if (isTimeZone(timezone)) return { ok: true };
  return {
    ok: false,
    error: `CHECK_TIMEZONE "${timezone}" is not a time zone. Use an IANA name such as "UTC", "Europe/Paris" or "America/New_York".`,
  };
}

export interface SchedulerOptions {
  expression: string;
  /** IANA time zone the expression is read in; the process's own when absent. */
  timezone?: string;
  /**
   * One tick. `slot` is the schedule's slot time (the same on every replica running this
   * schedule, so they agree on which tick it is); for runNow, the time it was called.
   */
  tick: (slot: Date) => Promise<unknown>;
  logger: Logger;
  now?: () => Date;
  metrics?: Metrics;
}

export interface Scheduler {
  /** Runs a tick now unless one is running; false when it was skipped for that reason. */
  runNow(): Promise<boolean>;
  /** Stops scheduling and waits for a running tick to finish. */
  stop(): Promise<void>;
  /**
   * The longest wait between two of the next runs (a schedule may be irregular: weekdays only,
   * office hours): a tick later than that, and then some, means the scheduler is stuck.
   */
  readonly intervalMs: number;
}

/** The longest gap between consecutive runs among a task's next few. */
function longestGapMs(task: ScheduledTask): number {
  const runs = task.getNextRuns(8).map((date) => date.getTime());
  let longest = 0;
  for (let i = 1; i < runs.length; i += 1) longest = Math.max(longest, (runs[i] ?? 0) - (runs[i - 1] ?? 0));
  return longest > 0 ? longest : 24 * 3_600_000;
}

/** Starts the schedule. Throws ScheduleError for an invalid expression or time zone. */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { expression, timezone, logger } = options;
  const now = options.now ?? (() => new Date());
  const metrics = options.metrics ?? NO_METRICS;
  for (const check of [validateSchedule(expression), timezone ? validateTimezone(timezone) : { ok: true }]) {
    if (!check.ok) throw new ScheduleError((check as { error: string }).error);
  }
  let running: { startedAt: number; done: Promise<void> } | null = null;
  // Set once the task exists: the slot after the one a tick started for tells an overrun.
  let nextSlot = (_after: Date): Date | null => null;

  const run = async (slot: Date = now()): Promise<boolean> => {
    if (running !== null) {
      metrics.tickSkipped();
      logger.warn('watch tick still running; this run is skipped', {
        runningForMs: now().getTime() - running.startedAt,
      });
      return false;
    }
    const startedAt = now().getTime();
    const next = nextSlot(slot);
    metrics.tickStarted();
    const done = (async () => {
      logger.debug('watch tick started');
      try {
        await options.tick(slot);
      } catch (error) {
        logger.error('watch tick failed', { error });
      } finally {
        const endedAt = now().getTime();
        logger.debug('watch tick ended', { durationMs: endedAt - startedAt });
        metrics.tickEnded({
          seconds: (endedAt - startedAt) / 1_000,
          overran: next !== null && endedAt > next.getTime(),
        });
      }
    })();
    running = { startedAt, done };
    try {
      await done;
    } finally {
      running = null;
    }
    return true;
  };

  const task: ScheduledTask = schedule(expression.trim(), (context) => run(context.date), {
    name: 'smtp-check-watch-recheck',
    noOverlap: true,
    ...(timezone ? { timezone } : {}),
    // node-cron's own messages duplicate ours; keep them for debugging only.
    logger: {
      info: (message) => logger.debug(String(message), { source: 'node-cron' }),
      warn: (message) => logger.debug(String(message), { source: 'node-cron' }),
      error: (message, error) => logger.error(String(message), { source: 'node-cron', error }),
      debug: (message) => logger.debug(String(message), { source: 'node-cron' }),
    },
  });
  nextSlot = (after) => task.getNextRuns(2).find((run) => run.getTime() > after.getTime()) ?? null;
  task.on('execution:overlap', () => {
    metrics.tickSkipped();
    logger.warn('watch tick still running at the next scheduled time; that slot is skipped', {
      runningForMs: running === null ? null : now().getTime() - running.startedAt,
      expression,
    });
  });
  logger.info('watch scheduler started', { expression, timezone: timezone ?? null });
  const intervalMs = longestGapMs(task);
  metrics.scheduleInterval(intervalMs / 1_000);

  return {
    intervalMs,
    runNow: () => run(),
    async stop() {
      await task.destroy();
      const current = running as { done: Promise<void> } | null;
      if (current !== null) await current.done;
      logger.info('watch scheduler stopped');
    },
  };
}
