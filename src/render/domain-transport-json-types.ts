// The transport sections of the `smtp-check domain --json` contract (MTA-STS, TLS-RPT, DNSSEC,
// DANE, reverse DNS, blocklists, and our port-25 probe they are judged against). Fields are only
// ever added; strings came from the network (untrusted).

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

/** The transport sections of the domain report's JSON. */
export interface DomainJsonTransport {
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
}
