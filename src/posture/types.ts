import type { ResolverIdentity } from '../probe/types.js';
import type { TransportFacts } from './transport-types.js';

// What DNS says about a sending domain: the facts the domain report is judged from. Nothing here
// is a judgement ("too many lookups" is a rule's word); the numbers and records are what the DNS
// answered, and every text in them came from the network: untrusted until escaped.

/** One DNS answer, as a value: "no such name" and "no record of this type" are answers too. */
export type DnsAnswer<T> =
  | { kind: 'records'; records: T[] }
  /** NXDOMAIN: the name does not exist. */
  | { kind: 'nxdomain' }
  /** The name exists but has no record of this type (NOERROR, empty answer). */
  | { kind: 'nodata' }
  /** No answer: timeout, SERVFAIL, REFUSED, or the report's query budget spent (`budget`). */
  | { kind: 'error'; code: string; message: string };

export const DNS_QUESTION_TYPES = ['TXT', 'MX', 'A', 'AAAA', 'PTR', 'CNAME'] as const;
export type DnsQuestionType = (typeof DNS_QUESTION_TYPES)[number];

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** One question the report asked, for the query log and budgets. */
export interface DnsQuestionLog {
  name: string;
  type: DnsQuestionType;
  outcome: 'records' | 'nxdomain' | 'nodata' | 'error';
  ms: number;
  /** node:dns's code for an error (ETIMEOUT, ESERVFAIL, EREFUSED), or `budget`. */
  code?: string;
}

/**
 * The DNS as the domain report asks it: each question once per report (answers are cached, so the
 * SPF tree and the evaluation for `--ip` share them), in parallel where the caller asks in
 * parallel, each with a timeout, all of them under one budget.
 */
export interface PostureDns {
  /** Each TXT record as the strings it holds (a record split into chunks keeps its chunks). */
  txt(name: string): Promise<DnsAnswer<string[]>>;
  mx(name: string): Promise<DnsAnswer<MxRecord>>;
  a(name: string): Promise<DnsAnswer<string>>;
  aaaa(name: string): Promise<DnsAnswer<string>>;
  /** The reverse name of an IP address, asked as PTR of its in-addr.arpa / ip6.arpa name. */
  ptr(address: string): Promise<DnsAnswer<string>>;
  cname(name: string): Promise<DnsAnswer<string>>;
  readonly resolver: ResolverIdentity;
  /** Questions sent so far (answers from the cache are not counted). */
  queries(): DnsQueryStats;
}

export interface DnsQueryStats {
  /** Questions sent to the resolver. */
  sent: number;
  /** The hard cap for the whole report; a question past it is answered `error` / `budget`. */
  budget: number;
  /** Some question was not asked because the budget was spent. */
  budgetExhausted: boolean;
  /** Questions that got no answer (timeout, SERVFAIL, REFUSED). */
  failed: number;
  log: DnsQuestionLog[];
}

// ---------------------------------------------------------------- SPF (RFC 7208)

export const SPF_RESULTS = ['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'] as const;
export type SpfResult = (typeof SPF_RESULTS)[number];

export type SpfQualifier = '+' | '-' | '~' | '?';

export const SPF_TERM_KINDS = [
  'all',
  'include',
  'a',
  'mx',
  'ptr',
  'ip4',
  'ip6',
  'exists',
  'redirect',
  'exp',
  'modifier',
] as const;
export type SpfTermKind = (typeof SPF_TERM_KINDS)[number];

/** One term of one record, with what evaluating it cost. */
export interface SpfTerm {
  /** As written in the record. */
  text: string;
  kind: SpfTermKind;
  /** Mechanisms only. */
  qualifier?: SpfQualifier;
  /** The domain or network it names, macros unexpanded (`_spf.google.com`, `192.0.2.0/24`). */
  target?: string;
  /** The target holds macros (`%{i}`): it depends on the message, and is counted, not followed, without `--ip`. */
  macro?: boolean;
  /** DNS lookups it counts toward the limit of 10 (§4.6.4): 1 for include, a, mx, ptr, exists, redirect. */
  lookups: number;
  /** Lookups of it that found nothing (NXDOMAIN or no records): counted toward the limit of 2. */
  voidLookups: number;
  /** `mx`: how many MX hosts it named (each needs an address lookup; more than 10 is a permerror). */
  mxHosts?: number;
  /** Never evaluated: it comes after `all`, after the lookup limit, or after an error. */
  unreached?: boolean;
}

