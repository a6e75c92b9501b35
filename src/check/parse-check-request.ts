import { isIP } from 'node:net';
import type { ProbeMode } from '../probe/types.js';
import type { CheckRequest } from './types.js';

export type ParseResult = { ok: true; request: CheckRequest } | { ok: false; error: string };

/**
 * Ports a person may name in one check, however they name them (`host:port`, port words,
 * `--ports`, a URL). The provider's documented alternates that the bot adds on its own are not
 * counted: they come from the knowledge base, not from the user.
 */
export const MAX_PORTS_PER_CHECK = 12;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** What one typed target means. */
export interface TargetSpec {
  /** Host name (lower case, no trailing dot) or IP literal (IPv6 without brackets). */
  host: string;
  port: number | null;
  /** Probe the domain's MX hosts (typed as `user@domain`). */
  mx: boolean;
  /** The TLS mode an `smtp://` or `smtps://` URL named for `port`. */
  mode: ProbeMode | null;
}

/**
 * What nodemailer makes of a connection URL, since that is where people copy them from:
 * `smtps://` is TLS from the first byte (default port 465); `smtp://` is plain with STARTTLS
 * (default port 587), except on 465, where nodemailer turns TLS on by itself.
 */
const URL_SCHEMES: Record<string, { defaultPort: number; mode: (port: number) => ProbeMode }> = {
  smtp: { defaultPort: 587, mode: (port) => (port === 465 ? 'implicit-tls' : 'starttls') },
  smtps: { defaultPort: 465, mode: () => 'implicit-tls' },
};

const WHAT_TO_TYPE =
  'type a mail server (smtp.example.com, smtp.example.com:587) or an address (you@example.com)';

/**
 * Turns what a person typed into a host name or IP literal. Accepts `host`, `host:port`,
 * `[v6]:port`, a bare IPv6 address, `smtp://host[:port]` and `smtps://host[:port]` (that port
 * and TLS mode), `user@domain` (the domain's MX hosts) and Slack's link markup
 * (`<http://host|host>`, `<mailto:a@b|a@b>`). Numeric IPv4 spellings such as `127.1` or
 * `2130706433` are normalised by the WHATWG URL parser, so the policy sees the real address.
 * Everything else is refused with what to type instead.
 */
