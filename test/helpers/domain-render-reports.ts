import type { SpfNode } from '../../src/posture/index.js';
import type { DomainReport, PostureFinding } from '../../src/posture-report/index.js';
import {
  dkimKey,
  dkimMissing,
  dmarcFacts,
  mxFacts,
  postureFacts,
  spfFacts,
  spfNode,
} from './posture-builders.js';
import { HOSTILE } from './slack-diagnoses.js';

// Domain reports for the renderers: a typical one with something to say in every section, one
// with hostile DNS text in every string, and one too big for any single Slack message.

/** Text a TXT record can hold that tries to draw a line of its own in the report. */
export const INJECTED_LINE = 'FORGED ✅ nothing to fix';

export const TYPICAL_FINDINGS: PostureFinding[] = [
  {
    id: 'dmarc-policy-none',
    severity: 'warning',
    summary:
      'DMARC is at p=none: receivers deliver mail that fails authentication anyway, so mail forged in the name of example.com still reaches inboxes.',
    advice: [
      'Read the aggregate reports for two weeks; when only your own services appear, move to p=quarantine.',
    ],
  },
  {
    id: 'dkim-testing',
    severity: 'info',
    summary: 'The DKIM key at google._domainkey.example.com says t=y (testing).',
    advice: ['Remove t=y once signatures verify.'],
  },
  {
    id: 'spf-too-many-lookups',
    severity: 'critical',
    summary: 'SPF needs 12 DNS lookups where receivers allow 10: every receiver answers permerror.',
    advice: ['Drop includes of services you no longer use, or flatten one of them into ip4: ranges.'],
  },
];

export function aTypicalReport(overrides: Partial<DomainReport> = {}): DomainReport {
  return {
    facts: postureFacts({
      spf: spfFacts({
        lookups: 7,
        result: {
          ip: '192.0.2.1',
          sender: 'postmaster@example.com',
          result: 'pass',
          decidedBy: { domain: '_spf.google.com', term: 'ip4:172.217.0.0/19' },
          path: ['example.com', '_spf.google.com'],
          lookups: 1,
          voidLookups: 0,
        },
      }),
      dkim: [dkimKey(), dkimMissing('default')],
      dmarc: dmarcFacts({
        record: 'v=DMARC1; p=none; rua=mailto:dmarc@example.com,mailto:reports@dmarc-vendor.example.net',
        policy: 'none',
        rua: [
          {
            uri: 'mailto:dmarc@example.com',
            address: 'dmarc@example.com',
            domain: 'example.com',
            external: false,
            authorized: null,
          },
          {
            uri: 'mailto:reports@dmarc-vendor.example.net',
            address: 'reports@dmarc-vendor.example.net',
            domain: 'dmarc-vendor.example.net',
            external: true,
            authorized: false,
            authorizationName: 'example.com._report._dmarc.dmarc-vendor.example.net',
          },
        ],
      }),
      sendingAddress: { ip: '192.0.2.1', ptr: ['mail.example.com'], forwardConfirmed: true },
    }),
    verdict: 'critical',
    findings: TYPICAL_FINDINGS,
    senderRules: [
      {
        provider: 'Gmail',
        id: 'gmail-spf-or-dkim',
        rule: 'Every sender authenticates its mail with SPF or DKIM',
        appliesTo: 'all',
        status: 'yes',
        evidence: 'SPF through _spf.google.com; DKIM key google, 2048-bit',
      },
      {
        provider: 'Yahoo',
        id: 'yahoo-dmarc',
        rule: 'Bulk senders publish a DMARC record, at least p=none',
        appliesTo: 'bulk',
        status: 'no',
        evidence: 'no DMARC record applies',
      },
      {
        provider: 'Outlook.com',
        id: 'outlook-dkim',
        rule: 'High-volume senders sign with DKIM',
        appliesTo: 'bulk',
        status: 'unknown',
        evidence: 'only the DKIM-Signature of a message names the selector it uses',
      },
    ],
    fixes: [
      {
        name: '_dmarc.example.com',
        type: 'TXT',
        value:
          'v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; ruf=mailto:dmarc@example.com; adkim=r; aspf=r; fo=1',
        why: 'Moves the policy on from p=none once the aggregate reports show only your own services.',
      },
    ],
    ...overrides,
  };
}

