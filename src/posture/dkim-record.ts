import { createPublicKey } from 'node:crypto';
import { truncate } from '../text/sanitize.js';

// A DKIM key record (RFC 6376 §3.6.1; ed25519 from RFC 8463) read from the TXT text alone: its tags,
// and the key size read from the key itself rather than guessed from the record's length.

export interface DkimRecord {
  tags: Record<string, string>;
  /** `rsa` (the default), `ed25519`, or another value as written. */
  keyType: string;
  bits: number | null;
  testing: boolean;
  revoked: boolean;
  /** Why a verifier cannot use the record, when it cannot. */
  problem?: string;
}

const KNOWN_KEY_TYPES = new Set(['rsa', 'ed25519']);
const ED25519_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_QUOTED = 60;

/** The record's tags (names lower-cased, values trimmed); a part without `=` is skipped. */
function parseTags(text: string): {
  tags: Record<string, string>;
  first: string | undefined;
  duplicates: string[];
} {
  const tags: Record<string, string> = {};
  const duplicates: string[] = [];
  let first: string | undefined;
  for (const part of text.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim().toLowerCase();
    if (name.length === 0) continue;
    first ??= name;
    if (name in tags) duplicates.push(name);
    else tags[name] = part.slice(equals + 1).trim();
  }
  return { tags, first, duplicates };
}

/**
 * A TXT record that means to be a DKIM key: it starts with `v=DKIM1` or has a `p=` tag. Other text
 * at the name (a wildcard's SPF record, a note) is not a key record.
 */
export function isDkimRecord(text: string): boolean {
  const { tags, first } = parseTags(text);
  return (first === 'v' && tags.v === 'DKIM1') || 'p' in tags;
}

/**
 * The size in bits of a `p=` key: RSA as SubjectPublicKeyInfo (what `openssl rsa -pubout` gives and
 * what nearly everyone publishes) or as a bare PKCS#1 RSAPublicKey (RFC 6376's own wording, which
 * some follow); ed25519 as the 32 raw bytes RFC 8463 publishes.
 */
export function dkimKeyBits(keyType: string, base64: string): { bits: number | null; problem?: string } {
  if (!BASE64.test(base64)) return { bits: null, problem: 'p= is not base64' };
  const der = Buffer.from(base64, 'base64');
  if (keyType === 'ed25519') {
    return der.length === ED25519_KEY_BYTES
      ? { bits: ED25519_KEY_BYTES * 8 }
      : { bits: null, problem: `the ed25519 key is ${der.length} bytes, not ${ED25519_KEY_BYTES}` };
  }
  if (keyType !== 'rsa') {
    return { bits: null, problem: `k=${truncate(keyType, MAX_QUOTED)} is a key type verifiers do not know` };
  }
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType !== 'rsa') {
        return {
          bits: null,
          problem: `p= holds an ${key.asymmetricKeyType ?? 'unknown'} key, not an RSA one`,
        };
      }
      return { bits: key.asymmetricKeyDetails?.modulusLength ?? null };
    } catch {
      // Not this encoding: the next one, or the problem below.
    }
  }
  return { bits: null, problem: 'p= does not parse as an RSA public key' };
}

/** Reads a DKIM key record (its TXT strings joined). */
export function parseDkimRecord(text: string): DkimRecord {
  const { tags, first, duplicates } = parseTags(text);
  const problems: string[] = [];
  if (tags.v !== undefined) {
    if (first !== 'v') problems.push('v= must be the first tag');
    // §3.6.1: a record beginning with another version must be discarded.
    else if (tags.v !== 'DKIM1')
      problems.push(`v=${truncate(tags.v, MAX_QUOTED)} is not DKIM1: verifiers discard it`);
  }
  if (duplicates.length > 0) problems.push(`${[...new Set(duplicates)].join(', ')} given twice`);
  const writtenType = tags.k ?? 'rsa';
  const keyType = KNOWN_KEY_TYPES.has(writtenType.toLowerCase()) ? writtenType.toLowerCase() : writtenType;
  const testing = (tags.t ?? '')
    .split(':')
    .map((flag) => flag.trim().toLowerCase())
    .includes('y');
  // The key may be folded with spaces (FWS), which are not part of it.
  const key = tags.p?.replace(/\s+/g, '');
  let bits: number | null = null;
  let revoked = false;
  if (key === undefined) problems.push('no p= tag');
  else if (key.length === 0) revoked = true;
  else {
    const size = dkimKeyBits(keyType, key);
    bits = size.bits;
    if (size.problem) problems.push(size.problem);
  }
  return {
    tags,
    keyType,
    bits,
    testing,
    revoked,
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
  };
}
