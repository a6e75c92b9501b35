/**
 * What must never leave this module in clear: the password, and every encoding of it that an SMTP
 * login puts on the wire. AUTH LOGIN sends base64(password) on a line of its own; AUTH PLAIN sends
 * base64("\0user\0password") (or with an authorisation identity in front); swaks prints both in its
 * transcript, and anyone can decode them. Redaction by protocol state (see transcript.ts) is the
 * first net; this list is the second, applied to every string a result carries.
 */

export const REDACTED = '[redacted]';

export interface Secret {
  user: string;
  password: string;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The password and its encodings, longest first so a longer form is replaced before a part of it. */
export function secretForms(secret: Secret): string[] {
  const { user, password } = secret;
  if (password.length === 0) return [];
  const forms = new Set<string>([
    password,
    base64(password),
    // AUTH PLAIN without and with an authorisation identity (RFC 4616).
    base64(`\u0000${user}\u0000${password}`),
    base64(`${user}\u0000${user}\u0000${password}`),
    // A JSON rendering escapes quotes and backslashes: the escaped form is the password too.
    JSON.stringify(password).slice(1, -1),
    encodeURIComponent(password),
  ]);
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/** Replaces every form of the secret in `text`. */
export function scrub(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out;
}
