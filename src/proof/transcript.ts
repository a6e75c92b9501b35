import { REDACTED, scrub, scrubAuthReply } from './secrets.js';

/**
 * The SMTP conversation as data, collected from nodemailer's `logger` option with
 * `transactionLog: true`. nodemailer already masks the credentials it logs, but this collector does
 * not rely on that: it recognises the AUTH exchange itself and replaces every client line of it,
 * whatever the password. The server's replies inside and at the end of the exchange are where an
 * echo of the secret would be: they are scrubbed for every form of it (see secrets.ts), and so is
 * each later repetition of them (nodemailer's error note, the error's message and response, through
 * `redact`). Everything else is scrubbed only for the forms long enough not to occur by chance, so
 * a short password is never starred out of a greeting or a port number.
 */

export type TranscriptDirection = 'client' | 'server' | 'note';

export interface TranscriptLine {
  /** `client`: a command we sent; `server`: a reply (multi-line replies joined with \n); `note`: a client event. */
  direction: TranscriptDirection;
  text: string;
}

/** The part of nodemailer's bunyan-style logger interface it calls. */
export interface TranscriptLogger {
  trace(entry: unknown, message?: unknown, ...args: unknown[]): void;
  debug(entry: unknown, message?: unknown, ...args: unknown[]): void;
  info(entry: unknown, message?: unknown, ...args: unknown[]): void;
  warn(entry: unknown, message?: unknown, ...args: unknown[]): void;
  error(entry: unknown, message?: unknown, ...args: unknown[]): void;
  fatal(entry: unknown, message?: unknown, ...args: unknown[]): void;
}

export interface TranscriptCollector {
  logger: TranscriptLogger;
  /** A copy of the lines so far, already redacted. */
  lines(): TranscriptLine[];
  /** The AUTH mechanism nodemailer reported as having logged in with, if it did. */
  authenticatedMechanism(): string | null;
  /** The reply to the last EHLO, or null. */
  lastEhlo(): string | null;
  /** The EHLO replies in order (before and after STARTTLS). */
  ehloReplies(): string[];
  /**
   * A text from the same session (an error's message or response) redacted as the transcript is:
   * a repetition of the server's answer to AUTH as it was redacted there, the rest scrubbed.
   */
  redact(text: string): string;
}

interface LogEntry {
  tnx?: unknown;
  action?: unknown;
  method?: unknown;
}

const AUTH_COMMAND = /^AUTH\s+(\S+)(\s+\S.*)?$/i;

function formatMessage(message: unknown, args: unknown[]): string {
  let text = typeof message === 'string' ? message : String(message ?? '');
  // Only the %s placeholders nodemailer uses in its notes; the protocol lines never go through here.
  for (const arg of args) text = text.replace(/%s/, typeof arg === 'string' ? arg : String(arg));
  return text;
}

/**
 * Collects a redacting transcript. `secretForms` comes from secrets.ts (empty when nothing is
 * secret). `onLine` sees each line as it is added, already redacted (the session's live steps).
 */
