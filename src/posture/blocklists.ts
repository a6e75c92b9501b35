import { isIP } from 'node:net';
import { type DecodedAnswer, decodeBlocklistAnswer, knownBlocklist } from './blocklist-codes.js';
import { reverseName } from './dns.js';
import { describeFailure } from './describe-failure.js';
import type { BlocklistFacts, BlocklistResult, BlocklistZone } from './transport-types.js';
import type { PostureDns } from './types.js';
import { bareHostName } from '../text/host-name.js';

// The sending address, the MX addresses and the domain against DNS blocklists: a listing explains a
// sudden wave of 5xx. Lists are asked through the resolver DNSBL_RESOLVER names, because the big
// lists refuse public resolvers (Spamhaus answers 127.255.255.254) and rate-limit by resolver.

/**
 * The lists asked when DNSBL_ZONES is unset: widely used, documented, and free to query at a
 * diagnostic tool's volume through one's own resolver. Barracuda is known but not a default: it
 * answers only resolvers registered with it.
 */
export const DEFAULT_BLOCKLIST_ZONES: readonly BlocklistZone[] = [
  'zen.spamhaus.org',
  'bl.spamcop.net',
  'psbl.surriel.com',
  'dbl.spamhaus.org',
].map((zone) => {
  const { kind, name } = knownBlocklist(zone)!;
  return { zone, kind, name };
});

/** Past this, a report's blocklist questions would dwarf the rest of it. */
const MAX_ZONES = 8;
/** A query name is at most 253 characters, and an IPv6 address takes 64 of them before the zone. */
const MAX_ZONE_LENGTH = 253 - 64;
/** A-record questions one report asks of the lists; TXT for listings come out of the rest. */
export const MAX_BLOCKLIST_LOOKUPS = 24;
export const MAX_BLOCKLIST_QUESTIONS = 30;
/** The list's TXT text is shown as a reason; it is untrusted and can be long. */
const MAX_TEXT_LENGTH = 300;

const HOW_TO_WRITE =
  'write zone names separated by commas or spaces, such as "zen.spamhaus.org, bl.spamcop.net, dbl.spamhaus.org"; ' +
  'a list of domains not known to smtp-check is written "domain:zone.example", and "none" asks no list';

function isZoneName(name: string): boolean {
  const label = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
  const labels = name.split('.');
  return name.length <= MAX_ZONE_LENGTH && labels.length >= 2 && labels.every((part) => label.test(part));
}

/** One entry of DNSBL_ZONES, or why it cannot be used. */
function parseZone(entry: string): BlocklistZone | string {
  const prefixed = /^(ip|domain):(.*)$/i.exec(entry);
  const kindWritten = prefixed ? (prefixed[1]!.toLowerCase() as 'ip' | 'domain') : undefined;
  const zone = bareHostName(prefixed ? prefixed[2]! : entry);
  if (!isZoneName(zone)) return `"${entry}" is not a DNS zone name`;
  const known = knownBlocklist(zone);
  if (known && kindWritten !== undefined && kindWritten !== known.kind) {
    return `${zone} is a list of ${known.kind === 'ip' ? 'addresses' : 'domains'}: write it without "${kindWritten}:"`;
  }
  if (known) return { zone, kind: known.kind, name: known.name };
  return { zone, kind: kindWritten ?? 'ip', name: zone };
}

/**
 * The DNSBL_ZONES setting: zone names separated by commas or spaces. The error does not name the
 * setting: the configuration reader does. Known lists get their kind
 * and name; an unknown one is a list of addresses unless written `domain:zone.example`. `none`
 * alone asks no list (for a network whose only resolver is one the lists refuse).
 */
export function parseBlocklistZones(text: string): { zones: BlocklistZone[] } | { error: string } {
  const entries = text.split(/[\s,]+/).filter((entry) => entry.length > 0);
  if (entries.length === 0) return { error: `no zone is named: ${HOW_TO_WRITE}` };
  if (entries.length === 1 && entries[0]!.toLowerCase() === 'none') return { zones: [] };
  const parsed = entries.map(parseZone);
  const problems = parsed.filter((item): item is string => typeof item === 'string');
  if (problems.length > 0) return { error: `${problems.join('; ')}; ${HOW_TO_WRITE}` };
  const zones = (parsed as BlocklistZone[]).filter(
    (zone, index, all) => all.findIndex((other) => other.zone === zone.zone) === index,
  );
  if (zones.length > MAX_ZONES) {
    return { error: `${zones.length} lists are named; at most ${MAX_ZONES} are asked per report` };
  }
  return { zones };
}

/**
 * The name a list is asked for an address: `d.c.b.a.<zone>` for IPv4, and the 32 nibbles in
 * reverse for IPv6 (RFC 5782 §2.1 and §2.4): the reverse-DNS name without its `.arpa` suffix.
 */
export function blocklistQueryName(address: string, zone: string): string {
  return `${reverseName(address).replace(/\.(in-addr|ip6)\.arpa$/, '')}.${zone}`;
}

interface Question {
  list: BlocklistZone;
  subject: string;
  subjectRole: BlocklistResult['subjectRole'];
  name: string;
}

type Subjects = { sendingIp?: string; mxAddresses: Array<{ address: string }>; domain: string };

/** Whether a list is asked about an address: IP lists, and IPv6 only of lists that publish it. */
function asksAddress(list: BlocklistZone, address: string): boolean {
  if (list.kind !== 'ip') return false;
  return isIP(address) === 4 || knownBlocklist(list.zone)?.ipv6 === true;
}

