import type { AddressReverseDns, BlocklistResult, PostureFacts } from '../../posture/index.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

// Reverse DNS and blocklists: what a receiver knows of an address before it reads a message.
// For the sending address (`ip`) they decide delivery (Gmail refuses mail from an address without
// forward-confirmed reverse DNS); for an MX address they matter when that host also sends bounces.

function sending(facts: PostureFacts): AddressReverseDns[] {
  return facts.reverseDns.addresses.filter((entry) => entry.role === 'sending' && !entry.lookupError);
}

function mxAddresses(facts: PostureFacts): AddressReverseDns[] {
  return facts.reverseDns.addresses.filter((entry) => entry.role === 'mx' && !entry.lookupError);
}

function where(entry: AddressReverseDns): string {
  return entry.role === 'sending'
    ? `the sending address ${entry.address}`
    : `${entry.address} (${entry.exchange})`;
}

const PTR_ADVICE = (facts: PostureFacts): string =>
  `Ask whoever runs the address (hosting provider, ISP, cloud console) to set its PTR to a name with an A or AAAA record of that same address, such as mail.${facts.request.domain}.`;

export const ptrMissing: PostureRule = {
  id: 'ptr-missing',
  check(facts) {
    const missingSending = sending(facts).filter((entry) => entry.ptr.length === 0);
    const missingMx = mxAddresses(facts).filter((entry) => entry.ptr.length === 0);
    const all = [...missingSending, ...missingMx];
    if (all.length === 0) return [];
    const summary =
      missingSending.length > 0
        ? `${listed(all.map(where))} ${all.length === 1 ? 'has' : 'have'} no reverse DNS (PTR): Gmail refuses mail from an address without it (550 5.7.25), and most receivers score it as spam`
        : `${listed(all.map(where))} ${all.length === 1 ? 'has' : 'have'} no reverse DNS (PTR): bounces and replies sent from there are refused or junked by many receivers`;
    return [
      postureFinding('ptr-missing', missingSending.length > 0 ? 'critical' : 'warning', summary, [
        PTR_ADVICE(facts),
      ]),
    ];
  },
};

export const fcrdnsMismatch: PostureRule = {
  id: 'fcrdns-mismatch',
  check(facts) {
    const unconfirmed = (entries: AddressReverseDns[]) =>
      entries.filter((entry) => entry.ptr.length > 0 && !entry.forwardConfirmed);
    const badSending = unconfirmed(sending(facts));
    const all = [...badSending, ...unconfirmed(mxAddresses(facts))];
    if (all.length === 0) return [];
    const pairs = all.map((entry) => `${where(entry)} → ${listed(entry.ptr)}`);
    return [
      postureFinding(
        'fcrdns-mismatch',
        badSending.length > 0 ? 'critical' : 'warning',
        `Reverse DNS is not forward-confirmed: ${listed(pairs)}, but no such name resolves back to the address${badSending.length > 0 ? '; Gmail, Yahoo and Outlook.com ask every sender for it' : ''}`,
        [
          'Add an A (or AAAA) record for the PTR name pointing to the address, or change the PTR to a name that already has one.',
          PTR_ADVICE(facts),
        ],
      ),
    ];
  },
};

export const ptrGreetingMismatch: PostureRule = {
  id: 'ptr-greeting-mismatch',
  check(facts) {
    const differ = facts.reverseDns.addresses.filter((entry) => entry.greetingConsistent === false);
    if (differ.length === 0) return [];
    const details = differ.map((entry) => {
      const names = [entry.greetingName, entry.ehloName].filter((name): name is string => !!name);
      return `${where(entry)} greets as ${listed([...new Set(names)])}, PTR ${entry.ptr.length > 0 ? listed(entry.ptr) : 'none'}`;
    });
    return [
      postureFinding(
        'ptr-greeting-mismatch',
        'warning',
        `The name a server gives in its greeting and EHLO reply matches neither its PTR nor its MX name: ${listed(details)}. Receivers compare the name a host uses when it sends (HELO) with its PTR`,
        [
          "Set the server's host name (Postfix myhostname, Exchange connector FQDN) to the PTR name, and keep the PTR, the A record and that name one and the same.",
        ],
      ),
    ];
  },
};

function listing(result: BlocklistResult): string {
  const why = result.meanings.length > 0 ? `: ${result.meanings.join('; ')}` : '';
  return `${result.subject} on ${result.name}${why}`;
}

export const dnsblListed: PostureRule = {
  id: 'dnsbl-listed',
  check(facts) {
    const hits = facts.blocklists.results.filter((result) => result.status === 'listed');
    if (hits.length === 0) return [];
    const serious = hits.some((result) => result.subjectRole !== 'mx');
    return [
      postureFinding(
        'dnsbl-listed',
        serious ? 'critical' : 'warning',
        `Listed: ${listed(hits.map(listing))}. Receivers that use ${hits.length === 1 ? 'this list' : 'these lists'} refuse or junk the mail`,
        [
          "Look the address or domain up on the list's own site (it says why and how to be removed): Spamhaus check.spamhaus.org, SpamCop spamcop.net/bl.shtml, PSBL psbl.org.",
          'Find and stop the cause first (a compromised account or host, an open relay, a bought list), or the listing returns.',
          "A Spamhaus PBL listing means the range should not send directly: send through your provider's relay or ask for the address to be removed from the PBL if it is a mail server.",
        ],
      ),
    ];
  },
};

export const dnsblQueryRefused: PostureRule = {
  id: 'dnsbl-query-refused',
  check(facts) {
    const refused = facts.blocklists.results.filter((result) => result.status === 'refused');
    if (refused.length === 0) return [];
    const lists = [
      ...new Set(
        refused.map((result) => `${result.name} (${result.meanings.join('; ') || result.codes.join(', ')})`),
      ),
    ];
    return [
      postureFinding(
        'dnsbl-query-refused',
        'warning',
        `${listed(lists)} refused to answer through ${facts.blocklists.resolver}: this says nothing about a listing, one way or the other`,
        [
          'Set DNSBL_RESOLVER to a resolver of your own that asks the lists directly (not a public resolver such as 8.8.8.8, 1.1.1.1 or 9.9.9.9, which Spamhaus refuses).',
          "Above the free query volume, use the list's paid feed (Spamhaus Data Query Service) and its zone names in DNSBL_ZONES.",
        ],
      ),
    ];
  },
};

export const REPUTATION_RULES: readonly PostureRule[] = [
  ptrMissing,
  fcrdnsMismatch,
  ptrGreetingMismatch,
  dnsblListed,
  dnsblQueryRefused,
];
