import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherSpf } from '../../src/posture/spf/gather-spf.js';
import type { DnsRecords } from '../helpers/dns-server.js';
import { type PyspfAnswer, pyspfCheck, requirePyspf } from '../helpers/pyspf.js';
import { type SpfZone, includeChain, startSpfZone } from '../helpers/spf-zone.js';

// The same zones evaluated by pyspf (python3-spf) and by gatherSpf: the results for given
// addresses, and for an address no mechanism matches, the lookup and void lookup counts.

/** Matches no mechanism of any zone here. */
const NOBODY = '203.0.113.254';

const host = (name: string, ...a: string[]): Record<string, DnsRecords> => ({ [name]: { A: a } });

const TABLE: Record<string, DnsRecords> = {
  'basic.example': {
    TXT: [
      'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8:1::/48 a:web.basic.example mx include:_spf.basic.example ~all',
    ],
    MX: [{ exchange: 'mx.basic.example', priority: 10 }],
  },
  ...host('web.basic.example', '198.18.0.5'),
  'mx.basic.example': { A: ['198.18.1.1'], AAAA: ['2001:db8:3::1'] },
  '_spf.basic.example': { TXT: ['v=spf1 ip4:100.64.0.0/10 -all'] },
  'ten.example': { TXT: ['v=spf1 include:t1.example -all'] },
  ...includeChain('t', 10),
  'eleven.example': { TXT: ['v=spf1 include:e1.example -all'] },
  ...includeChain('e', 11),
  'wide.example': {
    TXT: ['v=spf1 a mx include:_spf.basic.example include:t8.example exists:%{i}.wide.example -all'],
    A: ['198.18.9.9'],
    MX: [1, 2, 3].map((n) => ({ exchange: `m${n}.wide.example`, priority: n })),
  },
  ...host('m1.wide.example', '198.18.10.1'),
  ...host('m2.wide.example', '198.18.10.2'),
  ...host('m3.wide.example', '198.18.10.3'),
  'void-mx2.example': { TXT: ['v=spf1 mx:n1.example mx:n2.example -all'] },
  'void-mx3.example': { TXT: ['v=spf1 mx:n1.example mx:n2.example mx:n3.example -all'] },
  'void-a2.example': { TXT: ['v=spf1 a:n1.example a:n2.example -all'] },
  'void-a3.example': { TXT: ['v=spf1 a:n1.example a:n2.example a:n3.example ip4:192.0.2.1 -all'] },
  'void-hosts.example': {
    TXT: ['v=spf1 mx -all'],
    MX: [1, 2, 3].map((n) => ({ exchange: `h${n}.void-hosts.example`, priority: n })),
  },
  ...host('h1.void-hosts.example', '198.18.20.1'),
  'void-exists.example': { TXT: ['v=spf1 exists:n1.example exists:n2.example include:n3.example -all'] },
  'redirect.example': { TXT: ['v=spf1 ip4:192.0.2.50 redirect=basic.example'] },
  'loop.example': { TXT: ['v=spf1 redirect=loop2.example'] },
  'loop2.example': { TXT: ['v=spf1 redirect=loop.example'] },
  'nospf-include.example': { TXT: ['v=spf1 include:plain.example -all'] },
  'plain.example': { TXT: ['just text'] },
  'two.example': { TXT: ['v=spf1 -all', 'v=spf1 +all'] },
  'syntax.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 moo -all'] },
  'split.example': { TXT: [['v=spf1 ip4:192.0.', '2.0/24 ?all']] },
  'open.example': { TXT: ['v=spf1 +all'] },
  // redirect= counts when the record is read, even beside all, and before the mechanisms.
  'all-redirect.example': { TXT: ['v=spf1 a:web.basic.example -all redirect=open.example'] },
  'ten-redirect.example': {
    TXT: [
      `v=spf1 ${Array.from({ length: 10 }, (_, n) => `a:h${n}.ten-redirect.example`).join(' ')} redirect=open.example`,
    ],
  },
  ...Object.fromEntries(
    Array.from({ length: 10 }, (_, n) => [`h${n}.ten-redirect.example`, { A: [`10.0.0.${n}`] }]),
  ),
  'none.example': { TXT: ['not spf'] },
  'macro.example': { TXT: ['v=spf1 exists:%{ir}.%{l}.allow.macro.example -all'] },
  ...host('1.2.0.192.postmaster.allow.macro.example', '127.0.0.2'),
  'ptr.example': { TXT: ['v=spf1 ptr:ptr.example -all'] },
  '7.2.0.192.in-addr.arpa': { PTR: ['mail.ptr.example'] },
  ...host('mail.ptr.example', '192.0.2.7'),
};
// Not compared: an include whose TXT lookup gets SERVFAIL. pyspf on pydns (Debian's default DNS
// module for it) reads SERVFAIL as an empty answer, so it counts a void lookup and answers
// permerror (include without SPF); RFC 7208 §5.2 says temperror, which gatherSpf answers.

