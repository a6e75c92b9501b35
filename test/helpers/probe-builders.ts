import type { DiagnoseContext } from '../../src/diagnose/types.js';
import type {
  CertificateFacts,
  HostProbe,
  PortClass,
  PortProbe,
  ProbeFailure,
  ProbeMode,
} from '../../src/probe/types.js';

// Builders for probe facts, so a table row states only what matters to it. Every class has a
// preset with the facts a real probe would report for it.

/** The clock every diagnosis test runs at; certificates are dated relative to it. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY_MS = 86_400_000;

export function daysFromNow(days: number, now: Date = NOW): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}

export function aCertificate(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=smtp.example.com',
    subjectAltNames: ['smtp.example.com'],
    issuer: "CN=R11, O=Let's Encrypt, C=US",
    validFrom: daysFromNow(-30),
    validTo: daysFromNow(60),
    daysLeft: 60,
    selfSigned: false,
    trusted: true,
    verifyError: null,
    hostnameMatches: true,
    fingerprint256: 'AB:CD:EF',
    chainLength: 2,
    ...overrides,
  };
}

/** A certificate that ends `days` days after NOW (negative: already expired). */
export function aCertificateValidFor(
  days: number,
  overrides: Partial<CertificateFacts> = {},
): CertificateFacts {
  return aCertificate({
    validTo: daysFromNow(days),
    daysLeft: days,
    ...(days < 0 ? { trusted: false, verifyError: 'CERT_HAS_EXPIRED' } : {}),
    ...overrides,
  });
}

function expectedMode(port: number): ProbeMode {
  return port === 465 || port === 2465 ? 'implicit-tls' : 'starttls';
}

function failure(stage: ProbeFailure['stage'], kind: ProbeFailure['kind'], rest: Partial<ProbeFailure> = {}) {
  return { stage, kind, message: `${kind} at ${stage}`, ...rest } satisfies ProbeFailure;
}

