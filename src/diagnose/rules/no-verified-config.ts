import type { PortDiagnosis, PortVerification } from '../types.js';
import { finding, type HostRule } from '../rule.js';

/** What the server's owner can change, from the certificate facts of the refused port. */
function certificateFixes(port: PortDiagnosis | undefined, entry: PortVerification, host: string): string[] {
  const fixes: string[] = [];
  const certificate = port?.certificate;
  if (entry.certificateName?.ok) {
    fixes.push(
      `Connect to \`${entry.certificateName.name}\`, the name on the certificate: nodemailer accepted the certificate for that name at the same address (host: "${entry.certificateName.name}").`,
    );
  } else if (certificate && !certificate.hostnameMatches) {
    fixes.push(`The server's owner: install a certificate that covers ${host}.`);
  }
  if (certificate && certificate.daysLeft < 0) {
    fixes.push(
      `The server's owner: renew the certificate on port ${entry.port} and restart the mail server.`,
    );
  }
  if (certificate && !certificate.trusted) {
    fixes.push(
      certificate.selfSigned
        ? `The server's owner: replace the self-signed certificate on port ${entry.port} with one from a public CA.`
        : `The server's owner: serve the full chain (the certificate and its intermediates) on port ${entry.port}, from a CA clients trust.`,
    );
  }
  if (fixes.length === 0) fixes.push(`The server's owner: fix the certificate on port ${entry.port}.`);
  if (entry.certificateIsOnlyProblem) {
    fixes.push(
      'Diagnostic only, not a configuration: with certificate checking switched off nodemailer got through, so the certificate is the only problem. Do not ship rejectUnauthorized: false — anyone on the path could read the password.',
    );
  }
  return fixes;
}

/**
 * Ports that work for the probe but whose configuration nodemailer refuses: the usual cause is a
 * certificate a verifying client will not accept (expired, self-signed, for another name) on a
 * port where the probe tolerates it (relay on 25). Nothing is recommended then, and this says why.
 */
export const noVerifiedConfig: HostRule = {
  id: 'no-verified-config',
  check(probe, scope) {
    const verifications = scope.verifications;
    if (!verifications || verifications.length === 0) return [];
    if (verifications.some((entry) => entry.verification.ok)) return [];
    const first = verifications[0]!;
    const byPort = new Map(scope.ports.map((port) => [port.port, port]));
    const refusals = verifications.map((entry) => `${entry.port}: ${entry.verification.error ?? 'refused'}`);
    if (first.certificateRefused) {
      return [
        finding(
          'no-verified-config',
          'critical',
          null,
          `no client that checks certificates can send through ${probe.host}: ${first.verification.error ?? 'its certificate is refused'}` +
            (verifications.length > 1 ? ` (nodemailer refused ${refusals.join('; ')})` : ''),
          certificateFixes(byPort.get(first.port), first, probe.host),
        ),
      ];
    }
    return [
      finding(
        'no-verified-config',
        'critical',
        null,
        `nodemailer refused every configuration that works for the probe: ${refusals.join('; ')}`,
        ['Start with the findings of those ports; the configuration is shown once nodemailer accepts one.'],
      ),
    ];
  },
};
