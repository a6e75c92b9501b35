/**
 * What must never leave this module in clear: the password, and every encoding of it that an SMTP
 * login puts on the wire. AUTH LOGIN sends base64(password) on a line of its own; AUTH PLAIN sends
 * base64("\0user\0password") (or with an authorisation identity in front); swaks prints both in its
 * transcript, and anyone can decode them.
 *
 * Redaction by protocol state (see transcript.ts) is the first net: every client line of the AUTH
 * exchange is replaced whole, whatever the password. The list of forms is the second net, and it is
 * careful about where it casts: a short form ("2525", "abc", their base64) occurs by chance in
 * text that has nothing to do with the password (a greeting "220 mail.example.com ESMTP 2525
 * ready", a port number), and replacing it there would reveal the password rather than hide it. So
 * a form is replaced wherever it appears only when it is long enough not to occur by chance
 * (`scrub`); the short ones are replaced only in the server's answer to the AUTH exchange, where an
 * echo of the secret would be, and only where they stand as a token of their own (`scrubAuthReply`).
 */

export const REDACTED = '[redacted]';

/** Forms shorter than this are never replaced blindly: they are too likely to occur by chance. */
export const MIN_BLIND_LENGTH = 8;

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

/** Whether a form is long enough to be replaced wherever it appears. */
export function isDistinctive(form: string): boolean {
  return form.length >= MIN_BLIND_LENGTH;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One pass over `text`, so a replacement is never searched again. Distinctive forms are replaced
 * anywhere; with `tokens`, short forms too, but only where neither neighbour is a letter or digit
 * (the "2525" of "login 2525 refused", not of "port 42525" or "AM0PR02CA2525").
 */
function replaceForms(text: string, forms: readonly string[], tokens: boolean): string {
  const alternatives = [...forms]
    .filter((form) => form.length > 0 && (tokens || isDistinctive(form)))
    .sort((a, b) => b.length - a.length)
    .map((form) =>
      isDistinctive(form) ? escapeRegExp(form) : `(?<![\\p{L}\\p{N}])${escapeRegExp(form)}(?![\\p{L}\\p{N}])`,
    );
  if (alternatives.length === 0) return text;
  return text.replace(new RegExp(alternatives.join('|'), 'gu'), REDACTED);
}

/**
 * Replaces the distinctive forms of the secret wherever they appear in `text`. Short forms are left
 * alone here: the AUTH lines that carry them are redacted by state, and `scrubAuthReply` covers the
 * server's answer to them.
 */
export function scrub(text: string, forms: readonly string[]): string {
  return replaceForms(text, forms, false);
}

const REPLY_HEAD = /^\d{3}(?:[ -]\d\.\d{1,3}\.\d{1,3})?(?=[ -]|$)/;

/**
 * For a reply the server wrote in answer to the secret (inside or at the end of the AUTH exchange),
 * where a careless or hostile server echoes what it got: every form, the short ones as tokens of
 * their own, outside each line's reply code. A success (2xx) has nothing to echo, and its short
 * words ("235 2.7.0 ok") are left as they are.
 */
export function scrubAuthReply(text: string, forms: readonly string[]): string {
  if (/^2\d\d(?:[ -]|$)/.test(text)) return scrub(text, forms);
  return text
    .split('\n')
    .map((line) => {
      const head = REPLY_HEAD.exec(line)?.[0] ?? '';
      return head + replaceForms(line.slice(head.length), forms, true);
    })
    .join('\n');
}
