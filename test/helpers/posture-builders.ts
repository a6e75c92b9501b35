import type { CertificateFacts } from '../../src/probe/types.js';
import type {
  AddressReverseDns,
  BimiFacts,
  BlocklistFacts,
  DaneHostFacts,
  DkimKey,
  DnssecFacts,
  MtaStsFacts,
  Port25Evidence,
  TlsRptFacts,
  DmarcFacts,
  MxFacts,
  PostureFacts,
  SpfFacts,
  SpfNode,
  SpfQualifier,
  SpfTerm,
  SpfTermKind,
} from '../../src/posture/index.js';

// Facts of a domain set up as a careful sender would: one MX host, SPF through Google Workspace
// ending in -all, a 2048-bit DKIM key, DMARC at p=reject with reports to itself. Each builder takes
// overrides, so a test states only what it breaks.

export function spfNode(overrides: Partial<SpfNode> = {}): SpfNode {
  return {
    domain: 'example.com',
    via: 'root',
    record: 'v=spf1 include:_spf.google.com -all',
    terms: [
      {
        text: 'include:_spf.google.com',
        kind: 'include',
        qualifier: '+',
        target: '_spf.google.com',
        lookups: 1,
        voidLookups: 0,
      },
      { text: '-all', kind: 'all', qualifier: '-', lookups: 0, voidLookups: 0 },
    ],
    children: [
      {
        domain: '_spf.google.com',
        via: 'include',
        record: 'v=spf1 ip4:172.217.0.0/19 ~all',
        terms: [
          {
            text: 'ip4:172.217.0.0/19',
            kind: 'ip4',
            qualifier: '+',
            target: '172.217.0.0/19',
            lookups: 0,
            voidLookups: 0,
          },
          { text: '~all', kind: 'all', qualifier: '~', lookups: 0, voidLookups: 0 },
        ],
        children: [],
        provider: 'Google Workspace',
      },
    ],
    ...overrides,
  };
}

const LOOKUP_KINDS: readonly SpfTermKind[] = ['include', 'a', 'mx', 'ptr', 'exists', 'redirect'];
const MECHANISMS: readonly SpfTermKind[] = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'];

/**
 * A record of `domain` read into terms as the walk would, its includes and redirect not followed
 * (pass `children` to add them). Each include, a, mx, ptr, exists and redirect costs one lookup.
 */
export function spfRecord(record: string, overrides: Partial<SpfNode> = {}): SpfNode {
  const terms = record
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((text): SpfTerm => {
      const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(text);
      if (modifier) {
        const name = modifier[1]!.toLowerCase();
        const kind: SpfTermKind = name === 'redirect' || name === 'exp' ? name : 'modifier';
        return { text, kind, target: modifier[2], lookups: kind === 'redirect' ? 1 : 0, voidLookups: 0 };
      }
      const qualified = /^[+~?-]/.test(text);
      const qualifier = (qualified ? text[0] : '+') as SpfQualifier;
      const [name = '', target] = (qualified ? text.slice(1) : text).split(/:(.*)/s);
      const kind = MECHANISMS.find((mechanism) => mechanism === name.toLowerCase()) ?? 'modifier';
      return {
        text,
        kind,
        qualifier,
        ...(target ? { target } : {}),
        lookups: LOOKUP_KINDS.includes(kind) ? 1 : 0,
        voidLookups: 0,
      };
    });
  return { domain: 'example.com', via: 'root', record, terms, children: [], ...overrides };
}

export function spfFacts(overrides: Partial<SpfFacts> = {}): SpfFacts {
  const tree = overrides.tree === undefined ? spfNode() : overrides.tree;
  return {
    domain: 'example.com',
    record: tree?.record ?? null,
    records: tree?.record ? [tree.record] : [],
    tree,
    lookups: 1,
    voidLookups: 0,
    worstCase: 'fail',
    macros: false,
    providers: ['Google Workspace'],
    ...overrides,
  };
}

export function dkimKey(overrides: Partial<DkimKey> = {}): DkimKey {
  return {
    selector: 'google',
    name: 'google._domainkey.example.com',
    source: 'provider',
    provider: 'Google Workspace',
    found: true,
    record: 'v=DKIM1; k=rsa; p=MIIBIjANBg…',
    keyType: 'rsa',
    bits: 2048,
    testing: false,
    revoked: false,
    ...overrides,
  };
}

/** A selector that was tried and did not answer. */
export function dkimMissing(selector: string, overrides: Partial<DkimKey> = {}): DkimKey {
  return {
    selector,
    name: `${selector}._domainkey.example.com`,
    source: 'common',
    found: false,
    testing: false,
    revoked: false,
    ...overrides,
  };
}

