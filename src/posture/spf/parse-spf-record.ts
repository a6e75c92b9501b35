import { isIPv4 } from 'node:net';
import type { SpfQualifier, SpfTermKind } from '../types.js';
import { type IpAddress, parseIpAddress } from './ip-in-network.js';
import { type MacroScan, scanDomainSpec, scanMacroString } from './spf-macros.js';

// RFC 7208 §4.6.1 and §12: a v=spf1 record's terms. A record with one bad term is a permerror as a
// whole (§4.6: the record is parsed before any term is evaluated), so the parser reads every term
// and reports the first it refused, as written.

export interface ParsedSpfTerm {
  /** As written in the record. */
  text: string;
  kind: SpfTermKind;
  /** Mechanisms only; `+` when none is written. */
  qualifier?: SpfQualifier;
  /** include, a, mx, ptr, exists, redirect, exp: the domain-spec as written; absent means the current domain. */
  domainSpec?: string;
  /** The domain-spec holds macros. */
  macro: boolean;
  /** a and mx: prefix lengths for IPv4 and IPv6 addresses (`a/24//64`). */
  cidr4?: number;
  cidr6?: number;
  /** ip4 and ip6: the network as written (`192.0.2.0/24`), and parsed. */
  network?: string;
  address?: IpAddress;
  prefix?: number;
  /** Unknown modifiers: their name, lower case. */
  name?: string;
}

export interface SpfSyntaxProblem {
  term: string;
  message: string;
}

export interface ParsedSpfRecord {
  terms: ParsedSpfTerm[];
  /** The first term refused; when present the record is a permerror. */
  error?: SpfSyntaxProblem;
}

const MECHANISMS = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'] as const;
type Mechanism = (typeof MECHANISMS)[number];
const QUALIFIERS = '+-~?';
const MODIFIER = /^([a-zA-Z][a-zA-Z0-9_.-]*)=(.*)$/s;

type TermResult = ParsedSpfTerm | { problem: string };

function cidrLength(digits: string, max: number): number | null {
  if (!/^(?:0|[1-9]\d{0,2})$/.test(digits)) return null;
  const length = Number(digits);
  return length <= max ? length : null;
}

function domainTerm(text: string, kind: SpfTermKind, spec: string, base: Partial<ParsedSpfTerm>): TermResult {
  const scan: MacroScan = scanDomainSpec(spec);
  if (!scan.ok) return { problem: `${scan.message}: ${JSON.stringify(spec)}` };
  return { ...base, text, kind, domainSpec: spec, macro: scan.hasMacros };
}

function parseModifier(text: string, name: string, value: string, seen: Set<string>): TermResult {
  const lower = name.toLowerCase();
  if (lower === 'redirect' || lower === 'exp') {
    if (seen.has(lower)) return { problem: `${lower}= may appear only once` };
    seen.add(lower);
    return domainTerm(text, lower, value, {});
  }
  const scan = scanMacroString(value);
  if (!scan.ok) return { problem: `modifier ${lower}: ${scan.message}` };
  return { text, kind: 'modifier', name: lower, macro: scan.hasMacros };
}

function parseAddressMechanism(
  text: string,
  kind: 'ip4' | 'ip6',
  qualifier: SpfQualifier,
  rest: string,
): TermResult {
  if (!rest.startsWith(':')) return { problem: `${kind} needs ":" and a network` };
  const network = rest.slice(1);
  const slash = network.indexOf('/');
  const address = slash < 0 ? network : network.slice(0, slash);
  const max = kind === 'ip4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const length = cidrLength(network.slice(slash + 1), max);
    if (length === null) return { problem: `bad CIDR length "${network.slice(slash)}" (0–${max})` };
    prefix = length;
  }
  const valid = kind === 'ip4' ? isIPv4(address) : address.includes(':') && !address.includes('%');
  // ip6 keeps an IPv4-mapped network as IPv6: only ip4 terms match IPv4 clients.
  const parsed = valid ? parseIpAddress(address, { mapIpv4: kind === 'ip4' }) : null;
  if (!parsed)
    return { problem: `not an ${kind === 'ip4' ? 'IPv4' : 'IPv6'} address: ${JSON.stringify(address)}` };
  return { text, kind, qualifier, network, address: parsed, prefix, macro: false };
}

