import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { DiagnoseContext, Finding, FindingId, Severity } from '../../src/diagnose/types.js';
import type { HostProbe, PortProbe } from '../../src/probe/types.js';
import {
  aCanary,
  aCertificate,
  aCertificateValidFor,
  aContext,
  aHost,
  aPort,
  NOW,
} from '../helpers/probe-builders.js';

function findingsOn(
  port: PortProbe,
  options: { context?: Partial<DiagnoseContext>; host?: Partial<HostProbe> } = {},
): Finding[] {
  const diagnosis = diagnoseHost(aHost({ ...options.host, ports: [port] }), aContext(options.context));
  return diagnosis.ports[0]?.findings ?? [];
}

function severityOf(
  id: FindingId,
  port: PortProbe,
  options?: Parameters<typeof findingsOn>[1],
): Severity | null {
  const found = findingsOn(port, options).filter((finding) => finding.id === id);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0]?.severity ?? null;
}

const starttls = (port: number, overrides: Partial<PortProbe> = {}) =>
  aPort({ port, class: 'open-starttls', ...overrides });

describe('certificate rules', () => {
  test.each<[string, FindingId, PortProbe, Severity | null]>([
    [
      'expired on submission',
      'cert-expired',
      starttls(587, { certificate: aCertificateValidFor(-3) }),
      'critical',
    ],
    ['expired on relay', 'cert-expired', starttls(25, { certificate: aCertificateValidFor(-3) }), 'warning'],
    ['valid', 'cert-expired', starttls(587, { certificate: aCertificateValidFor(5) }), null],
    [
      '20 days on submission',
      'cert-expiring',
      starttls(587, { certificate: aCertificateValidFor(20) }),
      'warning',
    ],
    [
      '7 days on submission',
      'cert-expiring',
      starttls(587, { certificate: aCertificateValidFor(7) }),
      'warning',
    ],
    [
      '6 days on submission',
      'cert-expiring',
      starttls(587, { certificate: aCertificateValidFor(6) }),
      'critical',
    ],
    ['6 days on relay', 'cert-expiring', starttls(25, { certificate: aCertificateValidFor(6) }), 'warning'],
    ['21 days', 'cert-expiring', starttls(587, { certificate: aCertificateValidFor(21) }), null],
    [
      'expired is not expiring',
      'cert-expiring',
      starttls(587, { certificate: aCertificateValidFor(-1) }),
      null,
    ],
    [
      'self-signed on submission',
      'cert-self-signed',
      starttls(465, {
        certificate: aCertificate({
          selfSigned: true,
          trusted: false,
          verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        }),
      }),
      'critical',
    ],
    [
      'self-signed on relay',
      'cert-self-signed',
      starttls(25, { certificate: aCertificate({ selfSigned: true, trusted: false }) }),
      'warning',
    ],
    ['CA-signed', 'cert-self-signed', starttls(587), null],
    [
      'unknown issuer on submission',
      'cert-untrusted',
      starttls(587, {
        certificate: aCertificate({ trusted: false, verifyError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }),
      }),
      'critical',
    ],
    [
      'unknown issuer on relay',
      'cert-untrusted',
      starttls(25, {
        certificate: aCertificate({ trusted: false, verifyError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }),
      }),
      'warning',
    ],
    [
      'self-signed is not also untrusted',
      'cert-untrusted',
      starttls(587, { certificate: aCertificate({ selfSigned: true, trusted: false }) }),
      null,
    ],
    [
      'expired is not also untrusted',
      'cert-untrusted',
      starttls(587, { certificate: aCertificateValidFor(-3) }),
      null,
    ],
    [
      'other name on submission',
      'cert-hostname-mismatch',
      starttls(587, {
        certificate: aCertificate({ hostnameMatches: false, subjectAltNames: ['mail.other.example'] }),
      }),
      'critical',
    ],
    [
      'other name on relay',
      'cert-hostname-mismatch',
      starttls(25, { certificate: aCertificate({ hostnameMatches: false }) }),
      'warning',
    ],
    ['matching name', 'cert-hostname-mismatch', starttls(587), null],
  ])('%s: %s → %s', (_name, id, port, severity) => {
    expect(severityOf(id, port)).toBe(severity);
  });

  test('expiry is judged at the injected clock, not the probe clock', () => {
    // The probe said 60 days left; 100 days later the same facts mean expired.
    const port = starttls(587, { certificate: aCertificateValidFor(60) });
    const later = new Date(NOW.getTime() + 100 * 86_400_000);
    expect(severityOf('cert-expired', port)).toBeNull();
    expect(severityOf('cert-expired', port, { context: { now: later } })).toBe('critical');
  });

  test('summaries cite dates and names', () => {
    const expired = findingsOn(starttls(587, { certificate: aCertificateValidFor(-3) }))[0];
    expect(expired?.summary).toBe(
      'the certificate on 587 (CN=smtp.example.com) expired on 2026-02-26, 3 days ago',
    );
    const other = findingsOn(
      starttls(587, {
        certificate: aCertificate({ hostnameMatches: false, subjectAltNames: ['mail.other.example'] }),
      }),
    )[0];
    expect(other?.summary).toBe('the certificate on 587 is for mail.other.example, not smtp.example.com');
  });
});

