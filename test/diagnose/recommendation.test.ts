import { describe, expect, test } from 'vitest';
import { diagnoseHost, matchProvider } from '../../src/diagnose/index.js';
import type { DiagnoseContext, HostDiagnosis, HostVerdict, Security } from '../../src/diagnose/types.js';
import type { PortClass, PortProbe } from '../../src/probe/types.js';
import { aCanary, aCertificateValidFor, aContext, aHost, aPort } from '../helpers/probe-builders.js';

const SES = 'email-smtp.eu-west-1.amazonaws.com';

function ports(
  classes: Record<number, PortClass>,
  overrides: Record<number, Partial<PortProbe>> = {},
): PortProbe[] {
  return Object.entries(classes).map(([port, cls]) =>
    aPort({ port: Number(port), class: cls, ...overrides[Number(port)] }),
  );
}

interface TypicalHost {
  name: string;
  target?: string;
  ports: PortProbe[];
  context?: Partial<DiagnoseContext>;
  expected: { port: number; security: Security } | null;
  status: HostVerdict['status'];
  summary: string;
}

const TYPICAL: TypicalHost[] = [
  {
    name: 'healthy',
    ports: ports({
      25: 'open-starttls',
      465: 'open-implicit-tls',
      587: 'open-starttls',
      2525: 'open-starttls',
    }),
    expected: { port: 587, security: 'starttls' },
    status: 'ok',
    summary: '4 of 4 ports usable · use 587 + STARTTLS',
  },
  {
    name: '25 filtered',
    ports: ports({ 25: 'filtered', 465: 'open-implicit-tls', 587: 'open-starttls', 2525: 'open-starttls' }),
    expected: { port: 587, security: 'starttls' },
    status: 'ok',
    summary: '3 of 4 ports usable · 25 filtered · use 587 + STARTTLS',
  },
  {
    name: 'only 465 works',
    ports: ports({ 25: 'filtered', 465: 'open-implicit-tls', 587: 'filtered', 2525: 'refused' }),
    expected: { port: 465, security: 'implicit-tls' },
    status: 'ok',
    summary: '1 of 4 ports usable · 25 filtered · 587 filtered · 2525 refused · use 465 + implicit TLS',
  },
  {
    name: 'only plain SMTP',
    ports: ports({ 25: 'no-starttls', 465: 'refused', 587: 'no-starttls', 2525: 'refused' }),
    expected: { port: 25, security: 'none' },
    status: 'degraded',
    summary:
      '1 of 4 ports usable · 465 refused · 587 no-starttls · 2525 refused · use 25 (relay only) + no TLS',
  },
  {
    name: 'expired certificate on 587, 465 fine',
    ports: ports(
      { 25: 'filtered', 465: 'open-implicit-tls', 587: 'open-starttls', 2525: 'refused' },
      { 587: { certificate: aCertificateValidFor(-3) } },
    ),
    expected: { port: 465, security: 'implicit-tls' },
    status: 'degraded',
    summary: '1 of 4 ports usable · 25 filtered · 587 cert-expired · 2525 refused · use 465 + implicit TLS',
  },
  {
    name: 'expired certificate on 587, nothing else',
    ports: ports(
      { 25: 'filtered', 465: 'refused', 587: 'open-starttls', 2525: 'refused' },
      { 587: { certificate: aCertificateValidFor(-3) } },
    ),
    expected: null,
    status: 'failing',
    summary:
      '0 of 4 ports usable · 25 filtered · 465 refused · 587 cert-expired · 2525 refused · nothing usable',
  },
  {
    name: 'nothing usable',
    ports: ports({ 25: 'filtered', 465: 'filtered', 587: 'filtered', 2525: 'filtered' }),
    expected: null,
    status: 'failing',
    summary:
      '0 of 4 ports usable · 25 filtered · 465 filtered · 587 filtered · 2525 filtered · nothing usable',
  },
  {
    name: 'SES with only its alternates open',
    target: SES,
    ports: ports({
      25: 'filtered',
      465: 'filtered',
      587: 'filtered',
      2525: 'filtered',
      2587: 'open-starttls',
      2465: 'open-implicit-tls',
    }),
    context: { provider: matchProvider(SES) },
    expected: { port: 2587, security: 'starttls' },
    status: 'ok',
    summary:
      '2 of 6 ports usable · 25 filtered · 465 filtered · 587 filtered · 2525 filtered · use 2587 + STARTTLS',
  },
  {
    name: 'egress canary blocked on 25',
    ports: ports({ 25: 'filtered', 465: 'open-implicit-tls', 587: 'open-starttls' }),
    context: { egressCanary: aCanary('filtered') },
    expected: { port: 587, security: 'starttls' },
    status: 'ok',
    summary: '2 of 3 ports usable · 25 blocked here · use 587 + STARTTLS',
  },
  {
    name: 'a certificate expiring this week on 587 yields to 465',
    ports: ports(
      { 465: 'open-implicit-tls', 587: 'open-starttls' },
      { 587: { certificate: aCertificateValidFor(3) } },
    ),
    expected: { port: 465, security: 'implicit-tls' },
    status: 'degraded',
    summary: '2 of 2 ports usable · 587 cert-expiring · use 465 + implicit TLS',
  },
  {
    name: 'implicit TLS on 587',
    ports: ports({ 465: 'refused', 587: 'implicit-tls-on-starttls-port' }),
    expected: { port: 587, security: 'implicit-tls' },
    status: 'ok',
    summary: '1 of 2 ports usable · 465 refused · use 587 + implicit TLS',
  },
  {
    name: 'a slow greeting is no fault',
    ports: ports({ 587: 'slow-banner' }),
    expected: { port: 587, security: 'starttls' },
    status: 'ok',
    summary: '1 of 1 ports usable · use 587 + STARTTLS',
  },
];