export function dmarcFacts(overrides: Partial<DmarcFacts> = {}): DmarcFacts {
  return {
    record: 'v=DMARC1; p=reject; rua=mailto:dmarc@example.com',
    records: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'],
    source: 'domain',
    sourceDomain: 'example.com',
    organizationalDomain: 'example.com',
    tags: { v: 'DMARC1', p: 'reject', rua: 'mailto:dmarc@example.com' },
    policy: 'reject',
    subdomainPolicy: 'reject',
    pct: 100,
    alignment: { dkim: 'relaxed', spf: 'relaxed' },
    rua: [
      {
        uri: 'mailto:dmarc@example.com',
        address: 'dmarc@example.com',
        domain: 'example.com',
        external: false,
        authorized: null,
      },
    ],
    ruf: [],
    syntaxErrors: [],
    ...overrides,
  };
}

/** No DMARC record anywhere. */
export function dmarcMissing(overrides: Partial<DmarcFacts> = {}): DmarcFacts {
  return dmarcFacts({
    record: null,
    records: [],
    source: null,
    sourceDomain: null,
    tags: {},
    policy: null,
    subdomainPolicy: null,
    rua: [],
    ...overrides,
  });
}

export function bimiFacts(overrides: Partial<BimiFacts> = {}): BimiFacts {
  return { name: 'default._bimi.example.com', record: null, problems: [], ...overrides };
}

export function mxFacts(overrides: Partial<MxFacts> = {}): MxFacts {
  return {
    // A public address: documentation ranges (192.0.2.0/24) are unreachable MX addresses too.
    hosts: [{ exchange: 'aspmx.l.google.com', priority: 1, addresses: ['142.250.27.26'] }],
    nullMx: false,
    implicit: null,
    ...overrides,
  };
}

export function postureFacts(overrides: Partial<PostureFacts> = {}): PostureFacts {
  return {
    request: { domain: 'example.com', selectors: [] },
    checkedAt: '2026-12-07T10:00:00.000Z',
    durationMs: 412,
    resolver: { servers: ['127.0.0.1:5353'], system: false },
    mx: mxFacts(),
    spf: spfFacts(),
    dkim: [dkimKey(), dkimMissing('default')],
    dmarc: dmarcFacts(),
    bimi: bimiFacts(),
    port25: [port25Evidence()],
    mtaSts: mtaStsFacts(),
    tlsRpt: tlsRptFacts(),
    dnssec: dnssecFacts(),
    dane: [daneHost()],
    reverseDns: { addresses: [mxAddressReverseDns()] },
    blocklists: blocklistFacts(),
    queries: { sent: 14, budget: 150, budgetExhausted: false, failed: 0, log: [] },
    ...overrides,
  };
}

// ---------------------------------------------------------------- transport (part 2)

/** The certificate of aspmx.l.google.com as our probe would judge it: trusted, name matches. */
export function mxCertificate(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=mx.google.com',
    subjectAltNames: ['mx.google.com', 'aspmx.l.google.com'],
    issuer: 'C=US, O=Google Trust Services, CN=WR2',
    validFrom: '2026-11-01T00:00:00.000Z',
    validTo: '2027-01-24T00:00:00.000Z',
    daysLeft: 48,
    selfSigned: false,
    trusted: true,
    verifyError: null,
    hostnameMatches: true,
    fingerprint256: 'AB:CD',
    chainLength: 2,
    ...overrides,
  };
}

/** Port 25 of the default MX host, answering with STARTTLS and a good certificate. */
export function port25Evidence(overrides: Partial<Port25Evidence> = {}): Port25Evidence {
  return {
    exchange: 'aspmx.l.google.com',
    address: '142.250.27.26',
    port: 25,
    class: 'open-starttls',
    greetingName: 'mx.google.com',
    ehloName: 'mx.google.com',
    tls: true,
    certificate: mxCertificate(),
    ...overrides,
  };
}

/** No MTA-STS record: nothing published, nothing fetched. */
export function mtaStsFacts(overrides: Partial<MtaStsFacts> = {}): MtaStsFacts {
  return {
    recordName: '_mta-sts.example.com',
    record: null,
    records: [],
    id: null,
    recordProblems: [],
    fetch: { url: 'https://mta-sts.example.com/.well-known/mta-sts.txt', outcome: 'not-asked' },
    policy: null,
    coverage: [],
    ...overrides,
  };
}

