import { ChatError } from './use-cases/chat-error.js';

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** A Retry-After longer than this is not waited for: the error goes to the caller. */
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; waitMs: number }) => void;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, maxWaitMs: 30_000 };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries a Slack call answered with 429, after waiting what Retry-After says. Only 429 is
 * retried: Slack did not process that call, so a retry cannot duplicate a message (a network
 * error on chat.postMessage might have been processed). Bounded in attempts and in wait, so a
 * check never hangs on Slack and shutdown stays bounded.
 */
export async function withRateLimitRetry<T>(
  call: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const waitMs =
        error instanceof ChatError && error.code === 'ratelimited' ? (error.retryAfterMs ?? 1_000) : null;
      if (waitMs === null || attempt >= options.maxAttempts || waitMs > options.maxWaitMs) throw error;
      options.onRetry?.({ attempt, waitMs });
      await sleep(waitMs);
    }
  }
}