function diagnose(host: TypicalHost): HostDiagnosis {
  const target = host.target ?? 'smtp.example.com';
  return diagnoseHost(aHost({ target, host: target, ports: host.ports }), aContext(host.context));
}

describe('diagnoseHost() recommendation and verdict', () => {
  test.each(TYPICAL)('$name', (host) => {
    const diagnosis = diagnose(host);
    if (host.expected === null) {
      expect(diagnosis.recommendation).toBeNull();
      expect(diagnosis.findings.map((finding) => finding.id)).toContain('no-usable-port');
    } else {
      expect(diagnosis.recommendation).toMatchObject(host.expected);
      expect(diagnosis.findings.map((finding) => finding.id)).not.toContain('no-usable-port');
    }
    expect(diagnosis.verdict.status).toBe(host.status);
    expect(diagnosis.verdict.summary).toBe(host.summary);
  });

  test('the reason cites the evidence and the ports passed over', () => {
    const diagnosis = diagnose(TYPICAL[2] as TypicalHost);
    expect(diagnosis.recommendation?.reason).toBe(
      '465 with implicit TLS works from here (greeted in 120 ms, TLSv1.3, trusted certificate valid 60 more days); passed over 587 (filtered (no answer))',
    );
  });

  test('relay on 25 without TLS is configured without credentials', () => {
    const config = diagnose(TYPICAL[3] as TypicalHost).recommendation?.config;
    expect(config?.nodemailer).toEqual({
      host: 'smtp.example.com',
      port: 25,
      secure: false,
      requireTLS: false,
    });
    expect(config?.postfix).toEqual(['relayhost = [smtp.example.com]:25', 'smtp_tls_security_level = may']);
    expect(config?.table.find((row) => row.label === 'Authentication')?.value).toBe('None (relay)');
  });

  test('a greeting slower than client defaults raises greetingTimeout in the config', () => {
    const diagnosis = diagnoseHost(
      aHost({
        ports: [aPort({ port: 587, class: 'slow-banner', timings: { connect: 40, greeting: 20_000 } })],
      }),
      aContext(),
    );
    expect(diagnosis.recommendation?.config.nodemailer.greetingTimeout).toBe(40_000);
  });

  test.each(['dns-failed', 'denied-by-policy'] as const)('nothing probed because of %s', (cls) => {
    const resolveFailure = aPort({ port: 25, class: cls }).failure;
    const diagnosis = diagnoseHost(aHost({ ports: [], resolveFailure }), aContext());
    expect(diagnosis.recommendation).toBeNull();
    expect(diagnosis.verdict).toEqual({
      status: 'failing',
      summary: `no port probed · ${cls}`,
      usablePorts: [],
    });
  });

  test('the provider is matched from the host when the caller passed none', () => {
    const diagnosis = diagnose({ ...(TYPICAL[7] as TypicalHost), context: {} });
    expect(diagnosis.provider?.id).toBe('amazon-ses');
    expect(diagnosis.recommendation?.port).toBe(2587);
  });
});

