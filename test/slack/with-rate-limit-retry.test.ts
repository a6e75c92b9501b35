import { describe, expect, test } from 'vitest';
import { ChatError } from '../../src/chat/use-cases/index.js';
import { withRateLimitRetry } from '../../src/slack/index.js';

describe('withRateLimitRetry()', () => {
  test('waits what Retry-After says, a bounded number of times', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRateLimitRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new ChatError('ratelimited', '429', { retryAfterMs: 2_000 });
        return 'posted';
      },
      { maxAttempts: 3, maxWaitMs: 30_000, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('posted');
    expect(waits).toEqual([2_000, 2_000]);
  });

  test('gives up after maxAttempts, on a wait too long, and never retries other errors', async () => {
    const limited = () => Promise.reject(new ChatError('ratelimited', '429', { retryAfterMs: 1_000 }));
    const noSleep = { sleep: async () => {} };
    await expect(
      withRateLimitRetry(limited, { maxAttempts: 2, maxWaitMs: 5_000, ...noSleep }),
    ).rejects.toThrow('429');
    await expect(withRateLimitRetry(limited, { maxAttempts: 5, maxWaitMs: 500, ...noSleep })).rejects.toThrow(
      '429',
    );
    let calls = 0;
    await expect(
      withRateLimitRetry(
        () => {
          calls += 1;
          return Promise.reject(new ChatError('request_failed', 'socket hang up'));
        },
        { maxAttempts: 5, maxWaitMs: 5_000, ...noSleep },
      ),
    ).rejects.toThrow('socket hang up');
    expect(calls).toBe(1);
  });
});
