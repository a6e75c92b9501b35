import type { PortRole, Severity } from '../types.js';

/** Probed when the user names no ports; provider alternates are added to these. */
export const DEFAULT_PORTS: readonly number[] = [25, 465, 587, 2525];

/** The probe's convention (465 and 2465 speak TLS from the first byte); a provider may add more: see planPorts. */
export { IMPLICIT_TLS_PORTS } from '../../probe/types.js';

/** The ports every mail server is expected to offer; others (2525, …) are optional extras. */
export const STANDARD_PORTS: readonly number[] = [25, 465, 587];

/**
 * Submission ports in the order a recommendation prefers them when their findings are equal:
 * 587 (STARTTLS) and 465 (implicit TLS) are what every client knows; 2525, 2587 and 2465 are the
 * alternates ESPs run for networks that block those. Relay on 25 always comes last.
 */
export const SUBMISSION_PREFERENCE: readonly number[] = [587, 465, 2525, 2587, 2465];

/** Port 25 is server-to-server relay (RFC 5321); every other port carries client submission. */
export function roleForPort(port: number): PortRole {
  return port === 25 ? 'relay' : 'submission';
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Orders findings most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/**
 * Relay between servers tolerates what submission must not: MTAs deliver over opportunistic TLS
 * without verifying the certificate, so on 25 a problem is at most a warning.
 */
export function severityForRole(role: PortRole, submission: Severity): Severity {
  if (role === 'submission' || submission !== 'critical') return submission;
  return 'warning';
}
