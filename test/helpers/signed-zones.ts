import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Zone files for the test resolver, signed for real with ldnsutils' ldns-keygen and ldns-signzone
// (ECDSA P-256, algorithm 13: a key in milliseconds). Each run makes its own keys in its own
// folder, so no signature can expire inside the suite and no key outlives the run.

/**
 * How a zone is served. `true`: signed, its key a trust anchor (secure). `'bogus'`: signed and
 * anchored, then every signature except the DNSKEY set's corrupted, as when data is changed after
 * signing: the keys validate, the data does not. `'expired'`: signed and anchored with signatures
 * that expired a month ago. `false`: unsigned and unanchored (insecure).
 */
export type ZoneSigning = boolean | 'bogus' | 'expired';

export interface TestZone {
  /** `secure.test`: use a reserved name (RFC 6761's `.test`) so nothing can be real. */
  origin: string;
  signed: ZoneSigning;
  /**
   * Zone-file lines under `$ORIGIN <origin>.` and `$TTL 300`: `@ MX 10 mx`, `mx A 127.0.0.1`,
   * `_25._tcp.mx TLSA 3 1 1 <hex>`. An SOA and an NS are added unless given.
   */
  records: string[];
}

export interface PreparedZone {
  origin: string;
  /** The zone file the authoritative server loads (signed, or as written when unsigned). */
  file: string;
  /** The DS record to configure as a trust anchor; null for an unsigned zone. */
  trustAnchor: string | null;
}

const DAY_S = 86_400;
const ALGORITHM = 'ECDSAP256SHA256';

function bare(origin: string): string {
  return origin.toLowerCase().replace(/\.$/, '');
}

/** The zone's text: the caller's records, with an SOA and NS first when the caller gave none. */
export function zoneText(zone: TestZone): string {
  const origin = bare(zone.origin);
  const has = (pattern: RegExp) => zone.records.some((line) => pattern.test(line));
  const lines = [`$ORIGIN ${origin}.`, '$TTL 300'];
  if (!has(/\sSOA\s/i)) lines.push(`@ IN SOA ns.${origin}. hostmaster.${origin}. 1 3600 600 86400 300`);
  if (!has(/^@\s.*\sNS\s/i)) {
    lines.push(`@ IN NS ns.${origin}.`);
    if (!has(/^ns\s/i)) lines.push('ns IN A 127.0.0.1');
  }
  return `${[...lines, ...zone.records].join('\n')}\n`;
}

function ldns(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Writes, keys and signs one zone in `dir`; returns what the servers need to load it. */
export function prepareZone(zone: TestZone, dir: string): PreparedZone {
  const origin = bare(zone.origin);
  const source = join(dir, `${origin}.zone`);
  writeFileSync(source, zoneText(zone));
  if (zone.signed === false) return { origin, file: source, trustAnchor: null };

  // One key with the SEP flag signs everything: a test has no use for a KSK/ZSK split.
  const key = ldns('ldns-keygen', ['-r', '/dev/urandom', '-a', ALGORITHM, '-k', origin], dir);
  const signed = join(dir, `${origin}.signed`);
  const now = Math.floor(Date.now() / 1000);
  // Inception a day back, so a resolver's clock a little behind ours still accepts the signatures.
  const [inception, expiration] =
    zone.signed === 'expired' ? [now - 60 * DAY_S, now - 30 * DAY_S] : [now - DAY_S, now + 30 * DAY_S];
  ldns(
    'ldns-signzone',
    ['-i', String(inception), '-e', String(expiration), '-o', `${origin}.`, '-f', signed, source, key],
    dir,
  );
  if (zone.signed === 'bogus') writeFileSync(signed, corruptSignatures(readFileSync(signed, 'utf8')));
  const trustAnchor = readFileSync(join(dir, `${key}.ds`), 'utf8').trim();
  return { origin, file: signed, trustAnchor };
}

/**
 * The signed zone with every RRSIG's signature altered, except those over the DNSKEY set: the
 * zone's key still validates against its anchor, and every other answer from it fails (a real
 * "DNSSEC Bogus", not a missing key).
 */
export function corruptSignatures(signedZone: string): string {
  return signedZone
    .split('\n')
    .map((line) => {
      const fields = line.split(/\s+/);
      if (fields[3] !== 'RRSIG' || fields[4] === 'DNSKEY') return line;
      const signature = Buffer.from(fields.at(-1) ?? '', 'base64');
      signature[signature.length >> 1] = (signature[signature.length >> 1] ?? 0) ^ 0xff;
      return [...fields.slice(0, -1), signature.toString('base64')].join(' ');
    })
    .join('\n');
}
