// DATABASE_URL carries a password: it never appears in a message or a log line. What a person
// needs to find the database is its host, port and name. No driver import here, so the settings
// can validate the URL without loading PostgreSQL's client.

type UrlParts = Pick<URL, 'hostname' | 'port' | 'pathname' | 'searchParams' | 'password'>;

/**
 * The URL's parts, or null. A Unix socket URL with a user and no host
 * (postgres://user:password@/db?host=/run/postgresql) is valid for PostgreSQL but not for WHATWG
 * URL: it is read with an empty host.
 */
function parseUrl(url: string): UrlParts | null {
  try {
    return new URL(url);
  } catch {
    const userAndNoHost = /^(postgres(?:ql)?:\/\/)([^/?#]*)@(?=[/?#]|$)/i.exec(url);
    if (userAndNoHost === null) return null;
    const [prefix, scheme, user] = userAndNoHost as unknown as [string, string, string];
    try {
      const rest = new URL(`${scheme}placeholder${url.slice(prefix.length)}`);
      const { password } = new URL(`${scheme}${user}@placeholder`);
      return { hostname: '', port: '', pathname: rest.pathname, searchParams: rest.searchParams, password };
    } catch {
      return null;
    }
  }
}

/** The password of a DATABASE_URL as the server receives it (decoded), or null. */
export function databasePassword(url: string): string | null {
  const parsed = parseUrl(url);
  if (parsed === null) return null;
  try {
    return decodeURIComponent(parsed.password) || null;
  } catch {
    return parsed.password || null;
  }
}

/** `host:port/database` of a PostgreSQL URL, without user or password; a Unix socket shows its folder. */
export function describeDatabase(url: string): string {
  const parsed = parseUrl(url);
  if (parsed === null) return 'the database in DATABASE_URL';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
  const socket = parsed.searchParams.get('host');
  const host =
    parsed.hostname !== ''
      ? `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`
      : (socket ?? 'localhost');
  return `${host}/${database}`;
}

/** Whether a DATABASE_URL value names PostgreSQL at all (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

/** Removes the URL, and its password on its own, from a text. */
export function redactUrl(text: string, url: string): string {
  let out = text.split(url).join(describeDatabase(url));
  const password = databasePassword(url);
  if (password !== null) out = out.split(password).join('***');
  return out;
}
