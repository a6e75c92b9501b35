import type { PortProbe } from '../probe/types.js';
import { assertNever } from '../util/assert-never.js';
import { describePortClass } from './describe-port-class.js';
import { certificateDaysLeft, isCertificateExpired } from './evidence.js';
import { PORT_CLASS_TABLE } from './knowledge/port-classes.js';
import type { PortRole, Security } from './types.js';

export interface PortAssessment {
  /** Mail can be sent through this port as things stand. */
  usable: boolean;
  /** The security a client gets on it (what the recommendation would configure). */
  security: Security;
  /** Why it is not usable; null when it is. */
  reason: string | null;
}

function tlsSecurity(port: PortProbe): Security {
  if (port.observedMode) return port.observedMode;
  return port.class === 'open-implicit-tls' || port.class === 'implicit-tls-on-starttls-port'
    ? 'implicit-tls'
    : 'starttls';
}

/**
 * A TLS session is usable for submission only with a certificate a client will accept (trusted,
 * for the right name, not expired): nodemailer and mail clients refuse the rest by default.
 * Relay MTAs do opportunistic TLS without verifying, so on 25 any certificate will do.
 */
function assessTls(port: PortProbe, role: PortRole, now: Date): PortAssessment {
  const security = tlsSecurity(port);
  const certificate = port.certificate;
  if (role === 'relay') return { usable: true, security, reason: null };
  if (!certificate) return { usable: false, security, reason: 'no certificate was presented' };
  if (isCertificateExpired(certificate, now)) {
    const days = -certificateDaysLeft(certificate, now);
    return { usable: false, security, reason: `certificate expired ${days} day${days === 1 ? '' : 's'} ago` };
  }
  if (!certificate.trusted) {
    const why = certificate.selfSigned ? 'self-signed' : (certificate.verifyError ?? 'unknown issuer');
    return { usable: false, security, reason: `certificate not trusted (${why})` };
  }
  if (!certificate.hostnameMatches) {
    return { usable: false, security, reason: 'certificate is for another name' };
  }
  return { usable: true, security, reason: null };
}

/** Plain SMTP is fine for relay (STARTTLS is opportunistic there) and never for submission. */
function assessPlain(role: PortRole, why: string): PortAssessment {
  if (role === 'relay') return { usable: true, security: 'none', reason: null };
  return { usable: false, security: 'none', reason: `${why}: credentials would cross in clear` };
}

function unusable(port: PortProbe): PortAssessment {
  return { usable: false, security: 'none', reason: describePortClass(port.class) };
}

export function assessPort(port: PortProbe, role: PortRole, now: Date): PortAssessment {
  const usability = PORT_CLASS_TABLE[port.class].usability;
  switch (usability.kind) {
    case 'tls':
      return assessTls(port, role, now);
    // A greeting came; what it is worth depends on whether a TLS session followed.
    // A session that broke after the greeting (a tarpit on EHLO) carries no mail either.
    case 'after-greeting':
      if (port.failure) return unusable(port);
      return port.tls ? assessTls(port, role, now) : assessPlain(role, 'no TLS session');
    case 'plain':
      return assessPlain(role, usability.why);
    case 'never':
      return unusable(port);
    default:
      return assertNever(usability);
  }
}
