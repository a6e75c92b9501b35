import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { PostureRequest } from '../posture/types.js';

// What a person types after `domain`: a domain (also as an address or a link Slack made of it),
// then `selector s1,s2` and `ip 203.0.113.5` in any order. The terminal's `--selector` and `--ip`
// arrive here as the same words. Every refusal says what to type instead.

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
/** A DKIM selector is one or more labels (RFC 6376 §3.1); underscores occur in the wild. */
const SELECTOR = /^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$/;
/** More would only spend the query budget: a report asks each one with its CNAME. */
export const MAX_SELECTORS = 10;

const DOMAIN_EXAMPLE = 'domain example.com [selector s1,s2] [ip 203.0.113.5]';

/** The registered domain as DNS knows it: lower case, A-labels, no trailing dot. */
export function parseDomainName(raw: string): { domain: string } | { error: string } {
  let text = raw.trim();
  // Slack turns a typed `example.com` into `<http://example.com|example.com>`: the label is what was typed.
  const slackLink = /^<([^|>]*)(?:\|([^>]*))?>$/.exec(text);
  if (slackLink) text = (slackLink[2] ?? slackLink[1] ?? '').trim();
  text = text.replace(/^mailto:/i, '');
  if (text === '') return { error: `no domain given; type ${DOMAIN_EXAMPLE}` };
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text);
  if (scheme)
    return { error: `\`${text}\` is a URL; type the domain alone: domain ${scheme[1] ?? 'example.com'}` };
  if (text.includes('@')) {
    const at = text.lastIndexOf('@');
    if (at === 0 || at === text.length - 1 || text.indexOf('@') !== at) {
      return { error: `\`${text}\` is not a whole address; type the domain, as in domain example.com` };
    }
    text = text.slice(at + 1);
  }
  const bare = text.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) {
    return {
      error: `\`${text}\` is an IP address: a domain's posture lives in its DNS name (domain example.com); give a sending address with ip ${bare}`,
    };
  }
  if (/[\s/:?#\\]/.test(text)) return { error: `\`${text}\` is not a domain name; type ${DOMAIN_EXAMPLE}` };
  const ascii = domainToASCII(text.replace(/\.$/, '').toLowerCase());
  if (ascii === '' || ascii.length > 253) return { error: `\`${text}\` is not a valid domain name` };
  const labels = ascii.split('.');
  if (labels.length < 2) {
    return { error: `\`${text}\` has no dot: type the whole domain, as in ${text}.com or example.com` };
  }
  if (!labels.every((label) => LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return { error: `\`${text}\` is not a valid domain name` };
  }
  return { domain: ascii };
}

/** `s1,s2` or `s1, s2`: each a valid selector, at most MAX_SELECTORS, repeats dropped. */
export function parseSelectors(text: string): { selectors: string[] } | { error: string } {
  const selectors: string[] = [];
  for (const part of text.split(/[\s,]+/).filter((word) => word !== '')) {
    const selector = part.toLowerCase().replace(/\._domainkey(\..*)?$/, '');
    if (!SELECTOR.test(selector)) {
      return { error: `\`${part}\` is not a DKIM selector (letters, digits, - and _, as in s1 or google)` };
    }
    if (!selectors.includes(selector)) selectors.push(selector);
  }
  if (selectors.length === 0) return { error: 'selector needs a name, as in selector s1,s2' };
  if (selectors.length > MAX_SELECTORS) {
    return { error: `at most ${MAX_SELECTORS} selectors per report (got ${selectors.length})` };
  }
  return { selectors };
}

/** A sending address, IPv4 or IPv6 (brackets allowed); the canonical form. */
export function parseSendingIp(text: string): { ip: string } | { error: string } {
  const bare = text.trim().replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return { ip: bare };
  if (isIP(bare) === 6) return { ip: new URL(`http://[${bare}]/`).hostname.slice(1, -1) };
  return {
    error: `\`${text}\` is not an IP address; ip takes the address mail is sent from, as in ip 203.0.113.5`,
  };
}

/**
 * `example.com`, `example.com selector s1,s2 ip 203.0.113.5` (either order); `selector=s1` and
 * `ip=…` are read the same way.
 */
export function parseDomainWords(words: string[]): { request: PostureRequest } | { error: string } {
  const split = words.flatMap((word) => {
    const pair = /^(selectors?|ip)=(.*)$/i.exec(word);
    return pair ? [pair[1] ?? '', pair[2] ?? ''] : [word];
  });
  let domain: string | null = null;
  let selectors: string[] = [];
  let ip: string | undefined;
  for (let index = 0; index < split.length; index += 1) {
    const word = split[index] ?? '';
    const keyword = word.toLowerCase();
    if (keyword === 'selector' || keyword === 'selectors' || keyword === 'ip') {
      // A selector list may be typed with spaces after its commas (`s1, s2`).
      let value = split[index + 1];
      while (keyword !== 'ip' && value?.endsWith(',') && split[index + 2] !== undefined) {
        value += split[index + 2];
        index += 1;
      }
      index += 1;
      if (value === undefined || value === '')
        return { error: `${keyword} needs a value; type ${DOMAIN_EXAMPLE}` };
      if (keyword === 'ip') {
        const parsed = parseSendingIp(value);
        if ('error' in parsed) return parsed;
        ip = parsed.ip;
      } else {
        const parsed = parseSelectors(value);
        if ('error' in parsed) return parsed;
        selectors = parsed.selectors;
      }
      continue;
    }
    if (domain !== null) {
      return { error: `one domain per report: \`${word}\` came after ${domain}; type ${DOMAIN_EXAMPLE}` };
    }
    const parsed = parseDomainName(word);
    if ('error' in parsed) return parsed;
    domain = parsed.domain;
  }
  if (domain === null) return { error: `no domain given; type ${DOMAIN_EXAMPLE}` };
  return { request: { domain, selectors, ...(ip === undefined ? {} : { ip }) } };
}
