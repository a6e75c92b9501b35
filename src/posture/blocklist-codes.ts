import { isIPv4 } from 'node:net';
import type { BlocklistStatus, BlocklistZone } from './transport-types.js';

// What a DNS blocklist's answer means, list by list. An address in 127.0.0.0/8 is the list's code
// (RFC 5782 §2.1); its meaning is the list's own, so each known list carries its documented table.
// Some codes are not listings at all: Spamhaus answers 127.255.255.0/24 to refuse a question
// (through a public resolver, over the free limit, malformed) and a receiver that reads them as
// "listed" rejects good mail, so they decode to `refused`, never `listed`.

/** A list's documented answers. */
export interface BlocklistCodes {
  /** Listing codes and what each means. */
  listed: Record<string, string>;
  /** Codes that refuse the question: never a listing. */
  refused: Record<string, string>;
  /** Any other code starting so refuses too (Spamhaus's error range 127.255.255.0/24). */
  refusedPrefix?: string;
  /** The last octet is a bitmask of sub-lists (SURBL): each set bit's meaning. */
  bits?: Record<number, string>;
}

export interface KnownBlocklist extends BlocklistZone {
  /** The list publishes IPv6 data under nibble names (RFC 5782 §2.4); others are asked IPv4 only. */
  ipv6: boolean;
  codes: BlocklistCodes;
}

const NOT_A_LISTING = 'not a listing';

// Spamhaus's answers, from https://docs.spamhaus.com/datasets/docs/source/10-data-type-documentation/datasets/040-zones.html
// and the error range announced in https://www.spamhaus.org/news/article/788/.
const SPAMHAUS_REFUSED: Record<string, string> = {
  '127.255.255.252': `Spamhaus refused the question as malformed (a typo in the zone name, or a misformatted query): ${NOT_A_LISTING}`,
  '127.255.255.254': `Spamhaus refused the question because it came through a public or open resolver (set DNSBL_RESOLVER to your own resolver): ${NOT_A_LISTING}`,
  '127.255.255.255': `Spamhaus refused the question: this resolver sent too many queries (over the free-use limit): ${NOT_A_LISTING}`,
};

const SPAMHAUS_IP_CODES: BlocklistCodes = {
  listed: {
    '127.0.0.2': 'SBL: a spam source or spam operation Spamhaus listed by hand',
    '127.0.0.3': 'SBL CSS: a source of low-reputation (snowshoe) mail, listed automatically',
    '127.0.0.4': 'XBL: an exploited or infected machine (botnet, proxy, malware)',
    '127.0.0.5': 'XBL: an exploited or infected machine',
    '127.0.0.6': 'XBL: an exploited or infected machine',
    '127.0.0.7': 'XBL: an exploited or infected machine',
    '127.0.0.9': 'DROP: a hijacked or criminal network (always with SBL)',
    '127.0.0.10':
      'PBL (set by the network owner): an end-user range that should send through its provider, not directly',
    '127.0.0.11': 'PBL (set by Spamhaus): an end-user range that should not send mail directly',
    '127.0.0.30': 'BCL: a botnet controller',
  },
  refused: SPAMHAUS_REFUSED,
  refusedPrefix: '127.255.255.',
};

const SPAMHAUS_DOMAIN_CODES: BlocklistCodes = {
  listed: {
    '127.0.1.2': 'DBL: a spam domain (low reputation)',
    '127.0.1.4': 'DBL: a phishing domain',
    '127.0.1.5': 'DBL: a malware domain',
    '127.0.1.6': 'DBL: a botnet command-and-control domain',
    '127.0.1.102': 'DBL: a legitimate domain abused for spam',
    '127.0.1.103': 'DBL: a legitimate domain abused as a redirector (URL shortener, open redirect)',
    '127.0.1.104': 'DBL: a legitimate domain abused for phishing',
    '127.0.1.105': 'DBL: a legitimate domain abused to spread malware',
    '127.0.1.106': 'DBL: a legitimate domain abused for botnet command and control',
  },
  refused: {
    ...SPAMHAUS_REFUSED,
    '127.0.1.255': `Spamhaus DBL refused the question: an IP address was asked of a domain list: ${NOT_A_LISTING}`,
  },
  refusedPrefix: '127.255.255.',
};

/** Lists that answer only 127.0.0.2, each in its own words. */
function singleCode(meaning: string): BlocklistCodes {
  return { listed: { '127.0.0.2': meaning }, refused: {} };
}

const spamhaus = (zone: string, name: string): KnownBlocklist => ({
  zone,
  kind: 'ip',
  name,
  ipv6: true,
  codes: SPAMHAUS_IP_CODES,
});

/**
 * The lists smtp-check knows by zone: their kind, display name, IPv6 support and codes. Spamhaus
 * publishes IPv6 data in its IP zones (https://www.spamhaus.org/organization/statement/012/);
 * SpamCop, PSBL and Barracuda document IPv4 listings only, so IPv6 addresses are not asked of them
 * (their NXDOMAIN would read as "not listed" without meaning it).
 */
