import { truncate } from '../text/sanitize.js';
import type { DmarcDestination, DmarcPolicy } from './types.js';

// A DMARC record read as RFC 7489 §6.3 and §6.4 write it, with DMARCbis's tags (np, psd, t) known.
// The text came from DNS: every tag is checked, nothing is trusted, and a bad tag is a line in
// `syntaxErrors`, never an exception.

/** A report destination as written; whether it lies outside the domain is for the caller to say. */
export type DmarcUri = Omit<DmarcDestination, 'external' | 'authorized' | 'authorizationName'> & {
  /** A URI a receiver can use (a mailto: with an address, or another scheme RFC 7489 allows). */
  usable: boolean;
};

export interface DmarcRecord {
  tags: Record<string, string>;
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  pct: number;
  alignment: { dkim: 'relaxed' | 'strict'; spf: 'relaxed' | 'strict' };
  rua: DmarcUri[];
  ruf: DmarcUri[];
  syntaxErrors: string[];
}

// §6.4: the version is "v" (any case) and "DMARC1" exactly; it must be the record's first tag.
const VERSION = /^\s*[vV]\s*=\s*DMARC1\s*(?:;|$)/;
const VERSION_VALUE = 'DMARC1';
const POLICIES: readonly DmarcPolicy[] = ['none', 'quarantine', 'reject'];
const FAILURE_OPTIONS = new Set(['0', '1', 'd', 's']);
const REPORT_FORMATS = new Set(['afrf']);
const TAG_NAME = /^[a-z][a-z0-9_]*$/i;
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;
const MAX_QUOTED = 100;

/** A TXT record (chunks joined) that is a DMARC record: the others at `_dmarc` are discarded (§6.6.3). */
export function isDmarcRecord(text: string): boolean {
  return VERSION.test(text);
}

function quoted(text: string): string {
  return truncate(text, MAX_QUOTED);
}

function parsePolicy(value: string): DmarcPolicy | null {
  const lower = value.toLowerCase();
  return POLICIES.find((policy) => policy === lower) ?? null;
}

/** `mailto:dmarc@example.net!10m` → address and domain, or why it cannot be used. */
export function parseDmarcUri(written: string): DmarcUri {
  const bang = written.lastIndexOf('!');
  let uri = written;
  if (bang >= 0) {
    const size = written.slice(bang + 1);
    if (!/^\d+[kmgt]?$/i.test(size)) {
      return {
        uri: written,
        usable: false,
        problem: `"!${quoted(size)}" is not a size limit (digits and k, m, g or t)`,
      };
    }
    uri = written.slice(0, bang);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  if (!scheme) {
    return { uri: written, usable: false, problem: 'not a URI: a mailbox is written mailto:address' };
  }
  if (scheme[1]!.toLowerCase() !== 'mailto') {
    let domain: string | undefined;
    try {
      domain = new URL(uri).hostname.toLowerCase() || undefined;
    } catch {
      return { uri: written, usable: false, problem: 'not a URI that parses' };
    }
    return {
      uri: written,
      domain,
      usable: true,
      problem: 'not a mailto: URI: receivers send reports by mail',
    };
  }
  let address = uri.slice(scheme[0].length).replace(/\?.*$/, '');
  try {
    address = decodeURIComponent(address);
  } catch {
    return { uri: written, usable: false, problem: 'the address holds a broken %-escape' };
  }
  const at = address.lastIndexOf('@');
  const domain =
    at > 0
      ? address
          .slice(at + 1)
          .toLowerCase()
          .replace(/\.$/, '')
      : '';
  if (!HOST_NAME.test(domain)) {
    return { uri: written, address, usable: false, problem: 'not a mailbox: local-part@domain expected' };
  }
  return { uri: written, address, domain, usable: true };
}

function parseUris(tag: string, value: string, errors: string[]): DmarcUri[] {
  const uris = value
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri.length > 0)
    .map(parseDmarcUri);
  if (uris.length === 0) errors.push(`${tag}=${quoted(value)}: no URI`);
  for (const uri of uris) {
    if (!uri.usable) errors.push(`${tag}=${quoted(uri.uri)}: ${uri.problem}`);
  }
  return uris;
}

