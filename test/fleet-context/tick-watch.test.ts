import { describe, expect, test } from 'vitest';
import { createTickWatch } from '../../src/fleet-context/index.js';

describe('createTickWatch()', () => {
  const minute = 60_000;

  test.each([
    { name: 'just started, no tick yet', ticks: [], at: minute, expected: { ok: true } },
    { name: 'no tick yet at exactly twice the interval', ticks: [], at: 2 * minute, expected: { ok: true } },
    {
      name: 'never ticked since it started',
      ticks: [],
      at: 2 * minute + 1_000,
      expected: { ok: false, reason: 'the watch schedule has not ticked in the 121 s since it started' },
    },
    { name: 'ticked a minute ago', ticks: [5 * minute], at: 6 * minute, expected: { ok: true } },
    {
      name: 'last tick long ago',
      ticks: [minute, 2 * minute],
      at: 5 * minute,
      expected: { ok: false, reason: 'the watch schedule last ticked 180 s ago (every 60 s expected)' },
    },
  ])('$name', ({ ticks, at, expected }) => {
    let now = 0;
    const watch = createTickWatch({ intervalMs: minute, now: () => now });
    for (const tick of ticks) {
      now = tick;
      watch.tickStarted();
    }
    now = at;
    expect(watch.liveness()).toEqual(expected);
  });
});
