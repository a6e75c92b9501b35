import { type X509Certificate, createHash } from 'node:crypto';
import { type DetailedPeerCertificate, type TLSSocket, checkServerIdentity } from 'node:tls';
import type { CertificateDigests, CertificateFacts, TlsFacts } from './types.js';
import { sniFor } from './tls-handshake.js';
import { DAY_MS } from '../util/time.js';

/**
 * A validity date as ISO 8601, or OpenSSL's own text when it cannot be read ("Bad time value" for a
 * malformed field a hostile server can send): a certificate is a fact to report, never a throw.
 */
function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

function distinguishedName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

function altNames(subjectaltname: string | undefined): string[] {
  if (!subjectaltname) return [];
  return subjectaltname
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(?:DNS|IP Address):/, '').trim())
    .filter((entry) => entry.length > 0);
}

function chainLength(leaf: DetailedPeerCertificate): number {
  let length = 1;
  let current = leaf;
  const seen = new Set([leaf.fingerprint256]);
  while (current.issuerCertificate && !seen.has(current.issuerCertificate.fingerprint256)) {
    current = current.issuerCertificate;
    seen.add(current.fingerprint256);
    length += 1;
  }
  return length;
}

// No real chain is this long; the cap keeps a hostile server's handshake from growing the facts.
const MAX_CHAIN_DIGESTS = 20;

const hex = (algorithm: 'sha256' | 'sha512', der: Buffer): string =>
  createHash(algorithm).update(der).digest('hex');

/** The four digests TLSA records compare (selector 0 and 1, matching type 1 and 2). */
export function certificateDigests(certificate: X509Certificate): CertificateDigests {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return {
    certSha256: hex('sha256', certificate.raw),
    certSha512: hex('sha512', certificate.raw),
    spkiSha256: hex('sha256', spki),
    spkiSha512: hex('sha512', spki),
  };
}

/**
 * Digests of the certificates the server sent, leaf first. getPeerX509Certificate()'s
 * issuerCertificate looks only among the handshake's certificates, whereas getPeerCertificate(true)
 * appends issuers from our own trust store, which DANE must not count. Undefined when a key cannot
 * be read (an algorithm OpenSSL does not know): the facts go on without digests rather than fail.
 */
function sentChainDigests(socket: TLSSocket): CertificateDigests[] | undefined {
  const chain: CertificateDigests[] = [];
  const seen = new Set<string>();
  try {
    let current = socket.getPeerX509Certificate();
    while (current && !seen.has(current.fingerprint256) && chain.length < MAX_CHAIN_DIGESTS) {
      seen.add(current.fingerprint256);
      chain.push(certificateDigests(current));
      current = current.issuerCertificate;
    }
  } catch {
    return undefined;
  }
  return chain;
}

/**
 * The certificate judged by ourselves: chain trust from OpenSSL's verification (the handshake
 * did not enforce it), the host name with Node's own RFC 6125 rules, days left on the injected clock.
 */
export function certificateFacts(socket: TLSSocket, host: string, now: Date): CertificateFacts | null {
  const cert = socket.getPeerCertificate(true);
  if (!cert || Object.keys(cert).length === 0) return null;
  const validTo = new Date(cert.valid_to);
  const subject = distinguishedName(cert.subject as unknown as Record<string, string>);
  const issuer = distinguishedName(cert.issuer as unknown as Record<string, string>);
  const trusted = socket.authorized;
  const verifyError = trusted ? null : String(socket.authorizationError ?? 'UNKNOWN');
  const chain = sentChainDigests(socket);
  return {
    subject,
    subjectAltNames: altNames(cert.subjectaltname),
    issuer,
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    // NaN when the date is unreadable: the expiry is unknown (the chain check fails on it anyway).
    daysLeft: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
    selfSigned: !trusted && subject === issuer,
    trusted,
    verifyError,
    hostnameMatches: checkServerIdentity(host, cert) === undefined,
    fingerprint256: cert.fingerprint256,
    chainLength: chainLength(cert),
    ...(chain ? { chain } : {}),
  };
}

export function tlsFacts(socket: TLSSocket, host: string): TlsFacts {
  const cipher = socket.getCipher();
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.standardName ?? cipher?.name ?? null,
    servername: sniFor(host),
  };
}