describe('session rules', () => {
  const plain587 = aPort({ port: 587, class: 'no-starttls', auth: { beforeTls: ['PLAIN'], afterTls: [] } });
  test.each<[string, FindingId, PortProbe, Severity | null, Partial<HostProbe>?]>([
    ['AUTH in clear, no TLS, submission', 'auth-before-tls', plain587, 'critical'],
    [
      'AUTH before STARTTLS, submission',
      'auth-before-tls',
      starttls(587, { auth: { beforeTls: ['PLAIN'], afterTls: ['PLAIN'] } }),
      'warning',
    ],
    [
      'AUTH in clear on relay',
      'auth-before-tls',
      aPort({ port: 25, class: 'no-starttls', auth: { beforeTls: ['LOGIN'], afterTls: [] } }),
      'warning',
    ],
    ['AUTH only inside TLS', 'auth-before-tls', starttls(587), null],
    ['masked banner', 'banner-masked', starttls(25, { greeting: '220 ***********************' }), 'warning'],
    [
      'masked EHLO keyword',
      'banner-masked',
      starttls(587, { ehloBeforeTls: ['PIPELINING', 'XXXXXXXA'] }),
      'warning',
    ],
    ['stripped reports it itself', 'banner-masked', aPort({ port: 25, class: 'starttls-stripped' }), null],
    ['plain banner', 'banner-masked', starttls(25), null],
    [
      'foreign name on relay',
      'banner-name-mismatch',
      starttls(25, { greeting: '220 mx.other-host.example ESMTP' }),
      'warning',
    ],
    [
      'foreign name on submission',
      'banner-name-mismatch',
      starttls(587, { greeting: '220 mx.other-host.example ESMTP' }),
      'info',
    ],
    [
      'machine name in the same domain',
      'banner-name-mismatch',
      starttls(587, {
        greeting: '220 BN0PR04CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready',
      }),
      null,
      { target: 'smtp.office365.com', host: 'smtp.office365.com' },
    ],
    [
      'IP target',
      'banner-name-mismatch',
      starttls(25, { greeting: '220 mx.other-host.example ESMTP' }),
      null,
      { target: '192.0.2.10', host: '192.0.2.10' },
    ],
    [
      'MX host named',
      'banner-name-mismatch',
      starttls(25, { greeting: '220 mx1.mail-host.example ESMTP' }),
      null,
      {
        target: 'example.com',
        host: 'mx1.mail-host.example',
        mx: { hosts: [{ exchange: 'mx1.mail-host.example', priority: 10 }], reason: 'no-address' },
      },
    ],
    ['greeting without a name', 'banner-name-mismatch', starttls(25, { greeting: '220 ESMTP ready' }), null],
    [
      'slow EHLO on submission',
      'slow-response',
      starttls(587, { timings: { connect: 40, greeting: 100, ehlo: 12_000 } }),
      'warning',
    ],
    [
      'slow EHLO on relay',
      'slow-response',
      starttls(25, { timings: { connect: 40, greeting: 100, ehlo: 12_000 } }),
      'info',
    ],
    [
      '3 s handshake',
      'slow-response',
      starttls(587, { timings: { connect: 40, 'tls-handshake': 3_000 } }),
      'info',
    ],
    ['fast', 'slow-response', starttls(587), null],
    ['a connect timeout is not slowness', 'slow-response', aPort({ port: 25, class: 'filtered' }), null],
  ])('%s: %s → %s', (_name, id, port, severity, host) => {
    expect(severityOf(id, port, { host: host ?? {} })).toBe(severity);
  });
});

