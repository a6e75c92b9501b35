import { describeFailure } from './describe-failure.js';
import type { DnsAnswer, MxFacts, MxHostFacts, MxRecord, PostureDns } from './types.js';
import { bareHostName } from '../text/host-name.js';

// Where the domain receives mail: its MX hosts and their addresses, the null MX that refuses all
// mail (RFC 7505), or, with no MX at all, the domain's own address (RFC 5321 §5.1).

/** Senders try at most a handful; ten is more than any real domain lists and bounds the questions. */
export const MAX_MX_HOSTS = 10;

/** Addresses from an A and an AAAA answer, and a line for each that got no answer. */
async function addressesOf(
  dns: PostureDns,
  name: string,
): Promise<{ addresses: string[]; errors: string[] }> {
  const [a, aaaa] = await Promise.all([dns.a(name), dns.aaaa(name)]);
  const errors: string[] = [];
  const take = (type: string, answer: DnsAnswer<string>): string[] => {
    if (answer.kind === 'error') errors.push(describeFailure(type, name, answer));
    return answer.kind === 'records' ? answer.records : [];
  };
  return { addresses: [...take('A', a), ...take('AAAA', aaaa)], errors };
}

async function hostFacts(dns: PostureDns, record: MxRecord): Promise<MxHostFacts> {
  const exchange = bareHostName(record.exchange);
  const [{ addresses, errors }, cname] = await Promise.all([addressesOf(dns, exchange), dns.cname(exchange)]);
  return {
    exchange,
    priority: record.priority,
    addresses,
    ...(cname.kind === 'records' && cname.records[0] !== undefined
      ? { cname: bareHostName(cname.records[0]) }
      : {}),
    ...(errors.length > 0 ? { lookupError: errors.join('; ') } : {}),
  };
}

/**
 * The domain's MX facts. NXDOMAIN is told apart from "no MX": the domain does not exist, so there
 * is no implicit address either; `lookupError` says so, as no mail can reach it.
 */
export async function gatherMx(dns: PostureDns, domain: string): Promise<MxFacts> {
  const answer = await dns.mx(domain);
  switch (answer.kind) {
    case 'error':
      return { hosts: [], nullMx: false, implicit: null, lookupError: describeFailure('MX', domain, answer) };
    case 'nxdomain':
      return {
        hosts: [],
        nullMx: false,
        implicit: { addresses: [] },
        lookupError: `${domain} does not exist (NXDOMAIN): no mail can be delivered to it`,
      };
    case 'nodata': {
      const { addresses, errors } = await addressesOf(dns, domain);
      return {
        hosts: [],
        nullMx: false,
        implicit: { addresses },
        ...(errors.length > 0 ? { lookupError: errors.join('; ') } : {}),
      };
    }
    case 'records':
      break;
  }
  // node gives the root's exchange as ''; a zone file writes it '.'.
  const isRoot = (record: MxRecord) => bareHostName(record.exchange) === '';
  if (answer.records.length === 1 && isRoot(answer.records[0]!)) {
    return { hosts: [], nullMx: true, implicit: null };
  }
  const sorted = [...answer.records]
    .sort(
      (left, right) =>
        left.priority - right.priority ||
        bareHostName(left.exchange).localeCompare(bareHostName(right.exchange)),
    )
    .slice(0, MAX_MX_HOSTS);
  const hosts = await Promise.all(
    sorted.map((record): Promise<MxHostFacts> | MxHostFacts =>
      // RFC 7505 §3: a null MX must be the only MX. Beside others it is a host no one can reach.
      isRoot(record)
        ? {
            exchange: '.',
            priority: record.priority,
            addresses: [],
            lookupError: 'a null MX (".") beside other MX records: RFC 7505 says it must be alone',
          }
        : hostFacts(dns, record),
    ),
  );
  return { hosts, nullMx: false, implicit: null };
}
