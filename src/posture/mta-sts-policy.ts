import type { CertificateFacts, PortClass } from '../probe/types.js';
import { quoted } from './mta-sts-record.js';
import type { MtaStsCoverage, MtaStsMode, MtaStsPolicy, Port25Evidence } from './transport-types.js';
import { bareHostName } from '../text/host-name.js';

// The MTA-STS policy file (RFC 8461 §3.2) and what a sender does with it (§4): which MX hosts it
// may deliver to, and which certificates it accepts there. The text came from a web server the
// domain runs: nothing in it is trusted, and every deviation is a problem in words.

const MODES: readonly MtaStsMode[] = ['enforce', 'testing', 'none'];
// §3.2: "maximum value of 31557600" (a year); at most 10 digits in the ABNF.
const MAX_AGE_LIMIT = 31_557_600;
const MAX_AGE = /^\d{1,10}$/;
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
// An `mx` value: an optional `*.` and a domain name (RFC 5321 Domain: letters, digits, hyphens).
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const MX_PATTERN = new RegExp(`^(?:\\*\\.)?(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
const KNOWN_KEYS = ['version', 'mode', 'max_age', 'mx'] as const;
// A policy of 64 KB can hold thousands of broken lines; the report needs the first few.
const MAX_PROBLEMS = 20;

/**
 * Reads a policy. §3.2's prose says the lines are CRLF-separated, but its ABNF ends a line with
 * `LF / CRLF`, and many policies are served with LF alone: both are read, as senders do. Fields
 * may come in any order (the ABNF does not fix one); unknown keys are extensions and ignored.
 * Blank lines are skipped: the grammar has none, but no sender rejects a policy for one.
 */
export function parseMtaStsPolicy(text: string): MtaStsPolicy {
  const problems: string[] = [];
  const values = new Map<string, string>();
  const mx: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const content = line.replace(/\r$/, '');
    if (content.trim() === '') continue;
    const field = readLine(content, index + 1, problems);
    if (!field) continue;
    if (field.key === 'mx') mx.push(field.value.toLowerCase());
    else if (values.has(field.key))
      problems.push(`line ${index + 1}: ${field.key} is given twice (the first one counts)`);
    else values.set(field.key, field.value);
  }
  checkVersion(values.get('version'), problems);
  const mode = readMode(values.get('mode'), problems);
  const maxAge = readMaxAge(values.get('max_age'), problems);
  for (const pattern of mx) {
    if (!MX_PATTERN.test(bareHostName(pattern)))
      problems.push(`mx: ${quoted(pattern)} is not a host name or *.domain pattern`);
  }
  if (mx.length === 0 && mode !== 'none') {
    problems.push(
      'no mx line: a policy names the MX hosts senders may deliver to (only mode none goes without)',
    );
  }
  return { mode, maxAge, mx, problems: capped(problems) };
}

/** A `key: value` line (§3.2's `sts-policy-field-delim` is ":" and optional spaces). */
function readLine(line: string, number: number, problems: string[]): { key: string; value: string } | null {
  const colon = line.indexOf(':');
  if (colon < 0) {
    problems.push(`line ${number}: "${quoted(line)}" is not a key: value line`);
    return null;
  }
  const key = line.slice(0, colon);
  const value = line.slice(colon + 1).trim();
  if (!KEY.test(key)) {
    problems.push(`line ${number}: "${quoted(key)}" is not a key (no spaces before ":")`);
    return null;
  }
  const known = KNOWN_KEYS.find((candidate) => candidate === key.toLowerCase());
  if (known !== undefined && known !== key) {
    // Keys are case-sensitive (%s in the ABNF): `Mode:` is an unknown extension to a sender.
    problems.push(`line ${number}: "${quoted(key)}" is written ${known} (keys are lower case)`);
    return null;
  }
  if (value === '') {
    problems.push(`line ${number}: ${key} has no value`);
    return null;
  }
  return { key, value };
}

function checkVersion(value: string | undefined, problems: string[]): void {
  if (value === undefined) problems.push('no version line: a policy says version: STSv1');
  else if (value !== 'STSv1') problems.push(`version: ${quoted(value)}: STSv1 is the only version`);
}

function readMode(value: string | undefined, problems: string[]): MtaStsMode | null {
  if (value === undefined) {
    problems.push('no mode line: a policy says mode: enforce, testing or none');
    return null;
  }
  const mode = MODES.find((candidate) => candidate === value);
  if (mode === undefined)
    problems.push(`mode: ${quoted(value)}: must be enforce, testing or none (lower case)`);
  return mode ?? null;
}

function readMaxAge(value: string | undefined, problems: string[]): number | null {
  if (value === undefined) {
    problems.push('no max_age line: a policy says how many seconds senders may cache it');
    return null;
  }
  if (!MAX_AGE.test(value)) {
    problems.push(`max_age: ${quoted(value)}: must be a whole number of seconds`);
    return null;
  }
  const seconds = Number(value);
  if (seconds > MAX_AGE_LIMIT) problems.push(`max_age: ${value}: at most ${MAX_AGE_LIMIT} seconds (a year)`);
  return seconds;
}

function capped(problems: string[]): string[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problems`];
}

