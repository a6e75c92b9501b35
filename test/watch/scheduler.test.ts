import { describe, expect, test } from 'vitest';
import { createLogger, type Logger } from '../../src/log.js';
import { ScheduleError } from '../../src/watch/schedule-error.js';
import { startScheduler, validateSchedule, validateTimezone } from '../../src/watch/scheduler.js';

interface Line {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A real logger whose lines are kept, with a way to await the first line that matches. */
function recordingLogger(): { logger: Logger; lines: Line[]; waitFor: (msg: RegExp) => Promise<Line> } {
  const lines: Line[] = [];
  const waiters: Array<{ msg: RegExp; resolve: (line: Line) => void }> = [];
  const logger = createLogger({
    level: 'debug',
    write: (text) => {
      const line = JSON.parse(text) as Line;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.msg.test(line.msg))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
  });
  const waitFor = (msg: RegExp): Promise<Line> => {
    const seen = lines.find((line) => msg.test(line.msg));
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
  };
  return { logger, lines, waitFor };
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('validateSchedule()', () => {
  test.each(['*/15 * * * *', '*/30 * * * * *', '0 */2 * * 1-5', '@hourly'])('accepts %s', (expression) => {
    expect(validateSchedule(expression)).toEqual({ ok: true });
  });

  test.each([
    ['every 15 minutes', /expected 5 or 6 fields but got 3/],
    ['61 * * * *', /61 is a invalid expression for minute/],
    ['* * * * * * *', /expected 5 or 6 fields but got 7/],
  ])('refuses %s and says what to type', (expression, reason) => {
    const result = validateSchedule(expression);
    expect(result.ok).toBe(false);
    const error = (result as { error: string }).error;
    expect(error).toContain(`CHECK_SCHEDULE "${expression}"`);
    expect(error).toMatch(reason);
    expect(error).toContain('"*/15 * * * *"');
  });
});

describe('validateTimezone()', () => {
  test('accepts IANA names and refuses anything else', () => {
    expect(validateTimezone('Europe/Paris')).toEqual({ ok: true });
    expect(validateTimezone('UTC')).toEqual({ ok: true });
    expect(validateTimezone('Mars/Olympus')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/CHECK_TIMEZONE "Mars\/Olympus"/),
    });
  });
});

describe('startScheduler()', () => {
  test('refuses an invalid expression or time zone with ScheduleError', () => {
    const { logger } = recordingLogger();
    const tick = async (): Promise<void> => {};
    expect(() => startScheduler({ expression: '99 * * * *', tick, logger })).toThrow(ScheduleError);
    expect(() => startScheduler({ expression: '* * * * *', timezone: 'Nowhere/Land', tick, logger })).toThrow(
      /CHECK_TIMEZONE/,
    );
  });

  test('says the longest wait between its runs, so health can tell a stuck scheduler', async () => {
    const { logger } = recordingLogger();
    const tick = async (): Promise<void> => {};
    const every15 = startScheduler({ expression: '*/15 * * * *', tick, logger });
    const weekdays = startScheduler({ expression: '0 9 * * 1-5', timezone: 'UTC', tick, logger });
    try {
      expect(every15.intervalMs).toBe(15 * 60_000);
      // Friday 09:00 to Monday 09:00 is among any eight consecutive weekday runs.
      expect(weekdays.intervalMs).toBe(3 * 24 * 3_600_000);
    } finally {
      await every15.stop();
      await weekdays.stop();
    }
  });

  test('a real schedule with a seconds field fires the tick with its slot time', async () => {
    const { logger } = recordingLogger();
    const fired = gate();
    const slots: Array<{ slot: Date; at: number }> = [];
    const scheduler = startScheduler({
      expression: '*/2 * * * * *',
      timezone: 'Europe/Paris',
      tick: async (slot) => {
        slots.push({ slot, at: Date.now() });
        fired.open();
      },
      logger,
    });
    try {
      await fired.promise; // every two seconds: bounded by the test timeout
    } finally {
      await scheduler.stop();
    }
    // The slot, not the moment the tick ran: every replica on this schedule names the tick alike.
    const [{ slot, at }] = slots as [{ slot: Date; at: number }];
    expect(slot.getTime() % 2_000).toBe(0);
    expect(slot.getTime()).toBeLessThanOrEqual(at);
    expect(at - slot.getTime()).toBeLessThan(10_000);
  });

  test('a tick that runs long is logged and never stacked', async () => {
    const { logger, lines, waitFor } = recordingLogger();
    const release = gate();
    const secondStarted = gate();
    let running = 0;
    let peak = 0;
    let ticks = 0;
    const scheduler = startScheduler({
      expression: '* * * * * *',
      logger,
      tick: async () => {
        running += 1;
        ticks += 1;
        peak = Math.max(peak, running);
        if (ticks === 1) await release.promise;
        else secondStarted.open();
        running -= 1;
      },
    });
    try {
      const overlap = await waitFor(/still running at the next scheduled time/);
      expect(overlap.level).toBe('warn');
      expect(typeof overlap['runningForMs']).toBe('number');
      expect(ticks).toBe(1);
      release.open();
      await secondStarted.promise;
      expect(peak).toBe(1);
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      release.open();
      await scheduler.stop();
    }
  });

  test('runNow skips while a tick runs, a failing tick is logged, and stop waits for the running tick', async () => {
    const { logger, waitFor } = recordingLogger();
    const release = gate();
    let finished = false;
    const scheduler = startScheduler({
      expression: '0 0 1 1 *',
      logger,
      tick: async () => {
        await release.promise;
        finished = true;
        throw new Error('store unavailable');
      },
    });
    const first = scheduler.runNow();
    expect(await scheduler.runNow()).toBe(false);
    const stopped = scheduler.stop();
    release.open();
    expect(await first).toBe(true);
    await stopped;
    expect(finished).toBe(true);
    expect((await waitFor(/watch tick failed/)).level).toBe('error');
  });
});
