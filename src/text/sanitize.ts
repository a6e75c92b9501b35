// Server-controlled text (banners, EHLO lines, certificate names) is hostile until it passes here.

// C0/C1 controls (tab and newline kept), zero-width and invisible formatting characters, line and
// paragraph separators, every bidi override/isolate/mark (they can make text read backwards), BOM
// and interlinear annotation characters, and Unicode tag characters (invisible ASCII look-alikes).
const CONTROL =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// Lone surrogates come from text decoded as the wrong encoding; JSON would carry them as \udXXX.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Removes ANSI escape sequences, control and bidi characters, lone surrogates and U+FFFD left by
 * invalid UTF-8 (shown as "?"), keeps newlines and tabs, and caps the length (adding "…" when cut).
 */
export function cleanText(text: string, maxChars: number): string {
  // Cleaning is linear, but there is no reason to scan 200 KB to keep 300 characters: look at a
  // generous prefix only (stripped characters can make the kept text shorter than maxChars).
  const window = maxChars * 4 + 1_024;
  const clipped = text.length > window;
  const cleaned = (clipped ? text.slice(0, window) : text)
    .replace(/\r\n?/g, '\n')
    .replace(ANSI, '')
    .replace(CONTROL, '')
    .replace(LONE_SURROGATE, '?')
    .replace(/\uFFFD/g, '?');
  if (clipped && cleaned.length <= maxChars) return `${truncate(cleaned, maxChars - 1)}…`;
  return truncate(cleaned, maxChars);
}

/** Cuts at maxChars (counting the ellipsis), never inside a surrogate pair. */
export function truncate(text: string, maxChars: number, ellipsis = '…'): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - ellipsis.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + ellipsis;
}

/** Escapes the three characters Slack's mrkdwn treats as markup, which neutralises mentions and links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Untrusted text for a Slack code span: cleaned, escaped, backticks replaced so the span cannot be
 * closed early, newlines shown as ⏎ (a code span cannot span lines), capped at maxChars after
 * escaping.
 */
export function slackCode(text: string, maxChars = 300): string {
  const flat = cleanText(text, maxChars).replace(/`/g, "'").replace(/\n/g, ' ⏎ ').replace(/\t/g, ' ');
  const safe = escapeMrkdwn(flat);
  return `\`${truncate(safe, maxChars)}\``;
}

/**
 * Untrusted multi-line text for a Slack code block: every line cleaned, escaped and without
 * backticks (so the fence cannot be closed early), at most maxChars inside the fence; when lines
 * are left out the block ends with a line saying how many.
 */
export function slackCodeBlock(lines: readonly string[], maxChars = 2_000, maxLineChars = 300): string {
  const kept: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const safe = escapeMrkdwn(cleanText(line, maxLineChars).replace(/`/g, "'").replace(/\n/g, ' ⏎ '));
    const left = lines.length - index;
    const reserve = left > 1 ? 40 : 0;
    if (used + safe.length + 1 + reserve > maxChars) {
      kept.push(`… ${left} more line${left === 1 ? '' : 's'} truncated`);
      break;
    }
    kept.push(safe);
    used += safe.length + 1;
  }
  return `\`\`\`${kept.join('\n') || ' '}\`\`\``;
}

// What a Slack client turns into a link even after escaping: URLs, e-mail addresses, and bare
// domain names (`evil.example`). Trailing punctuation is left outside.
const LINKABLE =
  /(?:[a-z][a-z0-9+.-]*:\/\/[^\s`]+|[^\s@`]+@[^\s@`]+\.[a-z]{2,}|(?:[a-z0-9_-]+\.)+[a-z]{2,}(?::\d+)?(?:\/[^\s`]*)?)/gi;

/**
 * Untrusted text for prose (finding summaries that quote a server, reasons): cleaned, escaped,
 * and every URL, address or domain name put in a code span, because Slack links those even when
 * `<` and `>` are escaped. Backticks from the text become ' so the only code spans are ours.
 */
export function slackText(text: string, maxChars = 1_000): string {
  const flat = cleanText(text, maxChars).replace(/`/g, "'");
  let out = '';
  let last = 0;
  for (const match of flat.matchAll(LINKABLE)) {
    const token = match[0].replace(/[.,;:!?)\]'"]+$/, '');
    const start = match.index ?? 0;
    out += `${escapeMrkdwn(flat.slice(last, start))}\`${escapeMrkdwn(token)}\``;
    last = start + token.length;
  }
  out += escapeMrkdwn(flat.slice(last));
  const cut = truncate(out, maxChars - 1);
  // A cut inside a span would leave the rest of a URL outside code, where Slack links it.
  return (cut.match(/`/g)?.length ?? 0) % 2 === 1 ? `${cut}\`` : cut;
}

const ECHO_UNSAFE = new RegExp(`${CONTROL.source}|[\\t\\n]|${LONE_SURROGATE.source}`, 'g');

/**
 * Text a person typed or pasted, shown back to them in a terminal (an error that quotes the input):
 * every control, bidi and invisible character becomes a visible escape (`\x1b`, `\u202e`), so it can
 * neither drive the terminal nor hide, and the user sees what was really in the input. Newlines are
 * escaped too unless keepNewlines.
 */
export function escapeControls(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(ECHO_UNSAFE, (char) => {
    if (char === '\n' && options.keepNewlines) return char;
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\u{${code.toString(16)}}`;
  });
}

/**
 * A Slack user id (U… or W… for Enterprise Grid). Only text matching it becomes a `<@…>` mention,
 * and WATCH_ADMINS accepts only such ids, so a crafted id can never turn into `<!channel>`.
 */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
