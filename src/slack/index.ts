export type { SlackApp, SlackAppOptions } from './create-slack-app.js';
export { createSlackApp, EVENTS_PATH } from './create-slack-app.js';
export { SLACK_SURFACE, SLASH_COMMAND } from './slack-surface.js';
export { SlackStartUpError } from './start-up-error.js';
export type { RetryOptions } from './with-rate-limit-retry.js';
export { withRateLimitRetry } from './with-rate-limit-retry.js';
export type {
  Chat,
  CheckResult,
  CheckResults,
  Command,
  MentionEvent,
  PostedMessage,
  Requester,
  Respond,
  UseCases,
  WatchCommand,
} from '../chat/use-cases/index.js';
export {
  ChatError,
  createMemoryCheckResults,
  createUseCases,
  parseCommand,
} from '../chat/use-cases/index.js';
