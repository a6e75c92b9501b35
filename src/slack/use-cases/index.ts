export type { Chat, PostedMessage, Requester, Respond } from './chat.js';
export { ChatError, cannotPostHere, errorCode } from './chat-error.js';
export type { CheckResult, CheckResults } from './check-results.js';
export { createMemoryCheckResults } from './check-results.js';
export type { MentionEvent, UseCaseDeps, UseCases } from './create-use-cases.js';
export { createUseCases } from './create-use-cases.js';
export type { InFlight } from './in-flight.js';
export type { Command } from './parse-command.js';
export { parseCommand } from './parse-command.js';
