// Logs: one JSON object per line for files and log collectors, or a short readable line for a
// person at a terminal. Secrets are registered once and masked everywhere, in both formats.

import { escapeControls } from './text/sanitize.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** `json` (default): one object per line. `text`: `12:00:01 WARN  message key=value`. */
  format?: LogFormat;
  /** Where lines go (default stderr, so stdout stays for CLI output and console mode). */
  write?: (line: string) => void;
  /** Values masked wherever they appear (tokens, signing secrets). */
  secrets?: string[];
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Secret-shaped text masked even when nobody registered it: a token that is not ours (a user's
 * pasted xoxp-, another app's xapp-), a response_url or webhook (whoever holds one can post in the
 * channel; Socket Mode's debug log prints whole envelopes) and the ticket of a Socket Mode URL.
 * Origins are kept so a log still says where a call went.
 */
const SECRET_SHAPES: Array<[RegExp, string]> = [
  [/\b(?:xox[abposre]|xapp)-[0-9A-Za-z-]+/g, '[redacted]'],
  [/(https:\/\/hooks\.slack(?:-gov)?\.com\/)[^\s"\\]+/g, '$1[redacted]'],
  [/(response_url(?:\\)?"\s*:\s*(?:\\)?"[a-z]+:\/\/[^/"\\]+\/)[^"\\]*/g, '$1[redacted]'],
  [/([?&]ticket=)[^&\s"\\]+/g, '$1[redacted]'],
];

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const cause = value.cause === undefined ? undefined : serialise(value.cause);
    // The stack is where a maintainer starts; only the error's own fields would say what, not where.
    return {
      name: value.name,
      message: value.message,
      code: (value as { code?: unknown }).code,
      stack: value.stack,
      cause,
    };
  }
  return value;
}

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return /^[^\s"=]*$/.test(text) && text !== '' ? text : JSON.stringify(text);
}

interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
}

function isSerialisedError(value: unknown): value is SerialisedError {
  return typeof value === 'object' && value !== null && 'message' in value && 'name' in value;
}

/**
 * A line for people: time of day, level, message, then key=value. An error shows as its message,
 * its stack indented below. Nothing in it can drive the terminal (messages quote server text).
 */
function textLine(record: LogFields, level: Exclude<LogLevel, 'silent'>, fields: LogFields): string {
  const parts = [String(record.time).slice(11, 19), level.toUpperCase().padEnd(5), String(record.msg)];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (isSerialisedError(value)) {
      parts.push(`${key}=${textValue(`${value.name}: ${value.message}`)}`);
      if (value.stack) stacks.push(...value.stack.split('\n').slice(1));
    } else parts.push(`${key}=${textValue(value)}`);
  }
  const line = escapeControls(parts.join(' '));
  return stacks.length === 0
    ? line
    : [line, ...stacks.map((frame) => `    ${escapeControls(frame.trim())}`)].join('\n');
}

/** Below this length a secret is masked only where it stands as one (a URL's password), never in any text. */
const SHORT_SECRET = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Masks secrets in every form a log line can hold them: as they are, escaped inside JSON (a `"`
 * or `\` in a password), and percent-encoded (a password in DATABASE_URL). A short secret such as
 * `2525` is masked only where it is a password — between `user:` and `@` in a URL, or after
 * `password=` — since starring out every "2525" in a line would both garble it and reveal it.
 */
export function secretMasker(secrets: readonly string[]): (line: string) => string {
  const long = new Set<string>();
  const short = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      (form.length >= SHORT_SECRET ? long : short).add(form);
    }
  }
  const longest = [...long].sort((a, b) => b.length - a.length);
  const placed = [...short].flatMap((form) => {
    const value = escapeRegExp(form);
    return [
      new RegExp(`(\\/\\/[^\\s/@:"]*:)${value}(?=@)`, 'g'),
      new RegExp(`(password\\\\?"?\\s*[=:]\\s*\\\\?"?)${value}(?![\\w%])`, 'gi'),
    ];
  });
  return (line) => {
    let text = line;
    for (const form of longest) text = text.split(form).join('[redacted]');
    for (const shape of placed) text = text.replace(shape, '$1[redacted]');
    return text;
  };
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maskSecrets = secretMasker(options.secrets ?? []);
  const now = options.now ?? (() => new Date());
  const threshold = RANK[options.level];

  const mask = (line: string): string =>
    SECRET_SHAPES.reduce((text, [shape, replacement]) => text.replace(shape, replacement), maskSecrets(line));

  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    const record: LogFields = { time: now().toISOString(), level, msg: message, ...bound };
    for (const [key, value] of Object.entries(fields ?? {})) record[key] = serialise(value);
    if (options.format === 'text') {
      const { time: _time, level: _level, msg: _msg, ...rest } = record;
      write(mask(textLine(record, level, rest)));
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level, msg: message, note: 'fields not serialisable' });
    }
    write(mask(line));
  };

  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger({ level: 'silent', write: () => {} });
