import { diagnoseHost } from '../../src/diagnose/index.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import type { PortClass, PortProbe } from '../../src/probe/types.js';
import { aContext, aHost, aPort } from './probe-builders.js';

// Diagnoses for the Slack renderers, built from probe facts through the real diagnosis engine so
// the renderers see what production sees.

const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]).toString('utf8');

/** Everything a hostile server could put in a text field to ping, link, recolour or reorder. */
export const HOSTILE =
  '<!channel> <!here> <!everyone> <@U0VICTIM> <#C0GENERAL> <!subteam^S0TEAM> ' +
  '<https://evil.example/phish|click here> <mailto:a@evil.example|mail> ' +
  '\u001b[31mRED\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 ' +
  '\u0000\u0007\u0008\u007f\u0085 \u202eevil-bidi\u202c \u200b\ufeff ' +
  `${INVALID_UTF8} \ud800 \`\`\`fence\`\`\` &amp; *bold* _it_`;

export function aDiagnosis(ports: PortProbe[], target = 'smtp.example.com'): HostDiagnosis {
  return diagnoseHost(aHost({ target, host: target, ports }), aContext());
}

/** The usual picture: 25 filtered, the submission ports open. */
export function aTypicalDiagnosis(): HostDiagnosis {
  return aDiagnosis([
    aPort({ port: 25, class: 'filtered' }),
    aPort({ port: 465, class: 'open-implicit-tls' }),
    aPort({ port: 587, class: 'open-starttls' }),
    aPort({ port: 2525, class: 'open-starttls' }),
  ]);
}

export function aDiagnosisOf(classes: Record<number, PortClass>): HostDiagnosis {
  return aDiagnosis(
    Object.entries(classes).map(([port, portClass]) => aPort({ port: Number(port), class: portClass })),
  );
}

/** Hostile text in every server-controlled field, a 200 KB EHLO, thousands of SANs. */
export function aHostileDiagnosis(): HostDiagnosis {
  const hugeEhlo = Array.from({ length: 2_000 }, (_, index) => `${HOSTILE} line ${index} ${'X'.repeat(40)}`);
  const oneHugeLine = [`${HOSTILE}${'Y'.repeat(200_000)}`];
  const hostilePort = (port: number, portClass: PortClass, ehlo: string[]): PortProbe =>
    aPort({
      port,
      class: portClass,
      greeting: `220 ${HOSTILE}\n220-${HOSTILE}\n${'Z'.repeat(50_000)}`,
      ehlo,
      ehloBeforeTls: ehlo,
      auth: { beforeTls: [HOSTILE], afterTls: [HOSTILE, 'PLAIN'] },
      tls: { protocol: HOSTILE, cipher: HOSTILE, servername: HOSTILE },
      certificate: {
        subject: `CN=${HOSTILE}`,
        subjectAltNames: Array.from({ length: 5_000 }, (_, index) => `${HOSTILE}-${index}`),
        issuer: `CN=${HOSTILE}`,
        validFrom: HOSTILE,
        validTo: HOSTILE,
        daysLeft: -3,
        selfSigned: true,
        trusted: false,
        verifyError: HOSTILE,
        hostnameMatches: false,
        fingerprint256: HOSTILE,
        chainLength: 40,
      },
      failure: {
        stage: 'ehlo',
        kind: 'oversized',
        code: HOSTILE,
        message: `${HOSTILE}${'W'.repeat(100_000)}`,
      },
      firstAttempt: {
        mode: 'implicit-tls',
        failure: { stage: 'greeting', kind: 'timeout', message: HOSTILE },
      },
      truncated: true,
    });
  return aDiagnosis([
    hostilePort(25, 'oversized-response', hugeEhlo),
    hostilePort(465, 'open-implicit-tls', oneHugeLine),
    hostilePort(587, 'greeting-rejected', hugeEhlo),
    hostilePort(2525, 'intercepted', hugeEhlo),
  ]);
}
