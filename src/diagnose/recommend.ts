import type { PortProbe } from '../probe/types.js';
import { buildConfigSnippets, describeSecurity } from './config-snippets.js';
import { certificateDaysLeft, formatMs } from './evidence.js';
import { SUBMISSION_PREFERENCE } from './knowledge/ports.js';
import { providerPorts } from './knowledge/providers.js';
import type {
  Finding,
  PortDiagnosis,
  PortVerification,
  ProviderInfo,
  Recommendation,
  Severity,
} from './types.js';
import { assessPort } from './usability.js';

/** Past this, client defaults (nodemailer greetingTimeout 30 s) give up before the greeting. */
const GREETING_TIMEOUT_DEFAULT_MS = 30_000;
const GREETING_TIMEOUT_MAX_MS = 300_000;

/** A port's worst finding as a rank: 0 without findings, then info, warning, critical. */
const FINDING_RANK: Record<Severity | 'none', number> = { none: 0, info: 1, warning: 2, critical: 3 };

function worstSeverity(port: PortDiagnosis): Severity | 'none' {
  let worst: Severity | 'none' = 'none';
  for (const found of port.findings)
    if (FINDING_RANK[found.severity] > FINDING_RANK[worst]) worst = found.severity;
  return worst;
}

/**
 * The order ports are preferred in when their findings are equal: the provider's documented
 * ports first (when the host is a known provider), then 587, 465, 2525, 2587, 2465, any other
 * submission port in the order probed, and relay on 25 last.
 */
export function preferenceOrder(ports: PortDiagnosis[], provider: ProviderInfo | null): PortDiagnosis[] {
  const documented = (port: PortDiagnosis) =>
    provider && !providerPorts(provider).includes(port.port) ? 1 : 0;
  const known = (port: PortDiagnosis) => {
    const index = SUBMISSION_PREFERENCE.indexOf(port.port);
    return index === -1 ? SUBMISSION_PREFERENCE.length : index;
  };
  const relay = (port: PortDiagnosis) => (port.role === 'relay' ? 1 : 0);
  // Array.prototype.sort is stable: other submission ports keep the order they were probed in.
  return [...ports].sort(
    (a, b) => relay(a) - relay(b) || documented(a) - documented(b) || known(a) - known(b),
  );
}

/**
 * The ranking: a usable submission port before relay on 25 (relay is another service, and only
 * the fallback); then ports without findings before ports with them, the least severe first;
 * then the preference order.
 */
function rank(usable: PortDiagnosis[], provider: ProviderInfo | null): PortDiagnosis[] {
  const order = preferenceOrder(usable, provider);
  const relay = (port: PortDiagnosis) => (port.role === 'relay' ? 1 : 0);
  const findings = (port: PortDiagnosis) => FINDING_RANK[worstSeverity(port)];
  return [...order].sort((a, b) => relay(a) - relay(b) || findings(a) - findings(b));
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

/** The ids of a port's most severe findings: "auth-before-tls", "cert-expiring". */
function worstFindingIds(port: PortDiagnosis): string {
  const worst = worstSeverity(port);
  const ids = port.findings.filter((found: Finding) => found.severity === worst).map((found) => found.id);
  return [...new Set(ids)].join(', ');
}

/** Why the chosen port is a relay, true to what was asked: maybe no submission port was probed. */
function relayNote(ports: PortDiagnosis[]): string {
  const probed = ports.some((port) => port.role === 'submission');
  return probed
    ? 'use it for relay (server-to-server) only, as no submission port probed works from here'
    : 'use it for relay (server-to-server) only; no submission port was probed';
}

/** Said when the choice has findings: which, and that every usable alternative has them too. */
function findingsNote(chosen: PortDiagnosis, candidates: PortDiagnosis[]): string | null {
  const worst = worstSeverity(chosen);
  if (worst === 'none') return null;
  const others = candidates.filter((port) => port !== chosen && port.role === chosen.role);
  const why =
    others.length === 0
      ? `no other ${chosen.role === 'relay' ? 'port' : 'submission port'} is usable`
      : `every other usable port has findings too (${others.map((port) => `${port.port}: ${worstFindingIds(port)}`).join('; ')})`;
  return `chosen despite its ${worst === 'info' ? 'note' : worst} (${worstFindingIds(chosen)}) because ${why}`;
}

/** The recommendation for one candidate port, with the reason it is chosen over those preferred to it. */
function buildRecommendation(
  host: string,
  chosen: PortDiagnosis,
  candidates: PortDiagnosis[],
  ports: PortDiagnosis[],
  provider: ProviderInfo | null,
  now: Date,
): Recommendation {
  const security = assessPort(chosen, chosen.role, now).security;
  const relay = chosen.role === 'relay';
  const mechanisms = chosen.tls ? chosen.auth.afterTls : chosen.auth.beforeTls;
  // Submission always logs in; relay does only where the server offers AUTH (ESPs do on 25).
  const authenticate = !relay || (security !== 'none' && mechanisms.length > 0);
  // Say why the ports preferred over the choice were passed over.
  const order = preferenceOrder(ports, provider);
  const skipped = order.slice(0, order.indexOf(chosen)).map((port) => {
    const why = port.usable ? worstFindingIds(port) : assessPort(port, port.role, now).reason;
    return `${port.port} (${why})`;
  });
  const facts = evidence(chosen, now);
  const reason = [
    `${chosen.port} with ${describeSecurity(security)} works from here${facts ? ` (${facts})` : ''}`,
    relay ? relayNote(ports) : null,
    findingsNote(chosen, candidates),
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

/**
 * Every usable port's configuration, best first: what a check hands nodemailer, in this order,
 * until one is accepted. Ports without findings win over ports with them (a clean implicit TLS on
 * 2465 over AUTH-before-TLS on 2525); each reason says why when its port has findings all the
 * same, and which preferred ports were passed over.
 */
export function rankRecommendations(
  host: string,
  ports: PortDiagnosis[],
  provider: ProviderInfo | null,
  now: Date,
): Recommendation[] {
  const candidates = rank(
    ports.filter((port) => port.usable),
    provider,
  );
  return candidates.map((chosen) => buildRecommendation(host, chosen, candidates, ports, provider, now));
}

/**
 * The best usable port and security from here. With verifications, the best configuration that
 * nodemailer accepted, and none when it accepted none: a configuration a verifying client refuses
 * is never recommended.
 */
export function recommend(
  host: string,
  ports: PortDiagnosis[],
  provider: ProviderInfo | null,
  now: Date,
  verifications?: readonly PortVerification[],
): Recommendation | null {
  const ranked = rankRecommendations(host, ports, provider, now);
  if (!verifications) return ranked[0] ?? null;
  const byPort = new Map(verifications.map((entry) => [entry.port, entry.verification]));
  for (const candidate of ranked) {
    const verified = byPort.get(candidate.port);
    if (!verified?.ok) continue;
    const refused = verifications
      .filter((entry) => !entry.verification.ok && entry.port !== candidate.port)
      .map((entry) => `${entry.port} (${entry.verification.error ?? 'refused'})`);
    const reason =
      refused.length > 0 ? `${candidate.reason}; nodemailer refused ${refused.join('; ')}` : candidate.reason;
    return { ...candidate, reason, verified };
  }
  return null;
}