export const SPF_ERROR_KINDS = [
  'multiple-records',
  'syntax',
  'include-without-spf',
  'redirect-without-spf',
  'loop',
  'too-many-lookups',
  'too-many-void-lookups',
  'too-many-mx-hosts',
  'temperror',
] as const;
export type SpfErrorKind = (typeof SPF_ERROR_KINDS)[number];

export interface SpfError {
  kind: SpfErrorKind;
  /** The domain whose record it is in. */
  domain: string;
  /** The offending term, as written. */
  term?: string;
  message: string;
}

/** One record of the include/redirect tree. */
export interface SpfNode {
  domain: string;
  /** How it was reached: the domain itself, or the parent's include / redirect. */
  via: 'root' | 'include' | 'redirect';
  /** The v=spf1 record, chunks joined as RFC 7208 §3.3 says (no space added); null when none. */
  record: string | null;
  /** The TXT strings of the record, when it was split into more than one. */
  strings?: string[];
  terms: SpfTerm[];
  children: SpfNode[];
  /** The first error met in this record (or its lookup); evaluation stops there. */
  error?: SpfError;
  /** A known sending service this record belongs to (`SendGrid`, `Google Workspace`). */
  provider?: string;
}

/** The SPF result for one address (`--ip`), and the path through the tree that decided it. */
export interface SpfEvaluation {
  ip: string;
  /** MAIL FROM used for macros (`postmaster@<domain>` unless the caller says otherwise). */
  sender: string;
  result: SpfResult;
  /** The term that decided, as written, with its domain; null when nothing matched (neutral) or on an error. */
  decidedBy: { domain: string; term: string } | null;
  /** Domains from the root to the record that decided (`example.com` → `_spf.google.com`). */
  path: string[];
  lookups: number;
  voidLookups: number;
  error?: SpfError;
  /** The `exp=` explanation, when the result is fail and the record has one. */
  explanation?: string;
}

export interface SpfFacts {
  domain: string;
  /** The v=spf1 record, or null (none, or several). */
  record: string | null;
  /** Every v=spf1 record found (more than one is a permerror). */
  records: string[];
  /** The record's TXT lookup failed (no answer at all): nothing can be said. */
  lookupError?: string;
  /** The whole tree, walked as a receiver walks it for an address no mechanism matches: the worst case. */
  tree: SpfNode | null;
  /** §4.6.4 lookups over that walk; it goes past 10 (the walk counts on, to say by how much). */
  lookups: number;
  voidLookups: number;
  /** What a receiver concludes for an address no mechanism matches: a permerror here fails every such message. */
  worstCase: SpfResult;
  /** The first error of the walk (a receiver answers permerror or temperror there). */
  error?: SpfError;
  /** Some term holds a macro: its lookups depend on the message (counted, not followed, without an address). */
  macros: boolean;
  /** Known sending services found in the tree, by name. */
  providers: string[];
  /** Only with `--ip`. */
  result?: SpfEvaluation;
}

// ---------------------------------------------------------------- DKIM

/** Why a selector was tried. */
export type DkimSelectorSource = 'given' | 'provider' | 'common';

export interface DkimKey {
  selector: string;
  /** `<selector>._domainkey.<domain>`. */
  name: string;
  source: DkimSelectorSource;
  /** The provider the selector belongs to, for `provider`. */
  provider?: string;
  found: boolean;
  /** The CNAME chain's end when the name is delegated (`s1.domainkey.u123.wl.sendgrid.net`). */
  cname?: string;
  record?: string;
  /** `rsa` (the default) or `ed25519`; other values as written. */
  keyType?: string;
  /** Key size in bits, read from the key itself; null when it cannot be read. */
  bits?: number | null;
  /** `t=y`: the domain says it is testing DKIM. */
  testing: boolean;
  /** `p=` empty: the key was withdrawn. */
  revoked: boolean;
  /** The record cannot be used (no `p=`, a key that does not parse, several records). */
  problem?: string;
  /** The lookup failed (timeout, SERVFAIL): nothing can be said of this selector. */
  lookupError?: string;
}

