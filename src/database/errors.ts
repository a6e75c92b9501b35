import { StoreError } from './store-error.js';
import { describeDatabase, redactUrl } from './database-url.js';

// What a PostgreSQL failure means for the bot, and how it is said without the URL. No driver
// import here: code that only reports failures (health, the fleet's limits) does not load it.

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOENT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** True when an error means "the database is not reachable now" rather than "this query is wrong". */
export function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message ?? '',
  );
}

/**
 * Wraps a driver error in a StoreError that names the database (never the URL). The driver's own
 * message can echo parts of the connection string, so only its code and a cleaned message are kept.
 */
export function storeErrorFrom(error: unknown, url: string, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const where = describeDatabase(url);
  const reason = redactUrl(message ?? String(error), url);
  return new StoreError(`PostgreSQL at ${where}: ${doing} failed: ${code ? `${code} ` : ''}${reason}`, {
    file: where,
    // No `cause`: the driver's error can carry connection parameters into a log line.
    unavailable: isUnavailable(error),
  });
}
