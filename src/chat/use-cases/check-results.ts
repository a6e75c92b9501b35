import type { HostDiagnosis } from '../../diagnose/types.js';
import type { PostedMessage } from './chat.js';

export interface CheckResult {
  diagnosis: HostDiagnosis;
  /** Who ran the original check (the parent keeps saying so after re-checks). */
  userId: string;
}

/**
 * The latest result of each check thread, so a re-check can say what changed. Kept in memory
 * only: after a restart a re-check finds no earlier result and posts a full report instead; a
 * persistent implementation of this interface would make it survive restarts.
 */
export interface CheckResults {
  get(thread: PostedMessage): CheckResult | undefined;
  set(thread: PostedMessage, result: CheckResult): void;
}

const keyOf = (thread: PostedMessage): string => `${thread.channel}/${thread.ts}`;

/** Bounded: the oldest thread is forgotten first, so memory stays flat in a busy workspace. */
export function createMemoryCheckResults(maxThreads = 500): CheckResults {
  const results = new Map<string, CheckResult>();
  return {
    get: (thread) => results.get(keyOf(thread)),
    set(thread, result) {
      const key = keyOf(thread);
      results.delete(key);
      results.set(key, result);
      while (results.size > maxThreads) {
        const oldest = results.keys().next().value;
        if (oldest === undefined) break;
        results.delete(oldest);
      }
    },
  };
}
