// The `domain --json` shape is a public contract, like the host check's: fields are added, never
// renamed or removed. Every key below is always present unless marked optional (`?`); a value that
// can be unknown is null rather than missing, so a consumer can tell "absent" from "not looked at".
// Strings are as DNS gave them: a consumer that prints them must treat them as untrusted.

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

/**
 * A certificate our own port-25 probe received from an MX host, judged for the MX host's name. The
 * names are as the certificate holds them (untrusted).
 */
export interface DomainJsonCertificate {
  subject: string;
  /** DNS names and addresses of subjectAltName. */
  subjectAltNames: string[];
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days left at the check, negative once expired; null when the date cannot be read. */
  daysLeft: number | null;
  selfSigned: boolean;
  /** The chain verifies against the public CAs (and `NODE_EXTRA_CA_CERTS`). */
  trusted: boolean;
  /** OpenSSL's code when not trusted (`CERT_HAS_EXPIRED`); null when trusted. */
  verifyError: string | null;
  /** The certificate names the MX host (the name in the MX record). */
  hostnameMatches: boolean;
  /** SHA-256 of the whole certificate, colon-separated hex. */
  fingerprint256: string;
  /** Certificates the server sent, leaf first. */
  chainLength: number;
  /**
   * SHA-256 of the leaf's public key (SubjectPublicKeyInfo), lower-case hex: the data of a
   * `3 1 1` TLSA record for this certificate; null when the key could not be read.
   */
  spkiSha256: string | null;
}

/** A TLSA record (RFC 6698) as published. */
export interface DomainJsonTlsaRecord {
  /** 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (SMTP uses 2 and 3). */
  usage: number;
  /** 0 the whole certificate, 1 its public key. */
  selector: number;
  /** 0 exact, 1 SHA-256, 2 SHA-512. */
  matchingType: number;
  /** The association data, lower-case hex. */
  data: string;
}

/** Whether DNSSEC vouches for a name, as the validating resolver said. */
export interface DomainJsonDnssecName {
  /** The domain, or an MX host. */
  name: string;
  /** `secure` (AD set), `insecure` (no chain of trust), `bogus` (validation fails), `unknown` (no answer). */
  status: string;
  /** The Extended DNS Error (RFC 8914) the resolver attached; null when it gave none. */
  extendedError: { code: number; name: string; text: string | null } | null;
  lookupError?: string;
}