const TLS = { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', servername: 'smtp.example.com' };
const EHLO_PLAIN = ['smtp.example.com', 'PIPELINING', 'SIZE 52428800', 'STARTTLS', '8BITMIME'];
const EHLO_TLS = ['smtp.example.com', 'PIPELINING', 'SIZE 52428800', 'AUTH PLAIN LOGIN', '8BITMIME'];

const starttlsSession: Partial<PortProbe> = {
  observedMode: 'starttls',
  timings: {
    resolve: 2,
    connect: 40,
    greeting: 120,
    ehlo: 30,
    starttls: 20,
    'tls-handshake': 60,
    'tls-ehlo': 30,
  },
  greeting: '220 smtp.example.com ESMTP ready',
  greetingCode: 220,
  ehlo: EHLO_TLS,
  ehloBeforeTls: EHLO_PLAIN,
  auth: { beforeTls: [], afterTls: ['PLAIN', 'LOGIN'] },
  sizeLimit: 52_428_800,
  tls: TLS,
};

const implicitSession: Partial<PortProbe> = {
  observedMode: 'implicit-tls',
  timings: { resolve: 2, connect: 40, 'tls-handshake': 60, greeting: 120, ehlo: 30 },
  greeting: '220 smtp.example.com ESMTP ready',
  greetingCode: 220,
  ehlo: EHLO_TLS,
  auth: { beforeTls: [], afterTls: ['PLAIN', 'LOGIN'] },
  sizeLimit: 52_428_800,
  tls: TLS,
};

const plainSession: Partial<PortProbe> = {
  observedMode: 'starttls',
  timings: { resolve: 2, connect: 40, greeting: 120, ehlo: 30 },
  greeting: '220 smtp.example.com ESMTP ready',
  greetingCode: 220,
  ehlo: ['smtp.example.com', 'PIPELINING', '8BITMIME'],
  ehloBeforeTls: ['smtp.example.com', 'PIPELINING', '8BITMIME'],
  tls: null,
  certificate: null,
};

const silent = (connectMs: number): Partial<PortProbe> => ({
  observedMode: null,
  timings: { resolve: 2, connect: connectMs },
  durationMs: connectMs,
  tls: null,
  certificate: null,
});

/** The facts each class comes with; a Record so a new class cannot be forgotten here. */
const PRESETS: Record<PortClass, (port: number) => Partial<PortProbe>> = {
  'open-starttls': () => ({ ...starttlsSession, certificate: aCertificate() }),
  'open-implicit-tls': () => ({ ...implicitSession, certificate: aCertificate() }),
  'implicit-tls-on-starttls-port': () => ({
    ...implicitSession,
    certificate: aCertificate(),
    firstAttempt: { mode: 'starttls', failure: failure('greeting', 'timeout') },
  }),
  'plaintext-on-implicit-tls-port': () => ({
    ...starttlsSession,
    certificate: aCertificate(),
    firstAttempt: {
      mode: 'implicit-tls',
      failure: failure('tls-handshake', 'tls-error', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
    },
  }),
  'no-starttls': () => plainSession,
  'starttls-stripped': () => ({
    ...plainSession,
    greeting: '220 ******************************',
    ehlo: ['**********', 'PIPELINING', 'XXXXXXXA', '8BITMIME'],
    ehloBeforeTls: ['**********', 'PIPELINING', 'XXXXXXXA', '8BITMIME'],
  }),
  filtered: () => ({
    ...silent(5_000),
    failure: failure('connect', 'timeout', { message: 'connect timed out after 5000 ms' }),
  }),
  refused: () => ({
    ...silent(2),
    failure: failure('connect', 'refused', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
  }),
  unreachable: () => ({
    ...silent(3),
    failure: failure('connect', 'unreachable', { code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' }),
  }),
  'no-banner': () => ({
    ...silent(40),
    timings: { resolve: 2, connect: 40, greeting: 15_000 },
    durationMs: 30_100,
    failure: failure('greeting', 'timeout'),
    firstAttempt: { mode: 'starttls', failure: failure('greeting', 'timeout') },
  }),
  'slow-banner': () => ({
    ...starttlsSession,
    timings: { ...starttlsSession.timings, greeting: 12_000 },
    certificate: aCertificate(),
  }),
  'greeting-rejected': () => ({
    ...silent(40),
    observedMode: 'starttls',
    timings: { resolve: 2, connect: 40, greeting: 150 },
    greeting: '554 5.7.1 Client host [198.51.100.7] blocked using zen.spamhaus.org',
    greetingCode: 554,
    failure: failure('greeting', 'smtp-reply', { replyCode: 554 }),
  }),
  'tls-handshake-failed': (port) => ({
    ...silent(40),
    observedMode: expectedMode(port),
    timings: { resolve: 2, connect: 40, 'tls-handshake': 30 },
    failure: failure('tls-handshake', 'tls-alert', {
      tlsAlert: 40,
      code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    }),
  }),
  'not-smtp': () => ({
    ...silent(40),
    timings: { resolve: 2, connect: 40, greeting: 20 },
    failure: failure('greeting', 'not-smtp', { message: 'HTTP/1.1 400 Bad Request' }),
  }),
  intercepted: () => ({
    ...plainSession,
    greeting: '220 smtp-proxy.isp.example ESMTP',
    ehlo: ['smtp-proxy.isp.example', 'PIPELINING'],
    ehloBeforeTls: ['smtp-proxy.isp.example', 'PIPELINING'],
  }),
  'oversized-response': () => ({
    ...plainSession,
    failure: failure('ehlo', 'oversized', { message: 'reply over 65536 bytes' }),
    truncated: true,
  }),
  'dns-failed': () => ({
    ...silent(0),
    address: null,
    timings: { resolve: 12 },
    failure: failure('resolve', 'dns', { code: 'ENOTFOUND', message: 'queryA ENOTFOUND smtp.example.com' }),
  }),
  'denied-by-policy': () => ({
    ...silent(0),
    address: null,
    timings: { resolve: 12 },
    failure: failure('resolve', 'policy', { message: '10.0.0.5 is a private address' }),
  }),
};

export function aPort(overrides: Partial<PortProbe> & { port: number; class: PortClass }): PortProbe {
  const preset = PRESETS[overrides.class](overrides.port);
  return {
    mode: expectedMode(overrides.port),
    observedMode: null,
    address: '192.0.2.10',
    timings: {},
    durationMs: 400,
    greeting: null,
    greetingCode: null,
    ehlo: [],
    ehloBeforeTls: [],
    heloFallback: false,
    auth: { beforeTls: [], afterTls: [] },
    sizeLimit: null,
    tls: null,
    certificate: null,
    failure: null,
    truncated: false,
    firstAttempt: null,
    ...preset,
    ...overrides,
  };
}

export function aHost(overrides: Partial<HostProbe> = {}): HostProbe {
  const ports = overrides.ports ?? [];
  return {
    target: 'smtp.example.com',
    host: overrides.target ?? 'smtp.example.com',
    mx: null,
    addresses: ['192.0.2.10'],
    checkedAt: NOW.toISOString(),
    durationMs: Math.max(0, ...ports.map((port) => port.durationMs)),
    ports,
    resolveFailure: null,
    ...overrides,
  };
}

export function aContext(overrides: Partial<DiagnoseContext> = {}): DiagnoseContext {
  return { now: NOW, provider: null, egressCanary: null, ...overrides };
}

/** The egress canary (a well-known MX) as probed alongside the target. */
export function aCanary(portClass: PortClass, port = 25): NonNullable<DiagnoseContext['egressCanary']> {
  return { target: 'gmail-smtp-in.l.google.com', port: aPort({ port, class: portClass }) };
}
