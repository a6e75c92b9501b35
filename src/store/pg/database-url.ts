// DATABASE_URL carries a password: it never appears in a message or a log line. What a person
// needs to find the database is its host, port and name. No driver import here, so the settings
// can validate the URL without loading PostgreSQL's client.

/** `host:port/database` of a PostgreSQL URL, without user or password; a Unix socket shows its folder. */
export function describeDatabase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the database in DATABASE_URL';
  }
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
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') out = out.split(password).join('***');
  } catch {
    // not a URL: nothing more to remove
  }
  return out;
}