/**
 * Parses a DMARC record (the TXT chunks joined). A missing or invalid p= (or an invalid sp=) is a
 * syntax error; as RFC 7489 §6.6.3 says, a receiver then acts as if p=none was published when rua=
 * holds a usable URI, and applies no policy otherwise: `policy` says which.
 */
export function parseDmarcRecord(record: string): DmarcRecord {
  const tags: Record<string, string> = {};
  const errors: string[] = [];
  const parts = record
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  for (const [index, part] of parts.entries()) {
    const equals = part.indexOf('=');
    if (equals < 0) {
      errors.push(`${quoted(part)}: not a tag=value pair`);
      continue;
    }
    const written = part.slice(0, equals).trim();
    const name = written.toLowerCase();
    const value = part.slice(equals + 1).trim();
    if (!TAG_NAME.test(written)) {
      errors.push(`${quoted(part)}: "${quoted(written)}" is not a tag name`);
      continue;
    }
    if (index === 0 && (name !== 'v' || value !== VERSION_VALUE)) {
      errors.push(`${quoted(part)}: a DMARC record starts with v=DMARC1`);
    } else if (index > 0 && name === 'v') {
      errors.push(`${quoted(part)}: v= must be the first tag`);
      continue;
    }
    if (name in tags) {
      errors.push(`${quoted(part)}: ${name}= is given twice (the first one counts)`);
      continue;
    }
    tags[name] = value;
  }

  const check = (name: string, valid: (value: string) => boolean, expected: string): boolean => {
    const value = tags[name];
    if (value === undefined) return false;
    if (valid(value)) return true;
    errors.push(`${name}=${quoted(value)}: ${expected}`);
    return false;
  };

  const rua = tags.rua === undefined ? [] : parseUris('rua', tags.rua, errors);
  const ruf = tags.ruf === undefined ? [] : parseUris('ruf', tags.ruf, errors);

  const policyWords = 'must be none, quarantine or reject';
  check('np', (value) => parsePolicy(value) !== null, policyWords);
  let policy = tags.p === undefined ? null : parsePolicy(tags.p);
  const sp = tags.sp === undefined ? undefined : parsePolicy(tags.sp);
  let subdomainPolicy = sp ?? policy;
  const broken =
    tags.p === undefined
      ? 'p= is missing'
      : policy === null
        ? `p=${quoted(tags.p)}: ${policyWords}`
        : sp === null
          ? `sp=${quoted(tags.sp!)}: ${policyWords}`
          : null;
  if (broken !== null) {
    // §6.6.3: a usable rua= turns a broken policy into p=none (reports keep coming); without one the
    // record is not applied at all.
    const fallback = rua.some((uri) => uri.usable);
    policy = fallback ? 'none' : null;
    subdomainPolicy = policy;
    errors.push(
      fallback
        ? `${broken}; receivers act as if p=none was published, as rua= names a destination (RFC 7489 §6.6.3)`
        : `${broken}; receivers apply no DMARC policy, as rua= names no destination (RFC 7489 §6.6.3)`,
    );
  }

  const pct = check('pct', (value) => /^\d{1,3}$/.test(value) && Number(value) <= 100, 'must be 0 to 100')
    ? Number(tags.pct)
    : 100;
  const alignmentOf = (name: string): 'relaxed' | 'strict' =>
    check(name, (value) => /^[rs]$/i.test(value), 'must be r (relaxed) or s (strict)') &&
    tags[name]!.toLowerCase() === 's'
      ? 'strict'
      : 'relaxed';
  const alignment = { dkim: alignmentOf('adkim'), spf: alignmentOf('aspf') };
  check(
    'ri',
    (value) => /^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff,
    'must be a number of seconds',
  );
  check(
    'fo',
    (value) => value.split(':').every((option) => FAILURE_OPTIONS.has(option.trim().toLowerCase())),
    'must be 0, 1, d or s, colon-separated',
  );
  check(
    'rf',
    (value) => value.split(':').every((format) => REPORT_FORMATS.has(format.trim().toLowerCase())),
    'afrf is the only report format',
  );
  check('psd', (value) => /^[ynu]$/i.test(value), 'must be y, n or u (DMARCbis)');
  check('t', (value) => /^[yn]$/i.test(value), 'must be y or n (DMARCbis)');

  return { tags, policy, subdomainPolicy, pct, alignment, rua, ruf, syntaxErrors: errors };
}
