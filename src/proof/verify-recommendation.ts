import { isIP } from 'node:net';
import type {
  ConfigVerification,
  PortDiagnosis,
  PortVerification,
  Recommendation,
} from '../diagnose/types.js';
import {
  diagnoseWithoutCertificateCheck,
  type ShownTransportOptions,
  type TransportVerification,
  type VerifyDeps,
  verifyTransport,
  withCertificateName,
} from './verify-transport.js';

/** Hands one candidate recommendation to nodemailer and says what it found. */
export type VerifyRecommendation = (
  candidate: Recommendation,
  port: PortDiagnosis,
) => Promise<PortVerification>;

export interface RecommendationVerifierOptions {
  /** Budget for each phase nodemailer times (connect + TLS, greeting, each reply). */
  timeoutMs: number;
  /** CA certificates trusted on top of Node's store, as for the probe. */
  extraCa?: string[];
}

function summary(verification: TransportVerification): ConfigVerification {
  return {
    by: verification.by,
    version: verification.version,
    ok: verification.ok,
    ...(verification.reply !== undefined ? { reply: verification.reply } : {}),
    ...(verification.error !== undefined ? { error: verification.error } : {}),
  };
}

/** A name on the certificate a client could connect to instead: a DNS name, not a wildcard. */
function certificateName(port: PortDiagnosis): string | null {
  const names = port.certificate?.subjectAltNames ?? [];
  return names.find((name) => isIP(name) === 0 && !name.startsWith('*.') && name.includes('.')) ?? null;
}

/**
 * The proof behind a recommendation. nodemailer gets the configuration exactly as it is shown
 * (`recommendation.config.nodemailer`), sent to the address the probe vetted and dialled, so the
 * proof reaches the same server and never resolves the name a second time. One connection when it
 * is accepted. When nodemailer refuses the certificate, two more say what would fix it: the same
 * configuration for the name the certificate carries (a real configuration, checking on), and a
 * diagnostic with checking off that shows whether the certificate is the only problem.
 */
export function createRecommendationVerifier(options: RecommendationVerifierOptions): VerifyRecommendation {
  return async (candidate, port) => {
    const shown = candidate.config.nodemailer as unknown as ShownTransportOptions;
    const deps: VerifyDeps = {
      limits: { timeoutMs: options.timeoutMs },
      ...(port.address ? { address: port.address } : {}),
      ...(options.extraCa ? { extraCa: options.extraCa } : {}),
      ...(port.certificate
        ? {
            certificate: {
              validTo: port.certificate.validTo,
              subjectAltNames: port.certificate.subjectAltNames,
            },
          }
        : {}),
    };
    const verification = await verifyTransport(shown, deps);
    const certificateRefused = verification.failure?.kind.startsWith('certificate-') === true;
    const entry: PortVerification = {
      port: candidate.port,
      verification: summary(verification),
      certificateRefused,
    };
    if (verification.ok || !certificateRefused) return entry;

    const name = verification.failure?.kind === 'certificate-wrong-name' ? certificateName(port) : null;
    if (name) {
      const renamed = await verifyTransport(withCertificateName(shown, name), deps);
      entry.certificateName = { name, ok: renamed.ok };
    }
    const diagnostic = await diagnoseWithoutCertificateCheck(shown, deps);
    entry.certificateIsOnlyProblem = diagnostic.certificateIsOnlyProblem;
    return entry;
  };
}
