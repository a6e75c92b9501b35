import { createRunCheck } from '../../src/check/index.js';
import type { RunCheck } from '../../src/check/types.js';
import { DEFAULT_LIMITS, probeHost } from '../../src/probe/index.js';

/**
 * The production check (real probe, real diagnosis) with budgets short enough for tests, wrapped
 * to record when each check finished, so a test can prove its ack came first.
 */
export function realRunCheck(): { runCheck: RunCheck; finishedAt: number[] } {
  const check = createRunCheck({
    probeHost,
    limits: {
      ...DEFAULT_LIMITS,
      connectTimeoutMs: 2_000,
      greetingTimeoutMs: 15_000,
      replyTimeoutMs: 3_000,
      slowBannerMs: 14_000,
      portDeadlineMs: 30_000,
    },
    now: () => new Date(),
  });
  const finishedAt: number[] = [];
  const runCheck: RunCheck = async (request, hooks) => {
    try {
      return await check(request, hooks);
    } finally {
      finishedAt.push(Date.now());
    }
  };
  return { runCheck, finishedAt };
}
