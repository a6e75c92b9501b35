// The `domain --json` shape is a public contract, like the host check's: fields are added, never
// renamed or removed. Every key below is always present unless marked optional (`?`); a value that
// can be unknown is null rather than missing, so a consumer can tell "absent" from "not looked at".
// Strings are as DNS gave them: a consumer that prints them must treat them as untrusted.

import type { DomainJsonTransport } from './domain-transport-json-types.js';

/** A problem that stops SPF evaluation where it is met (a receiver answers permerror or temperror). */
export interface DomainJsonSpfError {
  /** `multiple-records`, `syntax`, `include-without-spf`, `redirect-without-spf`, `loop`, `too-many-lookups`, `too-many-void-lookups`, `too-many-mx-hosts`, `temperror`. */
  kind: string;
  /** The domain whose record holds the problem. */
  domain: string;
  /** The offending term, as written. */
  term?: string;
  message: string;
}

/** One term of an SPF record. */
export interface DomainJsonSpfTerm {
  /** As written in the record. */
  text: string;
  /** `all`, `include`, `a`, `mx`, `ptr`, `ip4`, `ip6`, `exists`, `redirect`, `exp`, `modifier`. */
  kind: string;
  /** `+`, `-`, `~` or `?`; mechanisms only. */
  qualifier?: string;
  /** The domain or network it names, macros unexpanded. */
  target?: string;
  /** The target holds a macro: its lookups depend on the message. */
  macro?: boolean;
  /** DNS lookups it counts toward the limit of 10 (RFC 7208 §4.6.4). */
  lookups: number;
  /** Lookups of it that found nothing, toward the limit of 2. */
  voidLookups: number;
  /** `mx`: how many MX hosts it named. */
  mxHosts?: number;
  /** Never evaluated (after `all`, after the lookup limit, or after an error). */
  unreached?: boolean;
}

/** One record of the include/redirect tree. */
export interface DomainJsonSpfNode {
  domain: string;
  /** `root`, `include` or `redirect`: how the parent reached it. */
  via: string;
  /** The v=spf1 record (TXT strings joined); null when the name has none. */
  record: string | null;
  /** The record's TXT strings, when it was split into more than one. */
  strings?: string[];
  terms: DomainJsonSpfTerm[];
  children: DomainJsonSpfNode[];
  error?: DomainJsonSpfError;
  /** The known sending service this record belongs to. */
  provider?: string;
}

/** SPF's verdict for the `--ip` address, and the path through the tree that decided it. */
export interface DomainJsonSpfResult {
  ip: string;
  /** The MAIL FROM used for macros. */
  sender: string;
  /** `pass`, `fail`, `softfail`, `neutral`, `none`, `permerror`, `temperror`. */
  result: string;
  /** The term that decided, with its domain; null when nothing matched or on an error. */
  decidedBy: { domain: string; term: string } | null;
  /** Domains from the root to the deciding record. */
  path: string[];
  lookups: number;
  voidLookups: number;
  error?: DomainJsonSpfError;
  /** The record's `exp=` text, for a fail. */
  explanation?: string;
}

/** A DMARC report destination (`rua` or `ruf`). */
export interface DomainJsonDmarcDestination {
  /** As written (`mailto:dmarc@example.net!10m`). */
  uri: string;
  /** The mailbox of a mailto: URI; null otherwise. */
  address: string | null;
  /** The destination's domain; null when it cannot be read. */
  domain: string | null;
  /** Outside the organizational domain: it must authorize the reports (RFC 7489 §7.1). */
  external: boolean;
  /** For an external destination: whether it authorizes them; null when not asked or unanswered. */
  authorized: boolean | null;
  /** The name asked for the authorization (`example.com._report._dmarc.example.net`). */
  authorizationName?: string;
  problem?: string;
}