function addressQuestions(zones: readonly BlocklistZone[], address: string, role: 'sending' | 'mx') {
  return zones
    .filter((list) => asksAddress(list, address))
    .map(
      (list): Question => ({
        list,
        subject: address,
        subjectRole: role,
        name: blocklistQueryName(address, list.zone),
      }),
    );
}

/**
 * Each MX address once, whatever its spelling (two MX names often share one). One that is also the
 * sending address keeps its row under each role: the answer is cached, so nothing is asked twice.
 */
function uniqueMxAddresses(subjects: Subjects): string[] {
  const seen = new Set<string>();
  return subjects.mxAddresses.flatMap(({ address }) => {
    if (isIP(address) === 0) return [];
    const key = reverseName(address);
    if (seen.has(key)) return [];
    seen.add(key);
    return [address];
  });
}

function notAsked(question: Question, problem: string): BlocklistResult {
  const { list, subject, subjectRole } = question;
  return {
    zone: list.zone,
    name: list.name,
    subject,
    subjectRole,
    status: 'error',
    codes: [],
    meanings: [],
    problem,
  };
}

/** The list's TXT answer for a listing, as one line: a reason or a lookup URL, untrusted. */
async function reasonText(dns: PostureDns, name: string): Promise<string | undefined> {
  const answer = await dns.txt(name);
  if (answer.kind !== 'records') return undefined;
  const text = answer.records
    .map((strings) => strings.join(''))
    .join(' ')
    .trim();
  return text.length === 0 ? undefined : text.slice(0, MAX_TEXT_LENGTH);
}

async function ask(dns: PostureDns, question: Question, mayAskText: () => boolean): Promise<BlocklistResult> {
  const { list, subject, subjectRole, name } = question;
  const base = { zone: list.zone, name: list.name, subject, subjectRole };
  const answer = await dns.a(name);
  if (answer.kind === 'error') {
    return { ...base, status: 'error', codes: [], meanings: [], problem: describeFailure('A', name, answer) };
  }
  if (answer.kind !== 'records') return { ...base, status: 'not-listed', codes: [], meanings: [] };
  const decoded: DecodedAnswer = decodeBlocklistAnswer(list, answer.records);
  const text = decoded.status === 'listed' && mayAskText() ? await reasonText(dns, name) : undefined;
  return { ...base, codes: answer.records, ...decoded, ...(text !== undefined ? { text } : {}) };
}

/**
 * Every list asked about every subject at once: the sending address and each MX address (once) of
 * the IP lists, the domain of the domain lists, and TXT for each listing's reason. NXDOMAIN (or an
 * empty answer) is "not listed"; no answer is an error; the codes decode by list. The sending
 * address and the domain are always asked; MX addresses, in order, until MAX_BLOCKLIST_LOOKUPS
 * questions are out; the rest are reported `error`, not asked, as the report's DNS budget does.
 */
export async function gatherBlocklists(
  dns: PostureDns,
  zones: readonly BlocklistZone[],
  subjects: Subjects,
): Promise<BlocklistFacts> {
  const resolver = dns.resolver.system ? 'system' : dns.resolver.servers.join(', ');
  const domainQuestions = zones
    .filter((list) => list.kind === 'domain')
    .map((list): Question => {
      const domain = bareHostName(subjects.domain);
      return { list, subject: domain, subjectRole: 'domain', name: `${domain}.${list.zone}` };
    });
  const sending = subjects.sendingIp;
  const sendingQuestions = sendingAddressQuestions(zones, sending);
  const mxQuestions = uniqueMxAddresses(subjects).flatMap((address) =>
    addressQuestions(zones, address, 'mx'),
  );

  const first = [...sendingQuestions.asked, ...domainQuestions];
  const room = Math.max(0, MAX_BLOCKLIST_LOOKUPS - first.length);
  const limit = `not asked: a report asks at most ${MAX_BLOCKLIST_LOOKUPS} blocklist questions`;
  let textsLeft =
    MAX_BLOCKLIST_QUESTIONS - Math.min(MAX_BLOCKLIST_LOOKUPS, first.length + mxQuestions.length);
  const mayAskText = () => textsLeft-- > 0;

  const results = await Promise.all([
    ...sendingQuestions.invalid,
    ...sendingQuestions.asked.map((question) => ask(dns, question, mayAskText)),
    ...mxQuestions.map((question, index) =>
      index < room ? ask(dns, question, mayAskText) : notAsked(question, limit),
    ),
    ...domainQuestions.map((question) =>
      question.name.length > 253
        ? notAsked(question, `not asked: ${question.name} is longer than a DNS name may be`)
        : ask(dns, question, mayAskText),
    ),
  ]);
  return { resolver, zones: [...zones], results };
}

/** The sending address's questions, or one error per IP list when it is no address. */
function sendingAddressQuestions(
  zones: readonly BlocklistZone[],
  address: string | undefined,
): { asked: Question[]; invalid: BlocklistResult[] } {
  if (address === undefined) return { asked: [], invalid: [] };
  if (isIP(address) !== 0) return { asked: addressQuestions(zones, address, 'sending'), invalid: [] };
  const invalid = zones
    .filter((list) => list.kind === 'ip')
    .map((list) =>
      notAsked(
        { list, subject: address, subjectRole: 'sending', name: address },
        `not asked: ${address} is not an IP address`,
      ),
    );
  return { asked: [], invalid };
}
