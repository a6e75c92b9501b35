import type { DaneHostFacts, PostureFacts, TlsaRecord } from '../../posture/index.js';
import { serverRefusedTls } from '../../posture/index.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

// DNSSEC and DANE (RFC 7672). A bogus zone fails for every validating resolver; TLSA records are
// in effect only in a secure zone, and there a chain that no longer matches them (a certificate
// renewed with a new key, the TLSA left behind) stops mail from every DANE-checking sender.

function tlsaText(record: TlsaRecord): string {
  return `${record.usage} ${record.selector} ${record.matchingType}`;
}

export const dnssecBogus: PostureRule = {
  id: 'dnssec-bogus',
  check(facts) {
    const { dnssec } = facts;
    const bogus = [dnssec.domain, ...dnssec.mxHosts].filter((name) => name.status === 'bogus');
    if (bogus.length === 0) return [];
    const names = bogus.map((name) => {
      const why = name.extendedError ? ` (${name.extendedError.name})` : '';
      return `${name.name}${why}`;
    });
    return [
      postureFinding(
        'dnssec-bogus',
        'critical',
        `DNSSEC validation fails for ${listed(names)} at ${dnssec.resolver}: every validating resolver answers SERVFAIL, so senders that validate cannot find where to deliver, nor check SPF or DKIM`,
        [
          'Check the signatures and the DS record at the parent: `dig +dnssec +multi` on the name, or DNSViz (dnsviz.net) for a picture of the chain.',
          'Common causes: a DS left at the registrar after the DNS host or its keys changed, signatures that expired because re-signing stopped.',
        ],
      ),
    ];
  },
};

function withRecords(facts: PostureFacts): DaneHostFacts[] {
  return facts.dane.filter((host) => host.records.length > 0);
}

export const daneWithoutDnssec: PostureRule = {
  id: 'dane-without-dnssec',
  check(facts) {
    const unsigned = withRecords(facts).filter((host) => host.dnssec === 'insecure');
    if (unsigned.length === 0) return [];
    return [
      postureFinding(
        'dane-without-dnssec',
        'warning',
        `TLSA records at ${listed(unsigned.map((host) => host.name))} are in a zone that is not signed with DNSSEC: senders ignore them, so DANE does nothing for ${listed(unsigned.map((host) => host.exchange))}`,
        [
          "Sign the MX host's zone with DNSSEC (and publish its DS at the parent), or remove the TLSA records.",
        ],
      ),
    ];
  },
};

/** What stops DANE senders at this host, or null. Unusable records alone stop nobody. */
function mismatchOf(host: DaneHostFacts, port: number): string | null {
  const evidence = host.match;
  if (evidence === null || evidence.matched || evidence.usable === 0) return null;
  const records = listed(host.records.map(tlsaText));
  return `the chain ${host.exchange} presented on port ${port} matches none of ${host.name}'s records (${records})${evidence.reason ? `: ${evidence.reason}` : ''}`;
}

/**
 * Signed TLSA records none of which SMTP can use (usages 0 and 1, unknown parameters): RFC 7672
 * §2.2 has senders fall back to TLS without authentication, so mail flows but DANE protects nothing.
 */
function unusableOf(host: DaneHostFacts): string | null {
  if (host.match === null || host.match.matched || host.match.usable > 0) return null;
  return `${host.name} holds no record SMTP can use (${listed(host.records.map(tlsaText))}; RFC 7672 uses only usages 2 and 3)`;
}

export const daneMismatch: PostureRule = {
  id: 'dane-mismatch',
  check(facts) {
    const secure = withRecords(facts).filter((host) => host.dnssec === 'secure');
    const problems = secure.flatMap((host) => {
      const evidence = facts.port25.find((probe) => probe.exchange === host.exchange);
      // Only the server's own refusal counts: a port blocked on our side says nothing of its TLS.
      if (evidence && serverRefusedTls(evidence)) {
        return [`${host.exchange} publishes TLSA but did not complete STARTTLS on port ${evidence.port}`];
      }
      const mismatch = mismatchOf(host, evidence?.port ?? 25);
      return mismatch === null ? [] : [mismatch];
    });
    if (problems.length > 0) {
      return [
        postureFinding(
          'dane-mismatch',
          'critical',
          `DANE is in effect (signed TLSA records) and ${listed(problems)}: DANE-checking senders (Microsoft 365, Comcast, many European providers) will not deliver`,
          [
            'Publish a TLSA record for the certificate the server presents now (3 1 1: the SHA-256 of its public key), and keep the old one until every cache has expired.',
            'Before each certificate renewal, publish the next key\'s TLSA record first ("current + next"), or reuse the key so 3 1 1 stays valid.',
          ],
        ),
      ];
    }
    const unusable = secure.flatMap((host) => {
      const problem = unusableOf(host);
      return problem === null ? [] : [problem];
    });
    if (unusable.length === 0) return [];
    return [
      postureFinding(
        'dane-mismatch',
        'warning',
        `${listed(unusable)}: DANE senders still deliver over TLS, but without checking the certificate`,
        [
          "Publish a DANE-EE record (3 1 1: the SHA-256 of the server's public key) beside or instead of them.",
        ],
      ),
    ];
  },
};

export const DANE_RULES: readonly PostureRule[] = [dnssecBogus, daneMismatch, daneWithoutDnssec];