/** The `smtp-check domain --json` output. */
export interface DomainReportJson extends DomainJsonTransport {
  /** The domain checked, lower case, no trailing dot. */
  domain: string;
  /** When the check started, ISO 8601. */
  checkedAt: string;
  /** How long it took, in milliseconds to a tenth. */
  durationMs: number;
  /** Which DNS answered, as a sentence: "the system resolver (127.0.0.53)", "the resolver 192.0.2.53". */
  resolver: string;
  /** `ok`, `warning` or `critical`: the worst finding. */
  verdict: string;
  mx: {
    /** By priority, lowest first, as DNS gave them. */
    hosts: Array<{
      exchange: string;
      priority: number;
      addresses: string[];
      /** The MX name is a CNAME (RFC 2181 §10.3 forbids it): its target. */
      cname?: string;
      lookupError?: string;
    }>;
    /** RFC 7505 null MX: the domain accepts no mail. */
    nullMx: boolean;
    /** No MX records: the domain's own addresses receive its mail (RFC 5321 §5.1); null when MX records exist. */
    implicit: { addresses: string[] } | null;
    lookupError?: string;
  };
  spf: {
    /** The v=spf1 record; null when there is none, or more than one. */
    record: string | null;
    /** Every v=spf1 record found (more than one is a permerror). */
    records: string[];
    /** RFC 7208 §4.6.4 lookups of the whole tree (the walk counts on past 10). */
    lookups: number;
    voidLookups: number;
    /** What a receiver concludes for an address no mechanism matches. */
    worstCase: string;
    /** The first error of the walk. */
    error?: DomainJsonSpfError;
    /** Some term holds a macro: its lookups depend on the message. */
    macros: boolean;
    /** Known sending services found in the tree. */
    providers: string[];
    /** The include/redirect tree; null without a record. */
    tree: DomainJsonSpfNode | null;
    /** Only with `--ip`. */
    result?: DomainJsonSpfResult;
    /** The TXT lookup got no answer: nothing can be said. */
    lookupError?: string;
  };
  /** Every DKIM selector tried, found or not. */
  dkim: Array<{
    selector: string;
    /** `<selector>._domainkey.<domain>`. */
    name: string;
    found: boolean;
    /** `rsa`, `ed25519` or as written; null when not found. */
    keyType: string | null;
    /** Key size in bits; null when not found or unreadable. */
    bits: number | null;
    /** `t=y`: the domain says it is testing DKIM. */
    testing: boolean;
    /** `p=` empty: the key was withdrawn. */
    revoked: boolean;
    /** The name is delegated: the end of its CNAME chain. */
    cname?: string;
    /** Why it was tried: `given` (`--selector`), `provider` (a sending service's), `common`. */
    source: string;
    /** The sending service the selector belongs to. */
    provider?: string;
    /** The record as found; null when not found. */
    record: string | null;
    /** Why the record cannot be used. */
    problem?: string;
    /** The lookup got no answer. */
    lookupError?: string;
  }>;
  dmarc: {
    /** The record that applies; null when none does. */
    record: string | null;
    /** Every v=DMARC1 record at the name it was found (more than one: none applies). */
    records: string[];
    /** `domain` (at `_dmarc.<domain>`), `organizational` (at the organizational domain's), or null. */
    source: string | null;
    /** The domain whose `_dmarc` name held the record; null when none. */
    sourceDomain: string | null;
    /** The organizational domain by the public suffix list. */
    organizationalDomain: string;
    /** `none`, `quarantine`, `reject`; null without a record. */
    policy: string | null;
    /** `sp=`, or the policy when absent; null without a record. */
    subdomainPolicy: string | null;
    pct: number;
    /** Every tag as written. */
    tags: Record<string, string>;
    rua: DomainJsonDmarcDestination[];
    ruf: DomainJsonDmarcDestination[];
    /** `adkim` and `aspf`: `relaxed` or `strict`. */
    alignment: { dkim: string; spf: string };
    /** Where DMARCbis's tree walk finds the policy, when that differs from RFC 7489's answer. */
    treeWalk?: { sourceDomain: string | null; note: string };
    syntaxErrors: string[];
    lookupError?: string;
  };
  bimi: {
    /** `default._bimi.<domain>`. */
    name: string;
    record: string | null;
    /** `l=`: the logo's URL (not fetched). */
    logo?: string;
    /** `a=`: the mark certificate's URL. */
    authority?: string;
    problems: string[];
    lookupError?: string;
  };
  /** Reverse DNS of `--ip`; only with `--ip`. */
  sendingAddress?: { ip: string; ptr: string[]; forwardConfirmed: boolean; lookupError?: string };
  /** Gmail's, Yahoo's and Outlook.com's sender requirements, each met, not met, or not knowable from DNS. */
  senderRules: Array<{
    /** `Gmail`, `Yahoo`, `Outlook.com`. */
    provider: string;
    /** Stable id (`gmail-bulk-dmarc`); a rule not met is also the finding `sender-<id>`. */
    rule: string;
    /** The rule in a sentence. */
    description: string;
    /** `all` senders, or `bulk` ones (5 000 messages a day and more). */
    appliesTo: string;
    /** `yes`, `no`, `unknown` (it cannot be told from DNS). */
    status: string;
    /** What was seen, or where to look. */
    evidence: string;
  }>;
  /** Worst first. */
  findings: Array<{ id: string; severity: string; summary: string; advice: string[] }>;
  /** Records to publish, ready to paste. */
  fixes: Array<{ name: string; type: string; value: string; why: string }>;
  queries: {
    /** DNS questions sent (answers from the report's cache are not counted). */
    sent: number;
    /** The cap for the whole report. */
    budget: number;
    /** Some question was not asked because the cap was reached. */
    budgetExhausted: boolean;
    /** Questions that got no answer (timeout, SERVFAIL, REFUSED). */
    failed: number;
  };
}