// ---------------------------------------------------------------- DMARC (RFC 7489, DMARCbis)

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcDestination {
  /** As written (`mailto:dmarc@example.net!10m`). */
  uri: string;
  /** The mailbox, when the URI is a mailto: one. */
  address?: string;
  /** The destination's domain. */
  domain?: string;
  /** The destination is outside the domain's organizational domain (RFC 7489 §7.1 applies). */
  external: boolean;
  /** For external ones: whether `<domain>._report._dmarc.<destination>` says v=DMARC1; null when not asked or unanswered. */
  authorized: boolean | null;
  /** The name asked for the authorization. */
  authorizationName?: string;
  problem?: string;
}

export interface DmarcFacts {
  /** The record that applies, or null. */
  record: string | null;
  /** Every v=DMARC1 record at the name it was found (more than one: none applies). */
  records: string[];
  /** `domain`: at `_dmarc.<domain>`; `organizational`: at the organizational domain's; null when none. */
  source: 'domain' | 'organizational' | null;
  /** The domain whose `_dmarc` name held the record. */
  sourceDomain: string | null;
  /** The organizational domain by the public suffix list. */
  organizationalDomain: string;
  /** Where DMARCbis's DNS tree walk finds the policy, when that differs from RFC 7489's answer. */
  treeWalk?: { sourceDomain: string | null; note: string };
  tags: Record<string, string>;
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  pct: number;
  alignment: { dkim: 'relaxed' | 'strict'; spf: 'relaxed' | 'strict' };
  rua: DmarcDestination[];
  ruf: DmarcDestination[];
  /** Each syntax problem, with the tag as written. */
  syntaxErrors: string[];
  lookupError?: string;
}

// ---------------------------------------------------------------- BIMI

export interface BimiFacts {
  /** `default._bimi.<domain>`. */
  name: string;
  record: string | null;
  /** `l=`: the logo's URL (not fetched). */
  logo?: string;
  /** `a=`: the mark certificate's URL (VMC or CMC). */
  authority?: string;
  problems: string[];
  lookupError?: string;
}

// ---------------------------------------------------------------- MX

export interface MxHostFacts {
  exchange: string;
  priority: number;
  addresses: string[];
  /** The MX names a CNAME (RFC 2181 §10.3 forbids it): its target. */
  cname?: string;
  lookupError?: string;
}

export interface MxFacts {
  hosts: MxHostFacts[];
  /** RFC 7505 null MX (`0 .`): the domain accepts no mail. */
  nullMx: boolean;
  /** No MX records: mail goes to the domain's own address (RFC 5321 §5.1), listed here. */
  implicit: { addresses: string[] } | null;
  lookupError?: string;
}

// ---------------------------------------------------------------- the sending address

/** Reverse DNS of `--ip`, which the mailbox providers ask of every sender. */
export interface SendingAddressFacts {
  ip: string;
  ptr: string[];
  /** Some PTR name resolves back to the address (forward-confirmed reverse DNS). */
  forwardConfirmed: boolean;
  lookupError?: string;
}

// ---------------------------------------------------------------- all of it

export interface PostureRequest {
  /** Lower case, no trailing dot. */
  domain: string;
  /** DKIM selectors to look up (`--selector`); none: the usual ones. */
  selectors: string[];
  /** The sending address to evaluate SPF for and look up in reverse (`--ip`). */
  ip?: string;
}

export interface PostureFacts extends TransportFacts {
  request: PostureRequest;
  checkedAt: string;
  durationMs: number;
  resolver: ResolverIdentity;
  mx: MxFacts;
  spf: SpfFacts;
  dkim: DkimKey[];
  dmarc: DmarcFacts;
  bimi: BimiFacts;
  sendingAddress?: SendingAddressFacts;
  queries: DnsQueryStats;
}
