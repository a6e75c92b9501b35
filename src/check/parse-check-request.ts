import { isIP } from 'node:net';
import type { CheckRequest } from './types.js';

export type ParseResult = { ok: true; request: CheckRequest } | { ok: false; error: string };

export const MAX_PORTS_PER_CHECK = 12;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Turns what a person typed into a host name or IP literal. Accepts `host`, `host:port`,
 * `[v6]:port`, `smtp://host`, `user@domain` (checks the domain's MX hosts) and Slack's link
 * markup (`<http://host|host>`, `<mailto:a@b|a@b>`). Numeric IPv4 spellings such as `127.1` or
 * `2130706433` are normalised by the WHATWG URL parser, so the policy sees the real address.
 */
export function parseTarget(
  raw: string,
): { host: string; port: number | null; mx: boolean } | { error: string } {
  let text = raw.trim();
  const slackLink = /^<([^|>]*)(?:\|([^>]*))?>$/.exec(text);
  if (slackLink) text = (slackLink[2] ?? slackLink[1] ?? '').trim();
  text = text.replace(/^mailto:/i, '').replace(/^(smtps?|https?):\/\//i, '');
  text = text.replace(/\/.*$/, '');
  if (text === '') return { error: 'no host given' };

  let mx = false;
  if (text.includes('@')) {
    text = text.slice(text.lastIndexOf('@') + 1);
    mx = true;
  }

  let port: number | null = null;
  let hostPart = text;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    hostPart = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIP(text) !== 6) {
    const colon = /^([^:]+):(\d+)$/.exec(text);
    if (colon) {
      hostPart = colon[1] ?? '';
      port = Number(colon[2]);
    } else if (text.includes(':')) {
      return { error: `\`${raw.trim()}\` is not a host name, IP address or host:port` };
    }
  }
  if (port !== null && !validPort(port)) return { error: `port ${port} is outside 1–65535` };

  if (isIP(hostPart.replace(/%.*$/, '')) === 6) {
    // The URL parser gives the canonical form (`::ffff:127.0.0.1` → `::ffff:7f00:1`).
    const canonical = URL.canParse(`http://[${hostPart}]/`)
      ? new URL(`http://[${hostPart}]/`).hostname
      : `[${hostPart}]`;
    return { host: canonical.slice(1, -1), port, mx };
  }
  if (hostPart.length > 253) return { error: 'host names are at most 253 characters' };

  let host: string;
  try {
    host = new URL(`http://${hostPart}/`).hostname;
  } catch {
    return { error: `\`${raw.trim()}\` is not a valid host name` };
  }
  host = host.replace(/\.$/, '');
  if (isIP(host) === 4) return { host, port, mx };
  if (host.startsWith('[')) return { host: host.slice(1, -1), port, mx };
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return { error: `\`${raw.trim()}\` is not a valid host name` };
  }
  return { host, port, mx };
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Parses `25,587`, `25 587` or `25, 465`; null with a reason when anything is off. */
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
  if (ports.length > MAX_PORTS_PER_CHECK) {
    return { error: `at most ${MAX_PORTS_PER_CHECK} ports per check (got ${ports.length})` };
  }
  return { ports };
}

/**
 * Parses the arguments of a check: `host`, `host 25,587`, `host:2587`, `host mx`. Shared by the
 * Slack command, the console and the CLI so every entry point accepts the same input.
 */
export function parseCheckRequest(text: string): ParseResult {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) return { ok: false, error: 'no host given' };
  const [first, ...rest] = words as [string, ...string[]];
  const target = parseTarget(first);
  if ('error' in target) return { ok: false, error: target.error };

  let forceMx = target.mx;
  const portWords: string[] = [];
  for (const word of rest) {
    if (/^(mx|--mx)$/i.test(word)) forceMx = true;
    else portWords.push(word);
  }
  let ports: number[] = target.port === null ? [] : [target.port];
  if (portWords.length > 0) {
    const parsed = parsePorts(portWords.join(','));
    if ('error' in parsed) return { ok: false, error: parsed.error };
    ports = [...new Set([...ports, ...parsed.ports])];
  }
  return { ok: true, request: { target: target.host, ports, mx: forceMx ? 'force' : 'auto' } };
}
