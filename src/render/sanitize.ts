// Server-controlled text (banners, EHLO lines, certificate names) is hostile until it passes here.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;

/**
 * Removes ANSI escape sequences, control and bidi characters and U+FFFD left by invalid UTF-8,
 * keeps newlines and tabs, and caps the length (adding "…" when cut).
 */
export function cleanText(text: string, maxChars: number): string {
  const cleaned = text
    .replace(ANSI, '')
    .replace(CONTROL, '')
    .replace(/\uFFFD/g, '?');
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
 * closed early, capped at maxChars after escaping.
 */
export function slackCode(text: string, maxChars = 300): string {
  const safe = escapeMrkdwn(cleanText(text, maxChars).replace(/`/g, "'"));
  return `\`${truncate(safe, maxChars)}\``;
}