/** Every string the DNS or the judge can put in a report, hostile, with a line break in it. */
export function aHostileReport(): DomainReport {
  const evil = `${HOSTILE}\n${INJECTED_LINE}`;
  const tree = spfNode({
    record: `v=spf1 include:${evil} -all`,
    provider: evil,
    error: { kind: 'syntax', domain: evil, term: evil, message: evil },
    terms: [
      { text: evil, kind: 'include', target: evil, macro: true, lookups: 1, voidLookups: 1, mxHosts: 11 },
    ],
    children: [spfNode({ domain: evil, via: 'include', record: evil, provider: evil, children: [] })],
  });
  const typical = aTypicalReport();
  return {
    ...typical,
    facts: postureFacts({
      request: { domain: 'example.com', selectors: [evil] },
      mx: mxFacts({
        hosts: [{ exchange: evil, priority: 1, addresses: [evil], cname: evil, lookupError: evil }],
      }),
      spf: spfFacts({
        tree,
        record: tree.record,
        records: [tree.record ?? ''],
        providers: [evil],
        error: { kind: 'syntax', domain: evil, term: evil, message: evil },
        result: {
          ip: evil,
          sender: evil,
          result: 'fail',
          decidedBy: { domain: evil, term: evil },
          path: [evil, evil],
          lookups: 3,
          voidLookups: 0,
          explanation: evil,
        },
      }),
      dkim: [
        dkimKey({ selector: evil, cname: evil, keyType: evil, problem: evil, provider: evil, record: evil }),
        dkimMissing(evil, { lookupError: evil }),
      ],
      dmarc: dmarcFacts({
        record: evil,
        sourceDomain: evil,
        organizationalDomain: evil,
        treeWalk: { sourceDomain: evil, note: evil },
        rua: [
          {
            uri: evil,
            address: evil,
            domain: evil,
            external: true,
            authorized: false,
            authorizationName: evil,
            problem: evil,
          },
        ],
        ruf: [{ uri: evil, external: false, authorized: null }],
        syntaxErrors: [evil],
      }),
      bimi: {
        name: 'default._bimi.example.com',
        record: evil,
        logo: evil,
        authority: evil,
        problems: [evil],
      },
      sendingAddress: { ip: evil, ptr: [evil], forwardConfirmed: false },
    }),
    findings: [{ id: 'spf-syntax', severity: 'critical', summary: evil, advice: [evil, evil] }],
    senderRules: typical.senderRules.map((rule) => ({ ...rule, rule: evil, evidence: evil })),
    fixes: [{ name: evil, type: 'TXT', value: evil, why: evil }],
  };
}

/** An include tree of `width` includes, each with `depth` levels of includes under it, long records. */
export function aHugeSpfTree(width: number, depth: number): SpfNode {
  const chain = (prefix: string, level: number): SpfNode =>
    spfNode({
      domain: `${prefix}.level${level}.spf.example.net`,
      via: 'include',
      record: `v=spf1 ${Array.from({ length: 20 }, (_, i) => `ip4:198.51.${level}.${i}/32`).join(' ')} include:${prefix}.level${level + 1}.spf.example.net ~all`,
      provider: undefined,
      children: level < depth ? [chain(prefix, level + 1)] : [],
    });
  return spfNode({
    children: Array.from({ length: width }, (_, index) => chain(`service${index}`, 1)),
  });
}

/** A report with an enormous tree, many findings with long advice, many fixes and rules. */
export function aHugeReport(): DomainReport {
  const typical = aTypicalReport();
  const tree = aHugeSpfTree(60, 4);
  return {
    ...typical,
    facts: { ...typical.facts, spf: spfFacts({ tree, lookups: 300, voidLookups: 0 }) },
    findings: Array.from({ length: 200 }, (_, index) => ({
      id: 'spf-too-many-lookups' as const,
      severity: index % 2 === 0 ? ('critical' as const) : ('warning' as const),
      summary: `Finding ${index}: ${'a long explanation of what DNS showed '.repeat(12)}`,
      advice: Array.from(
        { length: 6 },
        (_, step) => `Step ${step}: ${'what to do next and why '.repeat(10)}`,
      ),
    })),
    senderRules: Array.from({ length: 60 }, () => typical.senderRules[0]!),
    fixes: Array.from({ length: 30 }, (_, index) => ({
      name: `s${index}._domainkey.example.com`,
      type: 'TXT' as const,
      value: `v=DKIM1; k=rsa; p=${'A'.repeat(2_000)}`,
      why: 'A key for the selector the messages are signed with.',
    })),
  };
}