/** An enforced MTA-STS policy that covers the default MX host, whose certificate is valid. */
export function mtaStsEnforced(overrides: Partial<MtaStsFacts> = {}): MtaStsFacts {
  return mtaStsFacts({
    record: 'v=STSv1; id=20261201',
    records: ['v=STSv1; id=20261201'],
    id: '20261201',
    fetch: {
      url: 'https://mta-sts.example.com/.well-known/mta-sts.txt',
      outcome: 'fetched',
      status: 200,
      contentType: 'text/plain',
      bytes: 80,
    },
    policy: { mode: 'enforce', maxAge: 604800, mx: ['*.l.google.com'], problems: [] },
    coverage: [{ exchange: 'aspmx.l.google.com', pattern: '*.l.google.com', certificate: 'valid' }],
    ...overrides,
  });
}

export function tlsRptFacts(overrides: Partial<TlsRptFacts> = {}): TlsRptFacts {
  return { name: '_smtp._tls.example.com', record: null, records: [], rua: [], problems: [], ...overrides };
}

export function dnssecFacts(overrides: Partial<DnssecFacts> = {}): DnssecFacts {
  return {
    resolver: '127.0.0.1:5353',
    domain: { name: 'example.com', status: 'insecure' },
    mxHosts: [{ name: 'aspmx.l.google.com', status: 'insecure' }],
    ...overrides,
  };
}

/** No TLSA records at the default MX host. */
export function daneHost(overrides: Partial<DaneHostFacts> = {}): DaneHostFacts {
  return {
    exchange: 'aspmx.l.google.com',
    name: '_25._tcp.aspmx.l.google.com',
    records: [],
    dnssec: 'insecure',
    match: null,
    ...overrides,
  };
}

/** The default MX host's address: a PTR that resolves back, and a greeting that agrees. */
export function mxAddressReverseDns(overrides: Partial<AddressReverseDns> = {}): AddressReverseDns {
  return {
    address: '142.250.27.26',
    role: 'mx',
    exchange: 'aspmx.l.google.com',
    ptr: ['mx.google.com'],
    forwardConfirmed: true,
    greetingName: 'mx.google.com',
    ehloName: 'mx.google.com',
    greetingConsistent: true,
    ...overrides,
  };
}

/** Spamhaus ZEN and DBL asked, nothing listed. */
export function blocklistFacts(overrides: Partial<BlocklistFacts> = {}): BlocklistFacts {
  return {
    resolver: '127.0.0.1:5353',
    zones: [
      { zone: 'zen.spamhaus.org', kind: 'ip', name: 'Spamhaus ZEN' },
      { zone: 'dbl.spamhaus.org', kind: 'domain', name: 'Spamhaus DBL' },
    ],
    results: [
      {
        zone: 'zen.spamhaus.org',
        name: 'Spamhaus ZEN',
        subject: '142.250.27.26',
        subjectRole: 'mx',
        status: 'not-listed',
        codes: [],
        meanings: [],
      },
      {
        zone: 'dbl.spamhaus.org',
        name: 'Spamhaus DBL',
        subject: 'example.com',
        subjectRole: 'domain',
        status: 'not-listed',
        codes: [],
        meanings: [],
      },
    ],
    ...overrides,
  };
}

// ---------------------------------------------------------------- transport, troubled (renderers)

/** SHA-256 of mx1's public key: its 3 1 1 TLSA record matches. */
export const MX1_SPKI = '132ad82996a4c527c725accb08cd055482e8d2ffa410f1689a1e634e70c38ab1';
/** The key mx2's TLSA record still names, from before a certificate renewal. */
export const MX2_OLD_SPKI = 'edf9fb86f61f926bb83c25eef0fb8bfb1d27c7d07477f32953bfd2289b8f85ed';
/** The key mx2 presents now. */
export const MX2_NEW_SPKI = 'da92511260796cd03ed5217e8f7fe0cfc77a50a8cf100ca950e1a04ba4d37005';

const digests = (spkiSha256: string) => ({
  certSha256: '2c6787f4469d7097c456bbdcd13722f8974613592cc450f3e2a048f95129b164',
  certSha512: 'ab'.repeat(64),
  spkiSha256,
  spkiSha512: 'cd'.repeat(64),
});

/**
 * Transport facts with something wrong in every part, over two MX hosts: MTA-STS in enforce mode
 * whose pattern misses mx2, whose certificate names another host; DANE matching on mx1 (3 1 1) and
 * left behind by mx2's renewal; mx2's zone bogus (EDE 7); the sending address without PTR, mx2's
 * PTR not forward-confirmed and its greeting another name; the sending address on Spamhaus ZEN
 * (XBL), and mx1's question refused because it came through a public resolver (127.255.255.254).
 */
