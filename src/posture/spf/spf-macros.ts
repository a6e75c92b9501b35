import { type IpAddress, formatIpAddress, spfDottedAddress } from './ip-in-network.js';

// RFC 7208 §7: the macro language of domain-specs and explanations. Records are network text, so
// the scanner accepts exactly the ABNF and reports what it refused; expansion runs only on text
// the scanner accepted.

/** What macros expand from: the message being checked. */
export interface SpfMacroContext {
  /** MAIL FROM (`%{s}`), `postmaster@<domain>` when the caller gives none. */
  sender: string;
  /** The domain whose record is being evaluated (`%{d}`): changes with include and redirect. */
  domain: string;
  ip: IpAddress;
  /** HELO/EHLO name (`%{h}`). */
  helo: string;
  /** `%{t}`, in seconds. */
  now: () => number;
}

const LETTERS = 'slodiphcrtv';
/** §7.2: c, r and t are for explanation text only. */
const EXPLANATION_ONLY = 'crt';

export type MacroScan = { ok: true; hasMacros: boolean } | { ok: false; message: string };

/** Checks `text` against §7.1's macro-string; `explanation` allows c, r and t. */
export function scanMacroString(text: string, options: { explanation?: boolean } = {}): MacroScan {
  let hasMacros = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (text[index] !== '%') {
      // macro-literal is %x21-24 / %x26-7E; explanation text may hold spaces as well.
      const spaceAllowed = options.explanation === true && code === 0x20;
      if ((code < 0x21 || code > 0x7e) && !spaceAllowed) {
        return { ok: false, message: `character ${JSON.stringify(text[index])} not allowed` };
      }
      continue;
    }
    hasMacros = true;
    const next = text[index + 1];
    if (next === '%' || next === '_' || next === '-') {
      index += 1;
      continue;
    }
    if (next !== '{') return { ok: false, message: `"%" must start %{…}, %%, %_ or %-` };
    const close = text.indexOf('}', index);
    if (close < 0) return { ok: false, message: 'unterminated macro' };
    const body = text.slice(index + 2, close);
    const parsed = /^([a-zA-Z])(\d*)(r?)([.\-+,/_=]*)$/i.exec(body);
    const letter = parsed?.[1]?.toLowerCase() ?? '';
    if (!parsed || !LETTERS.includes(letter)) return { ok: false, message: `unknown macro %{${body}}` };
    if (EXPLANATION_ONLY.includes(letter) && !options.explanation) {
      return { ok: false, message: `%{${letter}} is allowed in explanations only` };
    }
    if (parsed[2] !== '' && Number(parsed[2]) === 0) return { ok: false, message: `%{${body}}: zero parts` };
    index = close;
  }
  return { ok: true, hasMacros };
}

const TOPLABEL = /^(?:[0-9a-z]*[a-z][0-9a-z]*|[0-9a-z]+-[0-9a-z-]*[0-9a-z])$/i;

/**
 * §4.8 domain-spec: a macro-string ending in `.toplabel` (a trailing dot allowed) or in a macro.
 * A plain name needs a dot and a top label that is not all digits (`a:192.0.2.1` is refused).
 */
export function scanDomainSpec(text: string): MacroScan {
  if (text === '') return { ok: false, message: 'empty domain-spec' };
  const scan = scanMacroString(text);
  if (!scan.ok) return scan;
  if (/%(?:\{[^}]*\}|[%_-])$/.test(text)) return scan;
  const bare = text.endsWith('.') ? text.slice(0, -1) : text;
  const dot = bare.lastIndexOf('.');
  if (dot < 0 || !TOPLABEL.test(bare.slice(dot + 1))) {
    return { ok: false, message: 'not a domain name (it needs a dot and a top label)' };
  }
  return scan;
}

/** Local part and domain of a sender, `postmaster` when the local part is missing (§4.3). */
export function splitSender(sender: string): { localPart: string; domain: string } {
  const at = sender.lastIndexOf('@');
  if (at < 0) return { localPart: 'postmaster', domain: sender };
  return { localPart: sender.slice(0, at) || 'postmaster', domain: sender.slice(at + 1) };
}

function letterValue(letter: string, context: SpfMacroContext): string {
  const sender = splitSender(context.sender);
  switch (letter) {
    case 's':
      return context.sender;
    case 'l':
      return sender.localPart;
    case 'o':
      return sender.domain;
    case 'd':
      return context.domain;
    case 'i':
      return spfDottedAddress(context.ip);
    case 'p':
      // §7.3 lets a verifier expand %{p} to "unknown" and discourages the macro: finding the
      // validated name costs a PTR lookup and up to 10 address lookups that no limit counts.
      return 'unknown';
    case 'v':
      return context.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return context.helo;
    case 'c':
      return formatIpAddress(context.ip);
    case 'r':
      // The receiving host's name: a posture check is no receiving MTA, and §7.3 allows "unknown".
      return 'unknown';
    default:
      return String(Math.floor(context.now()));
  }
}

/** Unreserved characters stay (RFC 3986 §2.3); everything else is %-escaped as UTF-8. */
function urlEscape(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function transform(value: string, digits: string, reverse: boolean, delimiters: string): string {
  const splitters = delimiters === '' ? '.' : delimiters;
  let parts: string[] = [];
  let current = '';
  for (const char of value) {
    if (splitters.includes(char)) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  if (reverse) parts = parts.reverse();
  if (digits !== '') parts = parts.slice(-Number(digits));
  return parts.join('.');
}

/** Expands a macro-string `scanMacroString` accepted. */
export function expandSpfMacros(text: string, context: SpfMacroContext): string {
  return text.replace(
    /%(?:\{([a-zA-Z])(\d*)(r?)([^}]*)\}|([%_-]))/gi,
    (_, letter, digits, r, delims, short) => {
      if (short === '%') return '%';
      if (short === '_') return ' ';
      if (short === '-') return '%20';
      const name = String(letter);
      const value = transform(letterValue(name.toLowerCase(), context), digits, r !== '', delims);
      return name === name.toUpperCase() ? urlEscape(value) : value;
    },
  );
}

/**
 * The name an expanded domain-spec asks DNS: no trailing dot, and over 253 characters cut from the
 * left a label at a time (§7.3). Null when it cannot be a DNS name (an empty or too long label):
 * such a name is never asked.
 */
export function expandedDomainName(expanded: string): string | null {
  let name = expanded.endsWith('.') ? expanded.slice(0, -1) : expanded;
  while (name.length > 253 && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  const labels = name.split('.');
  if (name.length > 253 || labels.some((label) => label.length === 0 || label.length > 63)) return null;
  return name.toLowerCase();
}