export const KNOWN_BLOCKLISTS: readonly KnownBlocklist[] = [
  spamhaus('zen.spamhaus.org', 'Spamhaus ZEN'),
  spamhaus('sbl.spamhaus.org', 'Spamhaus SBL'),
  spamhaus('xbl.spamhaus.org', 'Spamhaus XBL'),
  spamhaus('pbl.spamhaus.org', 'Spamhaus PBL'),
  spamhaus('sbl-xbl.spamhaus.org', 'Spamhaus SBL-XBL'),
  {
    zone: 'dbl.spamhaus.org',
    kind: 'domain',
    name: 'Spamhaus DBL',
    ipv6: false,
    codes: SPAMHAUS_DOMAIN_CODES,
  },
  {
    zone: 'bl.spamcop.net',
    kind: 'ip',
    name: 'SpamCop',
    ipv6: false,
    codes: singleCode('SpamCop: reported as a source of spam by SpamCop users and spam traps recently'),
  },
  {
    zone: 'psbl.surriel.com',
    kind: 'ip',
    name: 'PSBL',
    ipv6: false,
    codes: singleCode('PSBL: sent mail to a PSBL spam trap'),
  },
  {
    zone: 'b.barracudacentral.org',
    kind: 'ip',
    name: 'Barracuda BRBL',
    ipv6: false,
    codes: singleCode("Barracuda: a source of spam by Barracuda's reputation data"),
  },
  {
    zone: 'multi.surbl.org',
    kind: 'domain',
    name: 'SURBL',
    ipv6: false,
    codes: {
      listed: {},
      refused: {
        '127.0.0.1': `SURBL sets no list bit in 127.0.0.1: the question was refused: ${NOT_A_LISTING}`,
      },
      bits: { 8: 'PH (phishing)', 16: 'MW (malware)', 64: 'ABUSE (spam)', 128: 'CR (cracked site)' },
    },
  },
];

export function knownBlocklist(zone: string): KnownBlocklist | undefined {
  return KNOWN_BLOCKLISTS.find((list) => list.zone === zone);
}

type CodeMeaning = { kind: 'listed' | 'refused' | 'foreign'; meaning: string };

function decodeCode(list: BlocklistZone, codes: BlocklistCodes | undefined, code: string): CodeMeaning {
  if (!isIPv4(code) || !code.startsWith('127.')) {
    return { kind: 'foreign', meaning: `${code} is no blocklist code (outside 127.0.0.0/8)` };
  }
  const refused = codes?.refused[code];
  if (refused !== undefined) return { kind: 'refused', meaning: refused };
  if (codes?.refusedPrefix !== undefined && code.startsWith(codes.refusedPrefix)) {
    return {
      kind: 'refused',
      meaning: `${list.name} error code ${code}: the question was refused: ${NOT_A_LISTING}`,
    };
  }
  const listed = codes?.listed[code];
  if (listed !== undefined) return { kind: 'listed', meaning: listed };
  if (codes?.bits !== undefined) return { kind: 'listed', meaning: bitsMeaning(list, codes.bits, code) };
  return {
    kind: 'listed',
    meaning:
      codes === undefined
        ? `listed (code ${code})`
        : `listed (code ${code}, which ${list.name} does not document)`,
  };
}

function bitsMeaning(list: BlocklistZone, bits: Record<number, string>, code: string): string {
  const last = Number(code.split('.')[3]);
  const named = Object.entries(bits).flatMap(([bit, name]) => ((last & Number(bit)) !== 0 ? [name] : []));
  return named.length > 0
    ? `${list.name}: ${named.join(', ')}`
    : `listed (code ${code}, which ${list.name} does not document)`;
}

export interface DecodedAnswer {
  status: BlocklistStatus;
  meanings: string[];
  problem?: string;
}

/**
 * A list's A answer, decoded: a refusal anywhere in it makes the whole answer `refused` (never
 * `listed`: the list did not answer the question), a listing code makes it `listed`, and an answer
 * with nothing but foreign addresses is an `error`: nothing can be said, not even "not listed".
 */
export function decodeBlocklistAnswer(list: BlocklistZone, codes: string[]): DecodedAnswer {
  const table = knownBlocklist(list.zone)?.codes;
  const decoded = codes.map((code) => decodeCode(list, table, code));
  const meanings = decoded.map((item) => item.meaning);
  const foreign = codes.filter((_, index) => decoded[index]?.kind === 'foreign');
  const problem =
    foreign.length > 0
      ? {
          problem: `${list.zone} was answered with ${foreign.join(', ')}, outside 127.0.0.0/8: a resolver that rewrites "no such name" to an address of its own (a search or ad page) answers so, and hides what the list says`,
        }
      : {};
  if (decoded.some((item) => item.kind === 'refused')) return { status: 'refused', meanings, ...problem };
  if (decoded.some((item) => item.kind === 'listed')) return { status: 'listed', meanings, ...problem };
  return { status: 'error', meanings, ...problem };
}