export function troubledTransportFacts(): Partial<PostureFacts> {
  const mx1 = { exchange: 'mx1.example.com', address: '203.0.113.25' };
  const mx2 = { exchange: 'mx2.example.net', address: '203.0.113.26' };
  return {
    request: { domain: 'example.com', selectors: [], ip: '198.51.100.7' },
    mx: mxFacts({
      hosts: [
        { exchange: mx1.exchange, priority: 10, addresses: [mx1.address] },
        { exchange: mx2.exchange, priority: 20, addresses: [mx2.address] },
      ],
    }),
    port25: [
      port25Evidence({
        ...mx1,
        greetingName: 'mx1.example.com',
        ehloName: 'mx1.example.com',
        certificate: mxCertificate({
          subject: 'CN=mx1.example.com',
          subjectAltNames: ['mx1.example.com'],
          chain: [digests(MX1_SPKI)],
        }),
      }),
      port25Evidence({
        ...mx2,
        greetingName: 'smtp.hosting.example',
        ehloName: 'smtp.hosting.example',
        certificate: mxCertificate({
          subject: 'CN=smtp.hosting.example',
          subjectAltNames: ['smtp.hosting.example', 'www.hosting.example'],
          hostnameMatches: false,
          chain: [digests(MX2_NEW_SPKI)],
        }),
      }),
    ],
    mtaSts: mtaStsEnforced({
      policy: { mode: 'enforce', maxAge: 86400, mx: ['mx1.example.com', '*.mail.example.net'], problems: [] },
      coverage: [
        { exchange: mx1.exchange, pattern: 'mx1.example.com', certificate: 'valid' },
        { exchange: mx2.exchange, pattern: null, certificate: 'name-mismatch' },
      ],
    }),
    tlsRpt: tlsRptFacts({
      record: 'v=TLSRPTv1; rua=mailto:tls-reports@example.com',
      records: ['v=TLSRPTv1; rua=mailto:tls-reports@example.com'],
      rua: ['mailto:tls-reports@example.com'],
    }),
    dnssec: dnssecFacts({
      resolver: '127.0.0.1:5353',
      domain: { name: 'example.com', status: 'secure' },
      mxHosts: [
        { name: mx1.exchange, status: 'secure' },
        {
          name: mx2.exchange,
          status: 'bogus',
          extendedError: { code: 7, name: 'Signature Expired', text: 'RRSIG expired 2026-11-30' },
        },
      ],
    }),
    dane: [
      daneHost({
        exchange: mx1.exchange,
        name: `_25._tcp.${mx1.exchange}`,
        dnssec: 'secure',
        records: [{ usage: 3, selector: 1, matchingType: 1, data: MX1_SPKI }],
        match: {
          matched: true,
          by: { usage: 3, selector: 1, matchingType: 1, data: MX1_SPKI },
          usable: 1,
        },
      }),
      daneHost({
        exchange: mx2.exchange,
        name: `_25._tcp.${mx2.exchange}`,
        dnssec: 'secure',
        records: [{ usage: 3, selector: 1, matchingType: 1, data: MX2_OLD_SPKI }],
        match: {
          matched: false,
          usable: 1,
          reason: 'none of the 1 usable TLSA record matches the certificate the server sent',
        },
      }),
    ],
    reverseDns: {
      addresses: [
        {
          address: '198.51.100.7',
          role: 'sending',
          ptr: [],
          forwardConfirmed: false,
          greetingConsistent: null,
        },
        mxAddressReverseDns({
          ...mx1,
          ptr: ['mx1.example.com'],
          greetingName: 'mx1.example.com',
          ehloName: 'mx1.example.com',
        }),
        mxAddressReverseDns({
          ...mx2,
          ptr: ['26.113.0.203.static.isp.example'],
          forwardConfirmed: false,
          greetingName: 'smtp.hosting.example',
          ehloName: 'smtp.hosting.example',
          greetingConsistent: false,
        }),
      ],
    },
    blocklists: blocklistFacts({
      resolver: '8.8.8.8',
      zones: [
        { zone: 'zen.spamhaus.org', kind: 'ip', name: 'Spamhaus ZEN' },
        { zone: 'bl.spamcop.net', kind: 'ip', name: 'SpamCop' },
        { zone: 'psbl.surriel.com', kind: 'ip', name: 'PSBL' },
        { zone: 'dbl.spamhaus.org', kind: 'domain', name: 'Spamhaus DBL' },
      ],
      results: [
        {
          zone: 'zen.spamhaus.org',
          name: 'Spamhaus ZEN',
          subject: '198.51.100.7',
          subjectRole: 'sending',
          status: 'listed',
          codes: ['127.0.0.4'],
          meanings: ['XBL: an exploited or infected machine (botnet, proxy, malware)'],
          text: 'https://check.spamhaus.org/query/ip/198.51.100.7',
        },
        ...['SpamCop', 'PSBL'].map((name) => ({
          zone: name === 'SpamCop' ? 'bl.spamcop.net' : 'psbl.surriel.com',
          name,
          subject: '198.51.100.7',
          subjectRole: 'sending' as const,
          status: 'not-listed' as const,
          codes: [],
          meanings: [],
        })),
        {
          zone: 'zen.spamhaus.org',
          name: 'Spamhaus ZEN',
          subject: mx1.address,
          subjectRole: 'mx',
          status: 'refused',
          codes: ['127.255.255.254'],
          meanings: [
            'Spamhaus refused the question because it came through a public or open resolver (set DNSBL_RESOLVER to your own resolver): not a listing',
          ],
        },
        {
          zone: 'bl.spamcop.net',
          name: 'SpamCop',
          subject: mx1.address,
          subjectRole: 'mx',
          status: 'error',
          codes: [],
          meanings: [],
          problem: 'no answer in 2.5 s (ETIMEOUT)',
        },
        {
          zone: 'psbl.surriel.com',
          name: 'PSBL',
          subject: mx1.address,
          subjectRole: 'mx',
          status: 'not-listed',
          codes: [],
          meanings: [],
        },
        {
          zone: 'dbl.spamhaus.org',
          name: 'Spamhaus DBL',
          subject: 'example.com',
          subjectRole: 'domain',
          status: 'not-listed',
          codes: [],
          meanings: [],
        },
      ],
    }),
  };
}