/** Addresses to compare results for, per domain (NOBODY is always added). */
const ADDRESSES: Record<string, string[]> = {
  'basic.example': [
    '192.0.2.9',
    '2001:db8:1::9',
    '198.18.0.5',
    '198.18.1.1',
    '2001:db8:3::1',
    '100.64.3.3',
    '2001:db8:9::1',
  ],
  'ten.example': [],
  'eleven.example': [],
  'wide.example': ['198.18.9.9', '198.18.10.3', '100.64.0.1'],
  'void-mx2.example': [],
  'void-mx3.example': [],
  'void-a2.example': [],
  'void-a3.example': ['192.0.2.1'],
  'void-hosts.example': ['198.18.20.1'],
  'void-exists.example': [],
  'redirect.example': ['192.0.2.50', '192.0.2.51', '198.18.0.5'],
  'loop.example': [],
  'nospf-include.example': [],
  'two.example': [],
  'syntax.example': ['192.0.2.1'],
  'split.example': ['192.0.2.1'],
  'open.example': [],
  'all-redirect.example': ['198.18.0.5'],
  'ten-redirect.example': ['10.0.0.0', '10.0.0.9'],
  'none.example': [],
  'macro.example': ['192.0.2.1', '192.0.2.2'],
  'ptr.example': ['192.0.2.7', '192.0.2.8'],
};

let zone: SpfZone;
let skip: string | null = null;

beforeAll(async () => {
  skip = await requirePyspf();
  zone = await startSpfZone(TABLE);
});

afterAll(() => zone?.close());

const cases = Object.entries(ADDRESSES).flatMap(([domain, ips]) =>
  [...ips, NOBODY].map((ip) => ({ domain, ip, sender: `postmaster@${domain}`, helo: domain })),
);

async function pyspfAnswers(): Promise<Map<string, PyspfAnswer>> {
  const answers = await pyspfCheck(zone.server.server, cases);
  return new Map(cases.map((check, index) => [`${check.domain} ${check.ip}`, answers[index]!]));
}

describe('gatherSpf() and pyspf', () => {
  test('give the same result for every address of every zone', async (context) => {
    if (skip) return context.skip(skip);
    const theirs = await pyspfAnswers();
    const ours = await Promise.all(
      cases.map(async (check) => {
        const facts = await gatherSpf(zone.dns(), check.domain, {
          ip: check.ip,
          sender: check.sender,
          helo: check.helo,
        });
        return [`${check.domain} ${check.ip}`, facts.result?.result] as const;
      }),
    );
    const pyspf = ours.map(([key]) => [key, theirs.get(key)?.result]);
    expect(ours).toEqual(pyspf);
    // The zones must exercise every result, or the comparison proves little.
    expect(new Set(ours.map(([, result]) => result))).toEqual(
      new Set(['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror']),
    );
  });

  test('count the same lookups and void lookups for an address nothing matches', async (context) => {
    if (skip) return context.skip(skip);
    const theirs = await pyspfAnswers();
    const compare = await Promise.all(
      Object.keys(ADDRESSES).map(async (domain) => {
        // With the address, as pyspf has it: macros are expanded and ptr asks, as in pyspf.
        const facts = await gatherSpf(zone.dns(), domain, { ip: NOBODY });
        const them = theirs.get(`${domain} ${NOBODY}`)!;
        // Past 10 pyspf stops counting; past 2 voids it stops too. Both must call it a permerror.
        // pyspf finds no loop: a redirect loop runs into its lookup limit, a permerror as well.
        const over = facts.lookups > 10 || facts.voidLookups > 2 || facts.error?.kind === 'loop';
        return {
          domain,
          ours: over
            ? { worstCase: facts.worstCase }
            : { worstCase: facts.worstCase, lookups: facts.lookups, voids: facts.voidLookups },
          pyspf: over
            ? { worstCase: them.result }
            : { worstCase: them.result, lookups: them.lookups, voids: them.void_lookups },
        };
      }),
    );
    expect(compare.map(({ domain, ours }) => ({ domain, ...ours }))).toEqual(
      compare.map(({ domain, pyspf }) => ({ domain, ...pyspf })),
    );
  });
});