/** The `smtp-check domain --json` output. */
export interface DomainReportJson {
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
  /** Our own probe of each MX host's port 25 (a few hosts at most, in MX order): what MTA-STS, DANE and reverse DNS are judged against. */
  port25: Array<{
    exchange: string;
    /** The address dialled; null when none could be (no address, or refused by the target policy). */
    address: string | null;
    /** 25, or the port a test server listens on. */
    port: number;
    /** The port's class as in the host check (`open-starttls`, `filtered`, …), or `not-probed`. */
    class: string;
    /** The first word after `220` in the greeting, as sent; null when none was read. */
    greetingName: string | null;
    /** The first word of the EHLO reply, as sent; null when none was read. */
    ehloName: string | null;
    /** STARTTLS was offered and the handshake completed. */
    tls: boolean;
    /** The certificate of that handshake; null without TLS. */
    certificate: DomainJsonCertificate | null;
    /** What stopped the probe, in words. */
    problem?: string;
  }>;
  /** MTA-STS (RFC 8461): the record, the policy fetched over HTTPS, and each MX host against it. */
  mtaSts: {
    /** `_mta-sts.<domain>`. */
    recordName: string;
    /** The v=STSv1 record; null when there is none, or more than one. */
    record: string | null;
    /** Every v=STSv1 record found. */
    records: string[];
    /** The record's `id`; null without a usable record. */
    id: string | null;
    /** Why the record cannot be used, each in words. */
    recordProblems: string[];
    lookupError?: string;
    fetch: {
      /** `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
      url: string;
      /** `fetched` (a 200 with a body), `unreachable`, or `not-asked` (no record). */
      outcome: string;
      /** The HTTP status; null when no response came. */
      status: number | null;
      contentType: string | null;
      /** Where a redirect pointed (never followed); null when none. */
      redirect: string | null;
      /** The body's size; null when none was read. */
      bytes: number | null;
      /** What went wrong (certificate, timeout, size, status, content type). */
      problem?: string;
    };
    /** The policy as read; null when none was fetched. */
    policy: {
      /** `enforce`, `testing`, `none`; null when missing or unknown. */
      mode: string | null;
      /** `max_age` in seconds; null when missing or not a number. */
      maxAge: number | null;
      /** `mx` patterns, as written. */
      mx: string[];
      problems: string[];
    } | null;
    /** Each MX host against the policy (empty without a policy). */
    coverage: Array<{
      exchange: string;
      /** The `mx` pattern that matches it; null when none does (compliant senders skip the host). */
      pattern: string | null;
      /** Its port-25 certificate as a sender checks it: `valid`, `name-mismatch`, `untrusted`, `expired`, `no-tls`, `not-probed`. */
      certificate: string;
    }>;
  };
  /** TLS-RPT (RFC 8460): where senders report TLS failures. */
  tlsRpt: {
    /** `_smtp._tls.<domain>`. */
    name: string;
    /** The v=TLSRPTv1 record; null when none, or more than one. */
    record: string | null;
    records: string[];
    /** `rua` destinations as written (`mailto:` or `https:`). */
    rua: string[];
    problems: string[];
    lookupError?: string;
  };
  /** DNSSEC of the domain and of each MX host, from a validating resolver's answers. */
  dnssec: {
    /** The validating resolver that vouched (`127.0.0.1:53`), or `system`. */
    resolver: string;
    domain: DomainJsonDnssecName;
    mxHosts: DomainJsonDnssecName[];
  };
  /** DANE (RFC 7672): the TLSA records of each MX host probed, and whether its certificate matches. */
  dane: Array<{
    exchange: string;
    /** `_25._tcp.<exchange>`. */
    name: string;
    records: DomainJsonTlsaRecord[];
    /** DNSSEC status of the TLSA answer: the records are in effect only when `secure`. */
    dnssec: string;
    /** The records against the chain our probe received; null when there was nothing to match (no records, or no TLS). */
    match: {
      matched: boolean;
      /** The record that matched; null when none did. */
      by: DomainJsonTlsaRecord | null;
      /** Records SMTP can use (usage 2 or 3, known selector and matching type). */
      usable: number;
      /** Why none matched; null when one did. */
      reason: string | null;
    } | null;
    lookupError?: string;
  }>;
  /** Reverse DNS of each MX address and of `--ip`. */
  reverseDns: {
    addresses: Array<{
      address: string;
      /** `sending` (the `--ip` address) or `mx`. */
      role: string;
      /** The MX host the address belongs to; null for the sending address. */
      exchange: string | null;
      /** PTR names, as DNS gave them. */
      ptr: string[];
      /** Some PTR name resolves back to the address (FCrDNS). */
      forwardConfirmed: boolean;
      /** The greeting's and EHLO's names our probe saw at the address; null when not probed. */
      greetingName: string | null;
      ehloName: string | null;
      /** Those names agree with a PTR name or the MX name; null when there is nothing to compare. */
      greetingConsistent: boolean | null;
      lookupError?: string;
    }>;
  };
  /** DNS blocklists asked about the sending address, the MX addresses and the domain. */
  blocklists: {
    /** The resolver the lists were asked through (`system`, or `127.0.0.1:53`). */
    resolver: string;
    /** The lists asked: `kind` is `ip` (addresses) or `domain`. */
    zones: Array<{ zone: string; kind: string; name: string }>;
    /** One per list and subject asked. */
    results: Array<{
      zone: string;
      /** The list's name (`Spamhaus ZEN`). */
      name: string;
      /** The address or domain asked about. */
      subject: string;
      /** `sending`, `mx` or `domain`. */
      subjectRole: string;
      /** `listed`, `not-listed`, `refused` (the list refused the question: not a listing), `error` (no answer). */
      status: string;
      /** The A answers (`127.0.0.2`). */
      codes: string[];
      /** What each code means for this list. */
      meanings: string[];
      /** The list's TXT answer when listed (untrusted); null otherwise. */
      text: string | null;
      problem?: string;
    }>;
  };
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
