import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

// Certificates are made for each run, so none can expire inside the suite.

export interface TestCertificate {
  key: string;
  cert: string;
}

export interface TestCa extends TestCertificate {
  issue(options: LeafOptions): TestCertificate;
}

export interface LeafOptions {
  commonName: string;
  /** DNS names; IP addresses go in `ips`. Defaults to the common name. */
  dnsNames?: string[];
  ips?: string[];
  /** Days relative to now; negative values make a certificate that has already expired. */
  notBeforeDays?: number;
  notAfterDays?: number;
}

const DAY_MS = 86_400_000;

function newKeyPair(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

// One key for every leaf keeps generation fast; the tests judge names, dates and issuers, not keys.
let leafKey: ReturnType<typeof newKeyPair> | undefined;
function sharedLeafKey(): ReturnType<typeof newKeyPair> {
  leafKey ??= newKeyPair();
  return leafKey;
}

function build(
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  publicKey: forge.pki.PublicKey,
  signingKey: forge.pki.rsa.PrivateKey,
  options: { notBeforeDays: number; notAfterDays: number; ca: boolean; dnsNames: string[]; ips: string[] },
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now + options.notBeforeDays * DAY_MS);
  cert.validity.notAfter = new Date(now + options.notAfterDays * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  const altNames = [
    ...options.dnsNames.map((value) => ({ type: 2, value })),
    ...options.ips.map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: options.ca, critical: options.ca },
    options.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ];
  if (!options.ca) extensions.push({ name: 'extKeyUsage', serverAuth: true });
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  cert.sign(signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function leafOptions(options: LeafOptions) {
  return {
    notBeforeDays: options.notBeforeDays ?? -1,
    notAfterDays: options.notAfterDays ?? 90,
    ca: false,
    dnsNames: options.dnsNames ?? (options.ips ? [] : [options.commonName]),
    ips: options.ips ?? [],
  };
}

/** A certificate authority for this run; add its `cert` to the probe's trusted CAs. */
export function createTestCa(name = 'smtp-check test CA'): TestCa {
  const pair = newKeyPair();
  const subject = [
    { name: 'commonName', value: name },
    { name: 'organizationName', value: 'smtp-check tests' },
  ];
  const cert = build(subject, subject, pair.publicKey, pair.privateKey, {
    notBeforeDays: -2,
    notAfterDays: 30,
    ca: true,
    dnsNames: [],
    ips: [],
  });
  return {
    key: pair.pem,
    cert,
    issue(options) {
      const leaf = sharedLeafKey();
      const pem = build(
        [{ name: 'commonName', value: options.commonName }],
        subject,
        leaf.publicKey,
        pair.privateKey,
        leafOptions(options),
      );
      return { key: leaf.pem, cert: pem };
    },
  };
}

/** A certificate signed by its own key. */
export function createSelfSigned(options: LeafOptions): TestCertificate {
  const leaf = sharedLeafKey();
  const subject = [{ name: 'commonName', value: options.commonName }];
  return {
    key: leaf.pem,
    cert: build(subject, subject, leaf.publicKey, leaf.privateKey, leafOptions(options)),
  };
}
