import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { type ResolverIdentity, describeResolver, dnsErrorMessage } from '../probe/index.js';
import type {
  DnsAnswer,
  DnsQueryStats,
  DnsQuestionLog,
  DnsQuestionType,
  MxRecord,
  PostureDns,
} from './types.js';

const DNS_TIMEOUT_MS = 2_500;
const DNS_TRIES = 2;
// A domain with a deep SPF tree, a dozen DKIM selectors and external DMARC destinations asks well
// under a hundred questions; past 150 something loops or fans out, and the report stops asking.
const DNS_BUDGET = 150;

export interface PostureDnsOptions {
  /** `127.0.0.1:5353`, `[::1]:53`; none: the system's resolvers. */
  servers?: string[];
  /** Per try, as node:dns counts it. */
  timeoutMs?: number;
  tries?: number;
  /** Questions one report may send. */
  budget?: number;
  /** Milliseconds, for the time each question took. */
  now?: () => number;
}

/**
 * The report's DNS on node:dns's resolver (never the system lookup: /etc/hosts says nothing about
 * mail). Each question is sent once and its answer shared; the budget caps what one report sends.
 */
export function createPostureDns(options: PostureDnsOptions = {}): PostureDns {
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? DNS_TIMEOUT_MS,
    tries: options.tries ?? DNS_TRIES,
  });
  const given = options.servers !== undefined && options.servers.length > 0;
  if (given) resolver.setServers(options.servers ?? []);
  const identity: ResolverIdentity = { servers: resolver.getServers(), system: !given };
  const who = describeResolver(identity);
  const now = options.now ?? (() => performance.now());
  const budget = options.budget ?? DNS_BUDGET;
  const stats = { sent: 0, budgetExhausted: false, failed: 0 };
  // In the order asked; a slot stays empty until its answer arrives.
  const log: Array<DnsQuestionLog | undefined> = [];
  const cache = new Map<string, Promise<DnsAnswer<unknown>>>();

  function ask<T>(type: DnsQuestionType, rawName: string, send: (name: string) => Promise<T[]>) {
    const name = rawName.toLowerCase().replace(/\.$/, '');
    const key = `${type} ${name}`;
    const cached = cache.get(key);
    if (cached) return cached as Promise<DnsAnswer<T>>;
    const slot = log.length;
    log.push(undefined);
    let answer: Promise<DnsAnswer<T>>;
    if (stats.sent >= budget) {
      stats.budgetExhausted = true;
      log[slot] = { name, type, outcome: 'error', ms: 0, code: 'budget' };
      answer = Promise.resolve({
        kind: 'error',
        code: 'budget',
        message: `${name} ${type} was not asked: the report's budget of ${budget} DNS questions is spent`,
      });
    } else {
      stats.sent += 1;
      const started = now();
      answer = send(name).then(
        (records): DnsAnswer<T> => (records.length > 0 ? { kind: 'records', records } : { kind: 'nodata' }),
        (error: unknown) => classify<T>(error, type, name, who),
      );
      answer = answer.then((result) => {
        if (result.kind === 'error') stats.failed += 1;
        log[slot] = {
          name,
          type,
          outcome: result.kind,
          ms: Math.round(now() - started),
          ...(result.kind === 'error' ? { code: result.code } : {}),
        };
        return result;
      });
    }
    cache.set(key, answer);
    return answer;
  }

  return {
    txt: (name) => ask('TXT', name, (n) => resolver.resolveTxt(n)),
    mx: (name) =>
      ask(
        'MX',
        name,
        async (n): Promise<MxRecord[]> =>
          (await resolver.resolveMx(n)).map(({ exchange, priority }) => ({ exchange, priority })),
      ),
    a: (name) => ask('A', name, (n) => resolver.resolve4(n)),
    aaaa: (name) => ask('AAAA', name, (n) => resolver.resolve6(n)),
    ptr: async (address) => ask('PTR', reverseName(address), (n) => resolver.resolvePtr(n)),
    cname: (name) => ask('CNAME', name, (n) => resolver.resolveCname(n)),
    resolver: identity,
    queries: (): DnsQueryStats => ({
      ...stats,
      budget,
      log: log.flatMap((entry) => (entry ? [{ ...entry }] : [])),
    }),
  };
}

function classify<T>(error: unknown, type: DnsQuestionType, name: string, who: string): DnsAnswer<T> {
  const code = (error as { code?: string } | null)?.code ?? 'EUNKNOWN';
  switch (code) {
    case 'ENOTFOUND':
    case 'ENONAME':
      return { kind: 'nxdomain' };
    case 'ENODATA':
      return { kind: 'nodata' };
  }
  const message = dnsErrorMessage(code, name, type, who);
  return { kind: 'error', code, message };
}

/**
 * The name a PTR question asks for an address: `5.113.0.203.in-addr.arpa` for 203.0.113.5, and
 * one label per nibble under `ip6.arpa` for IPv6 (RFC 3596 §2.5). Throws for anything else: the
 * caller validates addresses before asking about them.
 */
export function reverseName(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return `${bare.split('.').reverse().join('.')}.in-addr.arpa`;
  if (version !== 6) throw new TypeError(`not an IP address: ${address}`);
  return `${[...ipv6Hex(bare)].reverse().join('.')}.ip6.arpa`;
}

/** The 32 hex digits of an IPv6 address, `::` expanded and an embedded IPv4 tail converted. */
function ipv6Hex(address: string): string {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail = ''] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = text.includes('::') && tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups]
    .map((group) => group.padStart(4, '0'))
    .join('');
}