describe('host rules', () => {
  const blocked25 = () => [
    aPort({ port: 25, class: 'filtered' }),
    aPort({ port: 587, class: 'open-starttls' }),
  ];

  test('egress-blocked fires when the canary is filtered on the same port, and the port stops blaming the target', () => {
    const diagnosis = diagnoseHost(
      aHost({ ports: blocked25() }),
      aContext({ egressCanary: aCanary('filtered') }),
    );
    const egress = diagnosis.findings.find((finding) => finding.id === 'egress-blocked');
    expect(egress).toMatchObject({ severity: 'warning', port: null });
    expect(egress?.summary).toMatch(
      /^this network blocks outbound 25: the egress canary gmail-smtp-in\.l\.google\.com:25/,
    );
    const filtered = diagnosis.ports[0]?.findings.find((finding) => finding.id === 'filtered');
    expect(filtered?.severity).toBe('info');
    expect(filtered?.summary).toContain('this network blocks outbound 25, not smtp.example.com');
    expect(filtered?.summary).not.toContain('dropped on the way');
  });

  test.each<[string, NonNullable<DiagnoseContext['egressCanary']> | null, PortProbe[]]>([
    ['no canary', null, blocked25()],
    ['the canary answered', aCanary('open-starttls'), blocked25()],
    ['the canary was probed on another port', aCanary('filtered', 587), blocked25()],
    ['the target refused rather than dropped', aCanary('filtered'), [aPort({ port: 25, class: 'refused' })]],
  ])('egress-blocked does not fire when %s', (_name, egressCanary, ports) => {
    const diagnosis = diagnoseHost(aHost({ ports }), aContext({ egressCanary }));
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain('egress-blocked');
  });

  test('a canary target that already carries the port is not suffixed twice', () => {
    const egressCanary = { ...aCanary('filtered'), target: 'gmail-smtp-in.l.google.com:25' };
    const diagnosis = diagnoseHost(aHost({ ports: blocked25() }), aContext({ egressCanary }));
    const texts = [...diagnosis.findings, ...(diagnosis.ports[0]?.findings ?? [])]
      .map((f) => f.summary)
      .join('\n');
    expect(texts).toContain('the egress canary gmail-smtp-in.l.google.com:25 got no answer');
    expect(texts).not.toContain(':25:25');
  });

  test('without the canary, filtered on 25 points at the network on the way', () => {
    const diagnosis = diagnoseHost(
      aHost({ ports: blocked25() }),
      aContext({ egressCanary: aCanary('open-starttls') }),
    );
    expect(diagnosis.ports[0]?.findings[0]).toMatchObject({ id: 'filtered', severity: 'warning' });
  });

  test('no-usable-port says why for every port', () => {
    const ports = [
      aPort({ port: 25, class: 'filtered' }),
      aPort({ port: 587, class: 'open-starttls', certificate: aCertificateValidFor(-3) }),
    ];
    const found = diagnoseHost(aHost({ ports }), aContext()).findings.find((f) => f.id === 'no-usable-port');
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toBe(
      'no port of smtp.example.com is usable from here: 25 filtered (no answer), 587 certificate expired 3 days ago',
    );
  });

  test('no-usable-port without any port cites the resolve failure', () => {
    const resolveFailure = aPort({ port: 25, class: 'dns-failed' }).failure;
    const found = diagnoseHost(aHost({ ports: [], resolveFailure }), aContext()).findings.find(
      (f) => f.id === 'no-usable-port',
    );
    expect(found?.summary).toContain('ENOTFOUND');
  });

  test('no-usable-port does not fire when one port works', () => {
    const diagnosis = diagnoseHost(aHost({ ports: blocked25() }), aContext());
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain('no-usable-port');
  });
});