/**
 * §4.1: whether an MX host matches an `mx` pattern. `*.example.com` stands for exactly one more
 * leftmost label: it matches `mail.example.com`, but neither `example.com` nor
 * `a.mail.example.com` (checkers that test a suffix accept the last and are wrong). Any other
 * pattern matches its own name only. Case and trailing dots do not count.
 */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const wanted = bareHostName(pattern);
  const name = bareHostName(host);
  if (!wanted.startsWith('*.')) return wanted === name;
  const suffix = wanted.slice(1);
  if (!name.endsWith(suffix)) return false;
  const label = name.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** The first `mx` pattern of the policy that the host matches, or null. */
export function matchingPattern(patterns: readonly string[], host: string): string | null {
  return patterns.find((pattern) => mxPatternMatches(pattern, host)) ?? null;
}

// Classes in which our probe reached the SMTP server and learnt that it offers no usable TLS.
// Any other class (filtered, refused, no greeting, …) says nothing of its TLS: port 25 may only be
// blocked on our side, which must not read as "this MX has no TLS".
const TLS_ABSENT: ReadonlySet<PortClass> = new Set([
  'open-starttls',
  'no-starttls',
  'starttls-stripped',
  'tls-handshake-failed',
  'implicit-tls-on-starttls-port',
]);

/**
 * The port-25 certificate as an MTA-STS sender checks it (§4.2): a chain to a trusted root, the
 * MX host's name among its names, and in date. An expired certificate fails the chain check too;
 * it is reported as expired, the cause a person can act on.
 */
export function certificateState(evidence: Port25Evidence | undefined): MtaStsCoverage['certificate'] {
  if (!evidence || evidence.class === 'not-probed') return 'not-probed';
  if (!evidence.tls || !evidence.certificate) return TLS_ABSENT.has(evidence.class) ? 'no-tls' : 'not-probed';
  return judgeCertificate(evidence.certificate);
}

function judgeCertificate(certificate: CertificateFacts): MtaStsCoverage['certificate'] {
  if (certificate.daysLeft < 0) return 'expired';
  if (!certificate.trusted) return 'untrusted';
  if (!certificate.hostnameMatches) return 'name-mismatch';
  // NaN: a date no one can read cannot be shown to be in date.
  if (!(certificate.daysLeft >= 0)) return 'expired';
  return 'valid';
}

/**
 * Each MX host against the policy: the pattern that lets senders use it, and its certificate as
 * our own port-25 probe saw it. Computed apart from the fetch, so the fetch can run while the
 * probes do.
 */
export function mtaStsCoverage(
  policy: MtaStsPolicy,
  exchanges: readonly string[],
  evidence: readonly Port25Evidence[],
): MtaStsCoverage[] {
  return exchanges.map((exchange) => ({
    exchange,
    pattern: matchingPattern(policy.mx, exchange),
    certificate: certificateState(
      evidence.find((seen) => bareHostName(seen.exchange) === bareHostName(exchange)),
    ),
  }));
}
