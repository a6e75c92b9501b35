import { ChatError } from '../chat/use-cases/chat-error.js';
import { sleep as realSleep } from '../util/time.js';

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** A wait longer than this (Retry-After, or the backoff) is not waited for: the error goes to the caller. */
  maxWaitMs: number;
  /** First pause after a 5xx, a timeout or a network failure; doubled on each further attempt. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; waitMs: number; reason: FailureKind }) => void;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, maxWaitMs: 30_000, backoffMs: 1_000 };

/**
 * What a failed Slack call tells us about whether Slack acted on it:
 * - `rate-limited`: a 429; Slack did not process the call.
 * - `not-sent`: the request never reached Slack (connection refused, name not resolved).
 * - `outcome-unknown`: a 5xx, a timeout, a dropped connection, or Slack's own `internal_error`:
 *   the call may or may not have taken effect.
 * - `final`: Slack answered with an error that a retry would only repeat (`invalid_blocks`, …).
 */
export type FailureKind = 'rate-limited' | 'not-sent' | 'outcome-unknown' | 'final';

/** Connection errors that happen before a single byte of the request is sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Slack's "something went wrong on our side" answers (HTTP 200, ok: false). */
const TRANSIENT_SLACK_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable']);

/** Every `code` along the error's chain (WebClient errors keep the fetch error in `original`/`cause`). */
function chainCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth += 1) {
    const node = current as { code?: unknown; errors?: unknown; original?: unknown; cause?: unknown };
    if (typeof node.code === 'string') codes.push(node.code);
    // Dialling every address of a name fails with an AggregateError of per-address errors.
    if (Array.isArray(node.errors)) codes.push(...node.errors.flatMap(chainCodes));
    current = node.original ?? node.cause;
  }
  return codes;
}

export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof ChatError)) return 'final';
  if (error.code === 'ratelimited') return 'rate-limited';
  if (TRANSIENT_SLACK_ERRORS.has(error.code)) return 'outcome-unknown';
  if (error.code === 'http_error') {
    const status = (error.cause as { statusCode?: number } | undefined)?.statusCode ?? 0;
    return status >= 500 ? 'outcome-unknown' : 'final';
  }
  if (error.code === 'request_failed') {
    return chainCodes(error.cause).some((code) => NOT_SENT_CODES.has(code)) ? 'not-sent' : 'outcome-unknown';
  }
  return 'final';
}

/**
 * Retries a Slack call, bounded in attempts and in wait so a check never hangs on Slack and
 * shutdown stays bounded.
 *
 * Which failures are retried depends on whether repeating the call is harmless:
 * - every call is retried after a 429 (waiting what Retry-After says) and when the request never
 *   left (connection refused): Slack did nothing, so nothing can be done twice;
 * - an `idempotent` call (chat.update, views.publish: the same message set again is the same
 *   message) is also retried after a 5xx, a timeout or a dropped connection, with backoff;
 * - any other call (chat.postMessage, chat.postEphemeral) is not. Slack has no idempotency key for
 *   them, and after a timeout or a cut connection the message may already be in the channel: a
 *   retry would post it twice. The caller gets the error instead — a check tells the user, a watch
 *   alert that was not confirmed is raised again on the next tick. We accept that such an alert
 *   could, rarely, appear twice (Slack posted it but the answer was lost) rather than post every
 *   flaky call twice, or lose the alert.
 */
export async function withRateLimitRetry<T>(
  call: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
  idempotent = false,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const backoffMs = options.backoffMs ?? DEFAULT_RETRY.backoffMs ?? 1_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const reason = classifyFailure(error);
      const retryable =
        reason === 'rate-limited' || reason === 'not-sent' || (idempotent && reason === 'outcome-unknown');
      const waitMs =
        reason === 'rate-limited'
          ? ((error as ChatError).retryAfterMs ?? 1_000)
          : backoffMs * 2 ** (attempt - 1);
      if (!retryable || attempt >= options.maxAttempts || waitMs > options.maxWaitMs) throw error;
      options.onRetry?.({ attempt, waitMs, reason });
      await sleep(waitMs);
    }
  }
}
