import type { HostDiagnosis } from '../../diagnose/types.js';
import type { Logger } from '../../log.js';
import type { PostedMessage } from './chat.js';

export interface CheckResult {
  diagnosis: HostDiagnosis;
  /** Who ran the original check (the parent keeps saying so after re-checks). */
  userId: string;
}

/**
 * The latest result of each check thread, so a re-check can say what changed and Show config
 * needs no new probe. In memory for one process (the JSON-file mode); in PostgreSQL for a fleet,
 * where the replica that answers a click is rarely the one that posted the check.
 */
export interface CheckResults {
  get(thread: PostedMessage): Promise<CheckResult | undefined>;
  set(thread: PostedMessage, result: CheckResult): Promise<void>;
}

const keyOf = (thread: PostedMessage): string => `${thread.channel}/${thread.ts}`;

/** Bounded: the oldest thread is forgotten first, so memory stays flat in a busy workspace. */
export function createMemoryCheckResults(maxThreads = 500): CheckResults {
  const results = new Map<string, CheckResult>();
  return {
    get: async (thread) => results.get(keyOf(thread)),
    async set(thread, result) {
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

/**
 * The stored result, or undefined when there is none or the store failed: a click must still be
 * answered, from what its button carries, when the database is away. The failure is logged.
 */
export async function loadResult(
  results: CheckResults,
  thread: PostedMessage,
  logger: Logger,
): Promise<CheckResult | undefined> {
  try {
    return await results.get(thread);
  } catch (error) {
    logger.error('could not load the earlier result of a check', { error, channel: thread.channel });
    return undefined;
  }
}

/** Stores a result; a failure is logged and the answer already given stands. */
export async function saveResult(
  results: CheckResults,
  thread: PostedMessage,
  result: CheckResult,
  logger: Logger,
): Promise<void> {
  try {
    await results.set(thread, result);
  } catch (error) {
    logger.error('could not store the result of a check', { error, channel: thread.channel });
  }
}