const AUTH_BEFORE_TLS = { auth: { beforeTls: ['PLAIN'], afterTls: ['PLAIN'] } };
const POSTMARK = 'smtp.postmarkapp.com';

describe('recommend() ranking', () => {
  // Ports without findings first, then the provider's documented ports, then 587, 465, 2525,
  // 2587, 2465, other submission ports; relay on 25 only when no submission port is usable.
  test.each<{ name: string; target?: string; ports: PortProbe[]; chosen: number; reason?: RegExp }>([
    {
      name: 'a clean 2465 wins over 2525 offering AUTH before TLS',
      ports: ports(
        {
          25: 'filtered',
          465: 'filtered',
          587: 'filtered',
          2525: 'open-starttls',
          2465: 'open-implicit-tls',
        },
        { 2525: AUTH_BEFORE_TLS },
      ),
      chosen: 2465,
      reason:
        /passed over 587 \(filtered \(no answer\)\); 465 \(filtered \(no answer\)\); 2525 \(auth-before-tls\)$/,
    },
    {
      name: 'a clean 465 wins over 587 with a warning',
      ports: ports({ 465: 'open-implicit-tls', 587: 'open-starttls' }, { 587: AUTH_BEFORE_TLS }),
      chosen: 465,
      reason: /passed over 587 \(auth-before-tls\)$/,
    },
    {
      name: 'with findings everywhere, the least severe wins and the reason says why',
      ports: ports(
        { 465: 'open-implicit-tls', 587: 'open-starttls' },
        { 587: { certificate: aCertificateValidFor(3) }, 465: AUTH_BEFORE_TLS },
      ),
      chosen: 465,
      reason:
        /chosen despite its warning \(auth-before-tls\) because every other usable port has findings too \(587: cert-expiring\)/,
    },
    {
      name: 'the only usable port has a finding: chosen, and the reason says so',
      ports: ports({ 465: 'refused', 587: 'open-starttls' }, { 587: AUTH_BEFORE_TLS }),
      chosen: 587,
      reason: /chosen despite its warning \(auth-before-tls\) because no other submission port is usable/,
    },
    {
      name: 'equal findings: 587 before 465 before 2525',
      ports: ports({ 2525: 'open-starttls', 465: 'open-implicit-tls', 587: 'open-starttls' }),
      chosen: 587,
    },
    {
      name: 'equal findings without 587: 465 before 2525',
      ports: ports({ 2525: 'open-starttls', 465: 'open-implicit-tls' }),
      chosen: 465,
    },
    {
      name: 'equal findings without 587 and 465: 2525 before 2587 and 2465',
      ports: ports({ 2465: 'open-implicit-tls', 2587: 'open-starttls', 2525: 'open-starttls' }),
      chosen: 2525,
    },
    {
      name: "the provider's documented port wins over an undocumented one",
      target: POSTMARK,
      ports: ports({ 465: 'open-implicit-tls', 2525: 'open-starttls' }),
      chosen: 2525,
    },
    {
      name: 'a clean relay on 25 does not win over a submission port with a warning',
      ports: ports({ 25: 'open-starttls', 587: 'open-starttls' }, { 587: AUTH_BEFORE_TLS }),
      chosen: 587,
    },
    {
      name: 'relay on 25 when no submission port works',
      ports: ports({ 25: 'open-starttls', 587: 'filtered' }),
      chosen: 25,
      reason:
        /relay \(server-to-server\) only, as no submission port probed works from here; passed over 587/,
    },
    {
      name: 'relay on 25 when only 25 was probed says so, not that submission failed',
      ports: ports({ 25: 'open-starttls' }),
      chosen: 25,
      reason: /relay \(server-to-server\) only; no submission port was probed$/,
    },
  ])('$name', ({ target, ports: probed, chosen, reason }) => {
    const host = target ?? 'smtp.example.com';
    const diagnosis = diagnoseHost(aHost({ target: host, host, ports: probed }), aContext());
    expect(diagnosis.recommendation?.port).toBe(chosen);
    if (reason) expect(diagnosis.recommendation?.reason).toMatch(reason);
  });
});