export function parseTarget(raw: string): TargetSpec | { error: string } {
  let text = raw.trim();
  const slackLink = /^<([^|>]*)(?:\|([^>]*))?>$/.exec(text);
  // Slack turns a typed `smtp.example.com` into `<http://smtp.example.com|smtp.example.com>`: the
  // label is what the person typed. A link without a label is a URL they typed themselves.
  if (slackLink) text = (slackLink[2] ?? slackLink[1] ?? '').trim();
  if (text === '') return { error: 'no host given' };
  text = text.replace(/^mailto:/i, '');

  let mode: ProbeMode | null = null;
  let urlPort: number | null = null;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    const name = (scheme[1] ?? '').toLowerCase();
    const known = URL_SCHEMES[name];
    // Only the authority matters; user:password@ (a nodemailer URL may carry one) is dropped
    // unread and never echoed.
    const authority = (text.slice(scheme[0].length).split(/[/?#]/)[0] ?? '').replace(/^.*@/, '');
    if (!known) {
      const hint = authority !== '' ? `; for this host type \`${authority}\`` : '';
      return {
        error:
          name === 'http' || name === 'https'
            ? `\`${name}://…\` is a web address and smtp-check probes mail ports${hint}, or ${WHAT_TO_TYPE}`
            : `\`${name}://\` is not something smtp-check probes${hint}; ${WHAT_TO_TYPE}, or smtp://host:587 / smtps://host:465`,
      };
    }
    const inner = parseHostPort(authority, `${name}://${authority}`);
    if ('error' in inner) return inner;
    urlPort = inner.port ?? known.defaultPort;
    mode = known.mode(urlPort);
    return { host: inner.host, port: urlPort, mx: false, mode };
  }

  let mx = false;
  if (text.includes('@')) {
    const parts = text.split('@');
    if (parts.length > 2) {
      return { error: `\`${text}\` has more than one @; ${WHAT_TO_TYPE}` };
    }
    const [local = '', domain = ''] = parts;
    if (local === '' || domain === '') {
      return {
        error: `\`${text}\` is not a whole address; type you@example.com for the domain's MX hosts, or just the domain`,
      };
    }
    text = domain;
    mx = true;
  }
  const target = parseHostPort(text, raw.trim());
  if ('error' in target) return target;
  return { ...target, mx, mode };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
function parseHostPort(
  text: string,
  shown: string,
): { host: string; port: number | null } | { error: string } {
  if (text === '') return { error: 'no host given' };
  let port: number | null = null;
  let hostPart = text;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    hostPart = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
    if (isIP(hostPart.replace(/%.*$/, '')) !== 6) {
      return { error: `\`${shown}\`: brackets are for IPv6 addresses, as in [2001:db8::25]:587` };
    }
  } else if (isIP(text.replace(/%.*$/, '')) === 6) {
    const ambiguous = ambiguousIpv6(text);
    if (ambiguous) return { error: ambiguous };
  } else {
    const colon = /^([^:]+):(\d+)$/.exec(text);
    if (colon) {
      hostPart = colon[1] ?? '';
      port = Number(colon[2]);
    } else if (text.includes(':')) {
      return {
        error: `\`${shown}\` is not a host name, IP address or host:port (an IPv6 address with a port is written [2001:db8::25]:587)`,
      };
    }
  }
  if (port !== null && !validPort(port)) return { error: `port ${port} is outside 1–65535` };

  if (isIP(hostPart.replace(/%.*$/, '')) === 6) {
    // The URL parser gives the canonical form (`::ffff:127.0.0.1` → `::ffff:7f00:1`).
    const canonical = URL.canParse(`http://[${hostPart}]/`)
      ? new URL(`http://[${hostPart}]/`).hostname
      : `[${hostPart}]`;
    return { host: canonical.slice(1, -1), port };
  }
  if (hostPart.length > 253) return { error: 'host names are at most 253 characters' };
  // The URL parser below would quietly drop a path or a query; a host name has none.
  if (/[/?#\\@\s]/.test(hostPart)) return { error: `\`${shown}\` is not a valid host name` };

  let host: string;
  try {
    host = new URL(`http://${hostPart}/`).hostname;
  } catch {
    return { error: `\`${shown}\` is not a valid host name` };
  }
  host = host.replace(/\.$/, '');
  if (isIP(host) === 4) return { host, port };
  if (host.startsWith('[')) return { host: host.slice(1, -1), port };
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return { error: `\`${shown}\` is not a valid host name` };
  }
  return { host, port };
}

/**
 * `::1:2525` is a valid IPv6 address, and also what someone writes meaning port 2525 on ::1.
 * When the last group reads as a port (decimal, 1–65535) and what comes before it is an address
 * by itself, the two readings differ; the person is asked to say which with brackets.
 */
function ambiguousIpv6(text: string): string | null {
  const cut = text.lastIndexOf(':');
  const head = text.slice(0, cut);
  const tail = text.slice(cut + 1);
  if (!/^\d{1,5}$/.test(tail) || !validPort(Number(tail)) || isIP(head) !== 6) return null;
  return (
    `\`${text}\` is ambiguous: write [${head}]:${tail} for port ${tail} on ${head}, ` +
    `or [${text}] for the address ${text}`
  );
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Parses `25,587`, `25 587` or `25, 465`; an error naming the first word that is not a port. */
export function parsePorts(text: string): { ports: number[] } | { error: string } {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const ports: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,5}$/.test(part) || !validPort(Number(part))) {
      return { error: `\`${part}\` is not a port number (1–65535)` };
    }
    const port = Number(part);
    if (!ports.includes(port)) ports.push(port);
  }
  if (ports.length > MAX_PORTS_PER_CHECK) return { error: tooManyPorts(ports.length) };
  return { ports };
}

function tooManyPorts(count: number): string {
  return `at most ${MAX_PORTS_PER_CHECK} ports per check (got ${count})`;
}

/** What a surface collected besides the words: the CLI's `--ports` and `--mx`. */
export interface CheckOptions {
  /** A port list as typed (`25,587`), from a flag. */
  ports?: string;
  mx?: boolean;
  /**
   * How a check is typed on this surface, for a command the answer suggests: `/smtp-check` in
   * chat; the terminal's `smtp-check` when absent.
   */
  command?: string;
  /** Words the surface took off the end before parsing (chat's `from office`), kept in a suggestion. */
  trailing?: string;
}

/**
 * The first label of many mail servers' names, typed as a word of its own (`smtp example.com` for
 * `smtp.example.com`); a digit may follow (`mx1`, `smtp2`).
 */
const MAIL_SERVER_PREFIX =
  /^(smtps?|mail|mx|e?mail-smtp|smtp-relay|smtp-mail|smtp-out|smtpout|mailout|outbound|relay)\d{0,2}$/i;

/**
 * `smtp example.com`: a mail server's name with a space where its first dot belongs. Names the
 * host that was probably meant and the whole command to type; null when the words read otherwise.
 */
function spacedPrefix(first: string, words: string[], options: CheckOptions): string | null {
  const [second, ...more] = words;
  if (second === undefined || !MAIL_SERVER_PREFIX.test(first)) return null;
  const domain = parseTarget(second);
  if ('error' in domain || domain.mx || domain.mode !== null || isIP(domain.host) !== 0) return null;
  if (!domain.host.includes('.')) return null;
  const meant = `${first.toLowerCase()}.${domain.host}`;
  const joined = parseTarget(meant);
  if ('error' in joined) return null;
  const host = domain.port === null ? meant : `${meant}:${domain.port}`;
  const typed = `${first} ${domain.port === null ? domain.host : `${domain.host}:${domain.port}`}`;
  const prefix = options.command ?? 'smtp-check';
  const command = [
    prefix,
    host,
    ...more,
    ...(options.ports !== undefined ? [`--ports ${options.ports}`] : []),
    ...(options.mx === true ? ['--mx'] : []),
    ...(options.trailing ? [options.trailing] : []),
  ].join(' ');
  const mx =
    first.toLowerCase() === 'mx'
      ? ` (or, for the MX hosts of ${domain.host}: ${prefix} ${domain.host} mx)`
      : '';
  return `“${typed}” is two words, and a mail server’s name is one: did you mean ${host}? Type: ${command}${mx}`;
}

/**
 * The one parser behind the CLI, the slash command and console mode: a target, then port words
 * (`25,587`, `25 587`) and `mx`. `options` carries what the CLI gives as flags, so every way of
 * naming ports meets the same cap and every mistake the same message.
 */
export function parseCheckWords(words: string[], options: CheckOptions = {}): ParseResult {
  const [first, ...rest] = words.filter((word) => word !== '');
  if (first === undefined) return { ok: false, error: 'no host given' };
  const target = parseTarget(first);
  if ('error' in target) return { ok: false, error: target.error };
  const spaced = spacedPrefix(first, rest, options);
  if (spaced !== null) return { ok: false, error: spaced };

  let mx = target.mx || options.mx === true;
  const ports: number[] = target.port === null ? [] : [target.port];
  const add = (port: number) => {
    if (!ports.includes(port)) ports.push(port);
  };
  for (const word of rest) {
    if (/^(mx|--mx)$/i.test(word)) {
      mx = true;
      continue;
    }
    const parsed = parsePorts(word);
    if ('error' in parsed) {
      const stray = word.split(',').find((part) => part !== '' && !/^\d{1,5}$/.test(part)) ?? word;
      return {
        ok: false,
        error:
          /[a-z]/i.test(stray) && !/^-/.test(stray)
            ? `\`${stray}\` is not a port: one host per check (here \`${first}\`), then the ports to probe, as in \`${first} 25,587\``
            : parsed.error,
      };
    }
    for (const port of parsed.ports) add(port);
  }
  if (options.ports !== undefined) {
    const parsed = parsePorts(options.ports);
    if ('error' in parsed) return { ok: false, error: `--ports: ${parsed.error}` };
    if (parsed.ports.length === 0)
      return { ok: false, error: '--ports needs at least one port, as in --ports 25,587' };
    for (const port of parsed.ports) add(port);
  }
  if (ports.length > MAX_PORTS_PER_CHECK) return { ok: false, error: tooManyPorts(ports.length) };
  if (mx && isIP(target.host) !== 0) {
    return {
      ok: false,
      error: `${target.host} is an IP address, and only a domain has MX hosts: leave out mx (--mx), or type the domain`,
    };
  }

  const request: CheckRequest = { target: target.host, ports, mx: mx ? 'force' : 'auto' };
  if (target.mode !== null && target.port !== null) {
    request.portModes = [{ port: target.port, mode: target.mode }];
  }
  return { ok: true, request };
}

/** `parseCheckWords` for a line of text (the slash command, a mention, console mode). */
export function parseCheckRequest(text: string): ParseResult {
  return parseCheckWords(text.trim().split(/\s+/));
}
