import type { PortProbe } from '../probe/types.js';
import { buildConfigSnippets, describeSecurity } from './config-snippets.js';
import { certificateDaysLeft, formatMs } from './evidence.js';
import { providerAlternates } from './knowledge/providers.js';
import { assessPort } from './usability.js';
import type { PortDiagnosis, ProviderInfo, Recommendation } from './types.js';

/** Submission first: 587 (STARTTLS) and 465 (implicit TLS) are what every client knows. */
const FIRST_CHOICES: readonly number[] = [587, 465];
/** Alternates ESPs run for networks that block the usual ports. */
const GENERIC_ALTERNATES: readonly number[] = [2525, 2587, 2465];
/** Past this, client defaults (nodemailer greetingTimeout 30 s) give up before the greeting. */
const GREETING_TIMEOUT_DEFAULT_MS = 30_000;
const GREETING_TIMEOUT_MAX_MS = 300_000;

/** The order ports are preferred in; any other usable submission port comes after, 25 last. */
export function preferenceOrder(ports: PortDiagnosis[], provider: ProviderInfo | null): number[] {
  const alternates = provider ? providerAlternates(provider) : GENERIC_ALTERNATES;
  const others = ports.filter((port) => port.role === 'submission').map((port) => port.port);
  const relay = ports.filter((port) => port.role === 'relay').map((port) => port.port);
  return [...new Set([...FIRST_CHOICES, ...alternates, ...others, ...relay])];
}

function evidence(port: PortDiagnosis, now: Date): string {
  const parts: string[] = [];
  if (port.timings.greeting !== undefined) parts.push(`greeted in ${formatMs(port.timings.greeting)}`);
  if (port.tls?.protocol) parts.push(port.tls.protocol);
  const certificate = port.certificate;
  if (certificate?.trusted && certificate.hostnameMatches) {
    parts.push(`trusted certificate valid ${certificateDaysLeft(certificate, now)} more days`);
  }
  return parts.join(', ');
}

function greetingTimeoutFor(port: PortProbe): number | undefined {
  const greeting = port.timings.greeting;
  if (greeting === undefined || greeting * 2 <= GREETING_TIMEOUT_DEFAULT_MS) return undefined;
  return Math.min(GREETING_TIMEOUT_MAX_MS, Math.ceil((greeting * 2) / 1_000) * 1_000);
}

function hasCritical(port: PortDiagnosis): boolean {
  return port.findings.some((finding) => finding.severity === 'critical');
}

/**
 * The best usable port and security from here. Among usable ports, those without a critical
 * finding (a certificate expiring this week, say) win over those with one.
 */
export function recommend(
  host: string,
  ports: PortDiagnosis[],
  provider: ProviderInfo | null,
  now: Date,
): Recommendation | null {
  const byPort = new Map(ports.map((port) => [port.port, port]));
  const order = preferenceOrder(ports, provider)
    .map((number) => byPort.get(number))
    .filter((port): port is PortDiagnosis => port !== undefined);
  const candidates = order.filter((port) => port.usable);
  const healthy = candidates.filter((port) => !hasCritical(port));
  const chosen = healthy[0] ?? candidates[0];
  if (!chosen) return null;

  const security = assessPort(chosen, chosen.role, now).security;
  const relay = chosen.role === 'relay';
  const mechanisms = chosen.tls ? chosen.auth.afterTls : chosen.auth.beforeTls;
  // Submission always logs in; relay does only where the server offers AUTH (ESPs do on 25).
  const authenticate = !relay || (security !== 'none' && mechanisms.length > 0);
  // Say why the ports preferred over the choice were passed over.
  const skipped = order.slice(0, order.indexOf(chosen)).map((port) => {
    const why = port.usable
      ? port.findings.find((f) => f.severity === 'critical')?.id
      : assessPort(port, port.role, now).reason;
    return `${port.port} (${why})`;
  });
  const facts = evidence(chosen, now);
  const reason = [
    `${chosen.port} with ${describeSecurity(security)} works from here${facts ? ` (${facts})` : ''}`,
    relay ? 'use it for relay (server-to-server) only, as no submission port works' : null,
    skipped.length > 0 ? `passed over ${skipped.join('; ')}` : null,
  ]
    .filter((part) => part !== null)
    .join('; ');

  return {
    host,
    port: chosen.port,
    security,
    reason,
    config: buildConfigSnippets({
      host,
      port: chosen.port,
      security,
      authenticate,
      authMechanisms: mechanisms,
      greetingTimeoutMs: greetingTimeoutFor(chosen),
    }),
  };
}
