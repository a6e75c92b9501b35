import { describe, expect, test } from 'vitest';
import { RateLimiter, Semaphore } from '../../src/policy/index.js';

describe('RateLimiter', () => {
  test('limits each user per minute and says when to retry', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ perUserPerMinute: 2, perTargetPerMinute: 100 }, () => now);
    expect(limiter.take('U1', 'a.example').allowed).toBe(true);
    now += 10_000;
    expect(limiter.take('U1', 'b.example').allowed).toBe(true);
    now += 5_000;
    const refused = limiter.take('U1', 'c.example');
    expect(refused).toEqual({
      allowed: false,
      retryAfterMs: 45_000,
      reason: expect.stringContaining('limit 2'),
    });
    expect(limiter.take('U2', 'c.example').allowed).toBe(true);
    now += 45_000;
    expect(limiter.take('U1', 'c.example').allowed).toBe(true);
  });

  test('limits each target per minute across users, case-insensitively', () => {
    const now = 0;
    const limiter = new RateLimiter({ perUserPerMinute: 100, perTargetPerMinute: 2 }, () => now);
    expect(limiter.take('U1', 'smtp.example.com').allowed).toBe(true);
    expect(limiter.take('U2', 'SMTP.example.com').allowed).toBe(true);
    const refused = limiter.take('U3', 'smtp.example.com.');
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.reason).toContain('smtp.example.com was checked 2 times');
  });
});

describe('Semaphore', () => {
  test('never lets more than the limit run, and runs the rest in order', async () => {
    const semaphore = new Semaphore(2);
    const gates: Array<() => void> = [];
    const order: number[] = [];
    const tasks = [0, 1, 2, 3].map((id) =>
      semaphore.run(async () => {
        order.push(id);
        await new Promise<void>((resolve) => gates.push(resolve));
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    expect(semaphore.inUse).toBe(2);
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2]);
    while (gates.length > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(tasks);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(semaphore.peak).toBe(2);
    expect(semaphore.inUse).toBe(0);
  });

  test('releases when a task throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore.run(async () => 'next')).toBe('next');
  });
});

describe('Semaphore priorities', () => {
  test('a freed slot goes to the oldest high-priority waiter before any low-priority one', async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    let releaseFirst = () => {};
    const first = semaphore.run(() => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const waiters = [
      semaphore.run(async () => void order.push('low 1'), 'low'),
      semaphore.run(async () => void order.push('high 1'), 'high'),
      semaphore.run(async () => void order.push('low 2'), 'low'),
      semaphore.run(async () => void order.push('high 2')),
    ];
    expect(semaphore.queued).toBe(4);
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirst();
    await Promise.all([first, ...waiters]);
    expect(order).toEqual(['high 1', 'high 2', 'low 1', 'low 2']);
  });

  test('forEach runs every item, at most `limit` at once, starting in order', async () => {
    const semaphore = new Semaphore(2);
    const started: number[] = [];
    await semaphore.forEach([1, 2, 3, 4, 5], async (item) => {
      started.push(item);
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(semaphore.peak).toBe(2);
  });
});
