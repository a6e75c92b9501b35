import { DEFAULT_LIMITS, type ProbeLimits } from '../../src/probe/index.js';

// Probe limits for tests: the production defaults with only the budgets a test names. Servers in
// tests answer on loopback at once or never, so short stage timeouts make a silent server cost a
// second or two instead of the production 15 s greeting wait.

export interface TestLimitOverrides extends Partial<ProbeLimits> {
  /** Sets the connect, greeting and reply timeouts at once; a named one of them still wins. */
  stageTimeoutMs?: number;
}

export function testLimits(overrides: TestLimitOverrides = {}): ProbeLimits {
  const { stageTimeoutMs, ...named } = overrides;
  const stages =
    stageTimeoutMs === undefined
      ? {}
      : {
          connectTimeoutMs: stageTimeoutMs,
          greetingTimeoutMs: stageTimeoutMs,
          replyTimeoutMs: stageTimeoutMs,
        };
  return { ...DEFAULT_LIMITS, ...stages, ...named };
}

/** 2 s per stage: what a real check of a loopback server needs, with room for a busy machine. */
export const QUICK_LIMITS: ProbeLimits = testLimits({ stageTimeoutMs: 2_000 });