describe('diagnoseHost() advice checklist', () => {
  function advice(host: Partial<TypicalHost> & { ports: PortProbe[] }): string {
    return diagnose({ name: '', expected: null, status: 'ok', summary: '', ...host }).advice.join('\n');
  }

  test('a healthy host needs no checklist', () => {
    expect(diagnose(TYPICAL[0] as TypicalHost).advice).toEqual([]);
  });

  test('25 dropped: names 587/465, the clouds that block 25, and the evidence', () => {
    const steps = diagnose(TYPICAL[1] as TypicalHost).advice;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toContain('No answer on 25 after 5 s while 587 answered in 40 ms');
    expect(steps[0]).toContain('AWS EC2 / Lambda, Google Cloud, Azure, DigitalOcean');
    expect(steps[0]).toContain('use 587 with STARTTLS, which works from here');
  });

  test('egress canary blocked: says this network blocks outbound 25', () => {
    const [first] = diagnose(TYPICAL[8] as TypicalHost).advice;
    expect(first).toMatch(/^This network blocks outbound 25: the egress canary/);
  });

  test('firewall DROP and REJECT are told apart', () => {
    const text = advice({ ports: ports({ 465: 'refused', 587: 'filtered' }) });
    expect(text).toContain('No answer on 587 (filtered): that is a firewall DROP');
    expect(text).toContain('465 refused the connection: nothing listens there, or a firewall REJECTs it');
  });

  test('a provider host: documented ports, alternates named, undocumented failures expected', () => {
    const text = diagnose(TYPICAL[7] as TypicalHost).advice.join('\n');
    expect(text).toContain('Amazon SES also listens on 2587 and 2465');
    expect(text).toContain('It does not offer 2525, so failures there are expected');
    expect(text).toContain('https://docs.aws.amazon.com/ses/latest/dg/smtp-connect.html');
  });

  test.each<[string, PortProbe, string]>([
    ['implicit TLS on 587', aPort({ port: 587, class: 'implicit-tls-on-starttls-port' }), 'secure: true'],
    [
      'plain on 465',
      aPort({ port: 465, class: 'plaintext-on-implicit-tls-port' }),
      'TLS from the first byte',
    ],
    [
      'expired certificate',
      aPort({ port: 587, class: 'open-starttls', certificate: aCertificateValidFor(-3) }),
      'Renew the certificate',
    ],
    ['stripped STARTTLS', aPort({ port: 587, class: 'starttls-stripped' }), 'Disable ESMTP inspection'],
    ['transparent proxy on 25', aPort({ port: 25, class: 'intercepted' }), 'transparent proxy'],
    ['554 greeting', aPort({ port: 25, class: 'greeting-rejected' }), 'blocklist'],
    [
      '421 greeting',
      aPort({ port: 25, class: 'greeting-rejected', greeting: '421 busy', greetingCode: 421 }),
      'back off',
    ],
    ['greet pause', aPort({ port: 25, class: 'slow-banner' }), 'not a fault'],
    ['no STARTTLS', aPort({ port: 587, class: 'no-starttls' }), 'enable STARTTLS'],
  ])('%s gets its step', (_name, port, expected) => {
    expect(advice({ ports: [port] })).toContain(expected);
  });

  test('steps that do not fit are left out', () => {
    const text = advice({ ports: ports({ 465: 'open-implicit-tls', 587: 'starttls-stripped' }) });
    expect(text).toContain('ESMTP inspection');
    expect(text).not.toContain('Outbound 25');
    expect(text).not.toContain('certificate');
    expect(text).not.toContain('greet pause');
  });
});