export function createTranscriptCollector(
  secretForms: readonly string[] = [],
  onLine?: (line: TranscriptLine) => void,
): TranscriptCollector {
  const lines: TranscriptLine[] = [];
  const ehlo: string[] = [];
  let inAuthExchange = false;
  let lastClientVerb = '';
  let mechanism: string | null = null;
  /** The server's answers to the AUTH exchange, as received and as redacted, longest first. */
  const authReplies: Array<[raw: string, redacted: string]> = [];

  const redact = (text: string, from = 0): string => {
    const known = authReplies[from];
    if (!known) return scrub(text, secretForms);
    return text
      .split(known[0])
      .map((part) => redact(part, from + 1))
      .join(known[1]);
  };

  const add = (line: TranscriptLine) => {
    lines.push(line);
    onLine?.({ ...line });
  };

  const push = (direction: TranscriptDirection, text: string) => {
    add({ direction, text: redact(text) });
  };

  const client = (raw: string) => {
    const auth = AUTH_COMMAND.exec(raw);
    if (auth) {
      // The verb and mechanism are useful; an initial response (PLAIN's blob, XOAUTH2's token) is the secret.
      inAuthExchange = true;
      lastClientVerb = 'AUTH';
      push('client', `AUTH ${auth[1]!.toUpperCase()}${auth[2] ? ` ${REDACTED}` : ''}`);
      return;
    }
    if (inAuthExchange) {
      // Inside AUTH every client line answers a 334 challenge: the user name, the password, a CRAM-MD5
      // digest, or "*" to cancel. None of them is kept.
      push('client', REDACTED);
      return;
    }
    lastClientVerb = raw.split(' ')[0]!.toUpperCase();
    push('client', raw);
  };

  const server = (raw: string) => {
    if (inAuthExchange) {
      // A 334 continues the exchange; any other reply ends it. Either may echo what it was sent.
      if (!/^334[ -]/.test(raw)) inAuthExchange = false;
      const redacted = scrubAuthReply(raw, secretForms);
      if (redacted !== raw && raw.length > 0) {
        authReplies.push([raw, redacted]);
        authReplies.sort((a, b) => b[0].length - a[0].length);
      }
      add({ direction: 'server', text: redacted });
      return;
    }
    if ((lastClientVerb === 'EHLO' || lastClientVerb === 'LHLO') && /^250[ -]/.test(raw)) ehlo.push(raw);
    push('server', raw);
  };

  const note = (entry: LogEntry, message: unknown, args: unknown[]) => {
    if (entry.action === 'authenticated' && typeof entry.method === 'string') mechanism = entry.method;
    const text = formatMessage(message, args);
    if (text.length > 0) push('note', text);
  };

  const handle = (entryOrMessage: unknown, message: unknown, args: unknown[]) => {
    const entry = (
      typeof entryOrMessage === 'object' && entryOrMessage !== null ? entryOrMessage : {}
    ) as LogEntry;
    const text = typeof entryOrMessage === 'string' ? entryOrMessage : message;
    if (entry.tnx === 'client' && typeof text === 'string') client(text);
    else if (entry.tnx === 'server' && typeof text === 'string') server(text);
    else note(entry, text, typeof entryOrMessage === 'string' ? [message, ...args] : args);
  };

  const level = (entry: unknown, message?: unknown, ...args: unknown[]) => handle(entry, message, args);
  return {
    logger: { trace: level, debug: level, info: level, warn: level, error: level, fatal: level },
    lines: () => lines.map((line) => ({ ...line })),
    authenticatedMechanism: () => mechanism,
    lastEhlo: () => ehlo.at(-1) ?? null,
    ehloReplies: () => [...ehlo],
    redact: (text) => redact(text),
  };
}

/** AUTH mechanisms an EHLO reply offers, upper case ("250-AUTH PLAIN LOGIN", also the old "AUTH=" form). */
export function authMechanisms(ehloReply: string | null): string[] {
  if (!ehloReply) return [];
  const found = new Set<string>();
  for (const line of ehloReply.split(/\r?\n/)) {
    const match = /^\d{3}[ -]AUTH[ =](.*)$/i.exec(line.trim());
    if (!match) continue;
    for (const name of match[1]!.trim().split(/\s+/)) if (name) found.add(name.toUpperCase());
  }
  return [...found];
}

/** Whether an EHLO reply offers an extension keyword (STARTTLS, PIPELINING, …). */
export function offersExtension(ehloReply: string | null, keyword: string): boolean {
  if (!ehloReply) return false;
  return ehloReply.split(/\r?\n/).some(
    (line) =>
      line
        .replace(/^\d{3}[ -]/, '')
        .trim()
        .split(/[ =]/)[0]!
        .toUpperCase() === keyword.toUpperCase(),
  );
}
