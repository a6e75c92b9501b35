import type {
  BimiFacts,
  DkimKey,
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
    queries: { sent: 14, budget: 150, budgetExhausted: false, failed: 0, log: [] },
    ...overrides,
  };
}
