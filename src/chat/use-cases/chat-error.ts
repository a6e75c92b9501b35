/**
 * A chat platform refused or failed a call. `code` is Slack's error string (`not_in_channel`,
 * `invalid_blocks`, …) or one of ours: `ratelimited`, `request_failed`, `http_error`,
 * `respond_failed`.
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly code: string;
  /** For `ratelimited`: how long Slack asked us to wait. */
  readonly retryAfterMs: number | null;

  constructor(code: string, message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** Errors that mean "the bot may not post in this conversation": fall back to respond(). */
const CANNOT_POST_HERE = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_reply_to_message',
  'ekm_access_denied',
  'team_access_not_granted',
]);

export function cannotPostHere(error: unknown): boolean {
  return error instanceof ChatError && CANNOT_POST_HERE.has(error.code);
}

export function errorCode(error: unknown): string {
  if (error instanceof ChatError) return error.code;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'unexpected_error';
}