/** Every string of the transport facts set to `evil` (hostile text from the network). */
export function hostileTransportFacts(evil: string): Partial<PostureFacts> {
  const cert = mxCertificate({
    subject: evil,
    subjectAltNames: [evil, evil],
    issuer: evil,
    verifyError: evil,
    trusted: false,
    hostnameMatches: false,
    fingerprint256: evil,
    chain: [digests(evil)],
  });
  const tlsa = { usage: 3, selector: 1, matchingType: 1, data: evil };
  return {
    port25: [
      port25Evidence({
        exchange: evil,
        address: evil,
        greetingName: evil,
        ehloName: evil,
        certificate: cert,
        problem: evil,
      }),
    ],
    mtaSts: mtaStsEnforced({
      recordName: evil,
      record: evil,
      records: [evil, evil],
      id: evil,
      recordProblems: [evil],
      fetch: {
        url: evil,
        outcome: 'unreachable',
        status: 301,
        contentType: evil,
        redirect: evil,
        problem: evil,
      },
      policy: { mode: 'enforce', maxAge: 86400, mx: [evil], problems: [evil] },
      coverage: [{ exchange: evil, pattern: evil, certificate: 'name-mismatch' }],
    }),
    tlsRpt: tlsRptFacts({ name: evil, record: evil, records: [evil], rua: [evil], problems: [evil] }),
    dnssec: dnssecFacts({
      resolver: evil,
      domain: { name: evil, status: 'bogus', extendedError: { code: 6, name: evil, text: evil } },
      mxHosts: [{ name: evil, status: 'unknown', lookupError: evil }],
    }),
    dane: [
      daneHost({
        exchange: evil,
        name: evil,
        dnssec: 'secure',
        records: [tlsa],
        match: { matched: false, usable: 1, reason: evil },
      }),
      daneHost({ exchange: evil, name: evil, records: [], lookupError: evil }),
    ],
    reverseDns: {
      addresses: [
        mxAddressReverseDns({
          address: evil,
          exchange: evil,
          ptr: [evil],
          forwardConfirmed: false,
          greetingName: evil,
          ehloName: evil,
          greetingConsistent: false,
        }),
        mxAddressReverseDns({ address: evil, role: 'sending', lookupError: evil }),
      ],
    },
    blocklists: blocklistFacts({
      resolver: evil,
      zones: [{ zone: evil, kind: 'ip', name: evil }],
      results: (['listed', 'refused', 'error', 'not-listed'] as const).map((status) => ({
        zone: evil,
        name: evil,
        subject: evil,
        subjectRole: 'mx' as const,
        status,
        codes: [evil],
        meanings: [evil],
        text: evil,
        problem: evil,
      })),
    }),
  };
}
