import { userInfo } from 'node:os';
import pg from 'pg';
import { parse } from 'pg-connection-string';

// One pool per process. DATABASE_URL carries a password: it never appears in a message or a log
// line; errors name the database by describeDatabase().

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * Server- and client-side limits of every connection the bot opens (its pool, its queue, its
 * listener). A row lock held by anyone — a worker in an open transaction, a stuck replica, an
 * operator's psql — ends in an error after `lockTimeoutMs` instead of stalling a tick; a statement
 * the server never finishes, or a connection lost without a reset, fails after `queryTimeoutMs`.
 */
export interface ConnectionLimits {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
}

export const BOT_CONNECTION_LIMITS: ConnectionLimits = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  queryTimeoutMs: 35_000,
};

/**
 * The URL as the driver should dial it. A URL without a user name
 * (postgres:///smtp_check?host=/var/run/postgresql) means the operating-system user, as for psql;
 * node-pg would take $USER instead, which containers and systemd units often leave unset.
 */
export function dialUrl(url: string): string {
  let user: string | null | undefined;
  try {
    user = parse(url).user;
  } catch {
    return url;
  }
  if (user) return url;
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    return url;
  }
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?/i.exec(url);
  if (match === null) return url;
  const [prefix, scheme, credentials] = match as unknown as [string, string, string | undefined];
  const rest = url.slice(prefix.length);
  const password = credentials?.startsWith(':') ? credentials : '';
  return `${scheme}${encodeURIComponent(name)}${password}@${rest}`;
}

/** pg options for one connection or pool of the bot: the URL to dial and the limits above. */
export function connectionOptions(
  url: string,
  applicationName: string,
  limits: ConnectionLimits | null = BOT_CONNECTION_LIMITS,
): pg.ClientConfig {
  return {
    connectionString: dialUrl(url),
    application_name: applicationName,
    ...(limits
      ? {
          lock_timeout: limits.lockTimeoutMs,
          statement_timeout: limits.statementTimeoutMs,
          query_timeout: limits.queryTimeoutMs,
        }
      : {}),
  };
}

export interface PoolOptions {
  /** Connections this process may hold. */
  max?: number;
  /** How long a new connection may take before the attempt fails. */
  connectTimeoutMs?: number;
  /** Called for errors of idle connections (a database restart); without a handler they crash Node. */
  onIdleError?: (error: Error) => void;
  /** Lock, statement and query limits; null for none. */
  limits?: ConnectionLimits | null;
  applicationName?: string;
}

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    ...connectionOptions(
      url,
      options.applicationName ?? 'smtp-check',
      options.limits === undefined ? BOT_CONNECTION_LIMITS : options.limits,
    ),
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

export { isUnavailable, storeErrorFrom } from './errors.js';
