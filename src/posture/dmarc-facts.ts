import { describeFailure } from './describe-failure.js';
import { type DmarcUri, isDmarcRecord, parseDmarcRecord } from './dmarc-record.js';
import { organizationalDomain } from './organizational-domain.js';
import type { DmarcDestination, DmarcFacts, DnsAnswer, PostureDns } from './types.js';

// Policy discovery as RFC 7489 §6.6.3 does it (the domain's `_dmarc`, else the organizational
// domain's by the public suffix list), with DMARCbis's DNS tree walk beside it: where the two find
// different records, receivers of either kind apply different policies, and the report says so.

/** DMARCbis: from a name of 8 labels or more, the walk jumps to its last 7. */
const TREE_WALK_JUMP_LABELS = 8;

type Discovery =
  | { kind: 'error'; line: string }
  | { kind: 'none' }
  | { kind: 'found'; domain: string; records: string[] };

function discovery(domain: string, answer: DnsAnswer<string[]>): Discovery {
  if (answer.kind === 'error')
    return { kind: 'error', line: describeFailure('TXT', `_dmarc.${domain}`, answer) };
  const records =
    answer.kind === 'records' ? answer.records.map((strings) => strings.join('')).filter(isDmarcRecord) : [];
  return records.length > 0 ? { kind: 'found', domain, records } : { kind: 'none' };
}

/**
 * The names DMARCbis's tree walk asks, from the domain up to its organizational domain: one label
 * off at a time, except that a name of 8 labels or more is followed by its last 7. Names above the
 * organizational domain (public suffix operators' records) are not asked.
 */
export function treeWalkNames(domain: string, organizational: string): string[] {
  const names = [domain];
  const floor = organizational.split('.').length;
  let labels = domain.split('.');
  while (labels.length > floor) {
    labels = labels.slice(labels.length >= TREE_WALK_JUMP_LABELS ? labels.length - 7 : 1);
    if (labels.length < floor) break;
    names.push(labels.join('.'));
  }
  if (!names.includes(organizational)) names.push(organizational);
  return names;
}

function authorization(answer: DnsAnswer<string[]>): boolean | null {
  if (answer.kind === 'error') return null;
  return answer.kind === 'records' && answer.records.some((strings) => isDmarcRecord(strings.join('')));
}

/** Report destinations outside the policy domain's organization, each with its §7.1 authorization. */
async function destinations(
  dns: PostureDns,
  policyDomain: string,
  uris: DmarcUri[],
): Promise<DmarcDestination[]> {
  const organization = organizationalDomain(policyDomain);
  return Promise.all(
    uris.map(async ({ usable: _usable, ...uri }): Promise<DmarcDestination> => {
      if (uri.domain === undefined || organizationalDomain(uri.domain) === organization) {
        return { ...uri, external: false, authorized: null };
      }
      const authorizationName = `${policyDomain}._report._dmarc.${uri.domain}`;
      return {
        ...uri,
        external: true,
        authorized: authorization(await dns.txt(authorizationName)),
        authorizationName,
      };
    }),
  );
}

function noRecord(organizational: string, lookupError?: string): DmarcFacts {
  return {
    record: null,
    records: [],
    source: null,
    sourceDomain: null,
    organizationalDomain: organizational,
    tags: {},
    policy: null,
    subdomainPolicy: null,
    pct: 100,
    alignment: { dkim: 'relaxed', spf: 'relaxed' },
    rua: [],
    ruf: [],
    syntaxErrors: [],
    ...(lookupError !== undefined ? { lookupError } : {}),
  };
}

/** Where the tree walk finds a record, when it can tell (no name on the way went unanswered). */
function walkSource(walk: Discovery[]): { determined: boolean; domain: string | null } {
  for (const step of walk) {
    if (step.kind === 'error') return { determined: false, domain: null };
    if (step.kind === 'found') return { determined: true, domain: step.domain };
  }
  return { determined: true, domain: null };
}

/**
 * The DMARC policy that applies to mail from `domain`. Several records at the name found means none
 * applies (§6.6.3): `records` lists them and `record` is null. The names of the lookup and of the
 * tree walk are asked at once; the report destinations' authorizations after the record is read.
 */
export async function gatherDmarc(dns: PostureDns, domain: string): Promise<DmarcFacts> {
  const organizational = organizationalDomain(domain);
  const names = treeWalkNames(domain, organizational);
  const walk = await Promise.all(names.map(async (name) => discovery(name, await dns.txt(`_dmarc.${name}`))));
  const own = walk[0]!;
  const atOrganization = walk[names.indexOf(organizational)]!;
  const found = own.kind === 'none' && domain !== organizational ? atOrganization : own;
  if (found.kind === 'error') return noRecord(organizational, found.line);

  const rfcDomain = found.kind === 'found' ? found.domain : null;
  const walked = walkSource(walk);
  const treeWalk =
    walked.determined && walked.domain !== rfcDomain
      ? {
          sourceDomain: walked.domain,
          note: `DMARCbis's tree walk finds _dmarc.${walked.domain} first; receivers that follow DMARCbis apply that record, ${rfcDomain === null ? 'where RFC 7489 finds none' : `not _dmarc.${rfcDomain}`}`,
        }
      : undefined;
  const walkNote = treeWalk !== undefined ? { treeWalk } : {};
  if (found.kind === 'none') return { ...noRecord(organizational), ...walkNote };

  const located = {
    source: found.domain === domain ? 'domain' : 'organizational',
    sourceDomain: found.domain,
    ...walkNote,
  } as const;
  if (found.records.length > 1) return { ...noRecord(organizational), ...located, records: found.records };

  const record = found.records[0]!;
  const parsed = parseDmarcRecord(record);
  const [rua, ruf] = await Promise.all([
    destinations(dns, found.domain, parsed.rua),
    destinations(dns, found.domain, parsed.ruf),
  ]);
  return {
    record,
    records: found.records,
    ...located,
    organizationalDomain: organizational,
    tags: parsed.tags,
    policy: parsed.policy,
    subdomainPolicy: parsed.subdomainPolicy,
    pct: parsed.pct,
    alignment: parsed.alignment,
    rua,
    ruf,
    syntaxErrors: parsed.syntaxErrors,
  };
}
