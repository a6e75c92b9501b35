export type { TextOptions } from '../render/blocks-to-text.js';
export { blocksToText, mrkdwnToText } from '../render/blocks-to-text.js';
export type { ConsoleChat } from './console-chat.js';
export { createConsoleChat } from './console-chat.js';
export type { ConsoleOptions } from './run-console.js';
export { CONSOLE_CHANNEL, CONSOLE_USER, consoleChatFor, runConsole } from './run-console.js';
