import { createRunCheck } from '../../src/check/index.js';
import type { RunCheckDeps } from '../../src/check/index.js';
import type { RunCheck } from '../../src/check/types.js';
import { createResolver, probeHost } from '../../src/probe/index.js';
import { testLimits } from './probe-limits.js';

/**
 * Names typed in these tests never reach the machine's resolver: every query goes to a closed
 * loopback port and fails there, so a test can only probe the addresses it spells out.
 */
export const loopbackOnlyResolver = () => createResolver(['127.0.0.1:9']);

/**
 * The production check (real probe, real diagnosis) with budgets short enough for tests, wrapped
 * to record when each check finished, so a test can prove its ack came first. `deps` replaces
 * any of the defaults.
 */
export function realRunCheck(deps: Partial<RunCheckDeps> = {}): { runCheck: RunCheck; finishedAt: number[] } {
  const check = createRunCheck({
    probeHost,
    limits: testLimits({
      connectTimeoutMs: 2_000,
      greetingTimeoutMs: 15_000,
      replyTimeoutMs: 3_000,
      slowBannerMs: 14_000,
      portDeadlineMs: 30_000,
    }),
    now: () => new Date(),
    resolver: loopbackOnlyResolver(),
    ...deps,
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