function parseHostMechanism(
  text: string,
  kind: 'a' | 'mx',
  qualifier: SpfQualifier,
  rest: string,
): TermResult {
  let spec = rest;
  let cidr4 = 32;
  let cidr6 = 128;
  const dual = /\/\/([^/]*)$/.exec(spec);
  if (dual) {
    const length = cidrLength(dual[1] ?? '', 128);
    if (length === null) return { problem: `bad IPv6 CIDR length "//${dual[1]}" (0–128)` };
    cidr6 = length;
    spec = spec.slice(0, dual.index);
  }
  const single = /\/([^/]*)$/.exec(spec);
  if (single && (spec.startsWith('/') || /^\d+$/.test(single[1] ?? ''))) {
    const length = cidrLength(single[1] ?? '', 32);
    if (length === null) return { problem: `bad IPv4 CIDR length "/${single[1]}" (0–32)` };
    cidr4 = length;
    spec = spec.slice(0, single.index);
  }
  if (spec === '') return { text, kind, qualifier, cidr4, cidr6, macro: false };
  if (!spec.startsWith(':')) return { problem: `unknown mechanism` };
  return domainTerm(text, kind, spec.slice(1), { qualifier, cidr4, cidr6 });
}

function parseMechanism(text: string): TermResult {
  const qualified = QUALIFIERS.includes(text[0] ?? '');
  const qualifier = (qualified ? text[0] : '+') as SpfQualifier;
  const body = qualified ? text.slice(1) : text;
  const name = (/^[a-zA-Z0-9]*/.exec(body)?.[0] ?? '').toLowerCase();
  const rest = body.slice(name.length);
  if (!MECHANISMS.includes(name as Mechanism)) {
    const unqualified = /^[a-zA-Z0-9]*/.exec(body.slice(1))?.[0]?.toLowerCase() ?? '';
    if (name === '' && MECHANISMS.includes(unqualified as Mechanism)) {
      return { problem: `bad qualifier "${body[0]}" (one of + - ~ ?)` };
    }
    return { problem: 'unknown mechanism' };
  }
  switch (name as Mechanism) {
    case 'all':
      return rest === ''
        ? { text, kind: 'all', qualifier, macro: false }
        : { problem: 'all takes no argument' };
    case 'include':
    case 'exists':
      if (!rest.startsWith(':')) return { problem: `${name} needs ":" and a domain` };
      return domainTerm(text, name as 'include' | 'exists', rest.slice(1), { qualifier });
    case 'ptr':
      if (rest === '') return { text, kind: 'ptr', qualifier, macro: false };
      if (!rest.startsWith(':'))
        return { problem: rest.startsWith('/') ? 'ptr takes no CIDR length' : 'unknown mechanism' };
      return domainTerm(text, 'ptr', rest.slice(1), { qualifier });
    case 'ip4':
    case 'ip6':
      return parseAddressMechanism(text, name as 'ip4' | 'ip6', qualifier, rest);
    case 'a':
    case 'mx':
      return parseHostMechanism(text, name as 'a' | 'mx', qualifier, rest);
  }
}

/** The terms of a record that starts with `v=spf1` (case-insensitive), split on spaces (§4.6.1). */
export function parseSpfRecord(record: string): ParsedSpfRecord {
  const words = record.split(' ').filter((word) => word !== '');
  const terms: ParsedSpfTerm[] = [];
  const seen = new Set<string>();
  let error: SpfSyntaxProblem | undefined;
  for (const text of words.slice(1)) {
    const modifier = MODIFIER.exec(text);
    const result = modifier
      ? parseModifier(text, modifier[1] ?? '', modifier[2] ?? '', seen)
      : parseMechanism(text);
    if ('problem' in result) error ??= { term: text, message: result.problem };
    else terms.push(result);
  }
  return error ? { terms, error } : { terms };
}
