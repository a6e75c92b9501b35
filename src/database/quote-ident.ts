/** A PostgreSQL identifier (role, schema, database) quoted for a statement: `"a""b"` for `a"b`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
