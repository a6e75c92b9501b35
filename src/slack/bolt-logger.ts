import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger, LogLevel as OurLevel } from '../log.js';

function toBoltLevel(level: OurLevel): LogLevel {
  switch (level) {
    case 'debug':
      return LogLevel.DEBUG;
    case 'info':
      return LogLevel.INFO;
    case 'warn':
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}

/** Bolt logs with console-style varargs; ours takes a message and fields. */
function split(parts: unknown[]): [string, Record<string, unknown>] {
  const [first, ...rest] = parts;
  const message = typeof first === 'string' ? first : first instanceof Error ? first.message : 'bolt';
  const details = typeof first === 'string' ? rest : parts;
  if (details.length === 0) return [message, {}];
  const error = details.find((part) => part instanceof Error);
  const args = details
    .filter((part) => !(part instanceof Error))
    .map((part) => (typeof part === 'string' ? part : part));
  return [message, { ...(error ? { error } : {}), ...(args.length > 0 ? { args } : {}) }];
}

/**
 * Routes Bolt's (and its WebClient's and Socket Mode client's) logs through our structured
 * logger, so they are JSON lines with tokens masked like everything else. Level filtering is
 * done by our logger; getLevel only tells Bolt whether debug work is worth doing.
 */
export function createBoltLogger(logger: Logger, level: OurLevel = 'info'): BoltLogger {
  const bolt = logger.child({ source: 'bolt' });
  let current = toBoltLevel(level);
  return {
    debug: (...parts: unknown[]) => bolt.debug(...split(parts)),
    info: (...parts: unknown[]) => bolt.info(...split(parts)),
    warn: (...parts: unknown[]) => bolt.warn(...split(parts)),
    error: (...parts: unknown[]) => bolt.error(...split(parts)),
    setLevel: (next: LogLevel) => {
      current = next;
    },
    getLevel: () => current,
    setName: () => {},
  };
}
