import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/index.js';
import { startScheduler } from '../../src/watch/scheduler.js';
import { sampleValue } from '../helpers/exposition.js';

// The schedule as Prometheus sees it: ticks started and timed, a tick that could not start because
// the previous one still ran, a tick that ended after the next slot had come, and the interval
// that "not ticking" alerts compare the last tick with.

const newMetrics = () =>
  createMetrics({ localVantage: 'office', version: '0.0.0-test', processMetrics: false });

describe('startScheduler() with metrics', () => {
  test('counts ticks, skips a tick while one runs, and times them', async () => {
    const metrics = newMetrics();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scheduler = startScheduler({
      expression: '0 0 1 1 *',
      logger: silentLogger,
      tick: () => gate,
      metrics,
    });
    const first = scheduler.runNow();
    expect(await scheduler.runNow()).toBe(false);
    release();
    expect(await first).toBe(true);
    await scheduler.stop();
    const text = await metrics.exposition();
    expect(sampleValue(text, 'smtp_check_ticks_total')).toBe(1);
    expect(sampleValue(text, 'smtp_check_ticks_skipped_total')).toBe(1);
    expect(sampleValue(text, 'smtp_check_tick_duration_seconds_count')).toBe(1);
    expect(sampleValue(text, 'smtp_check_ticks_overrun_total')).toBe(0);
    expect(sampleValue(text, 'smtp_check_schedule_interval_seconds')).toBeGreaterThanOrEqual(365 * 86_400);
    expect(sampleValue(text, 'smtp_check_last_tick_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1_000 - 60,
    );
  });

  test('a tick that ends after the next slot came is an overrun', async () => {
    const metrics = newMetrics();
    // The clock the scheduler reads jumps two minutes while the tick runs; the slots are every minute.
    let offsetMs = 0;
    const scheduler = startScheduler({
      expression: '* * * * *',
      logger: silentLogger,
      now: () => new Date(Date.now() + offsetMs),
      tick: async () => {
        offsetMs = 120_000;
      },
      metrics,
    });
    await scheduler.runNow();
    await scheduler.stop();
    const text = await metrics.exposition();
    expect(sampleValue(text, 'smtp_check_ticks_overrun_total')).toBe(1);
    expect(sampleValue(text, 'smtp_check_tick_duration_seconds_sum')).toBeCloseTo(120, 0);
  });
});
