import { describeSecurity } from './config-snippets.js';
import { egressExplains } from './expectations.js';
import { compareSeverity } from './knowledge/ports.js';
import type {
  DiagnoseContext,
  Finding,
  HostDiagnosis,
  HostVerdict,
  PortDiagnosis,
  Recommendation,
} from './types.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE } from '../util/exit-codes.js';

/** "25 filtered", "587 cert-expired", "25 blocked here": the port's most telling problem. */
function problem(port: PortDiagnosis, egressCanary: DiagnoseContext['egressCanary']): string | null {
  if (egressExplains(port, egressCanary)) return `${port.port} blocked here`;
  const worst = [...port.findings].sort((a, b) => compareSeverity(a.severity, b.severity))[0];
  if (!port.usable) {
    // For a TLS class the class says nothing is wrong; the finding (certificate, …) says what is.
    const open = port.class === 'open-starttls' || port.class === 'open-implicit-tls';
    return `${port.port} ${open && worst ? worst.id : port.class}`;
  }
  return worst?.severity === 'critical' ? `${port.port} ${worst.id}` : null;
}

/**
 * ok: a submission port works and nothing is critical (CLI exit code 0); degraded: mail
 * can go out but something needs fixing, or only as relay on 25; failing: nothing works.
 */
export function buildVerdict(
  ports: PortDiagnosis[],
  hostFindings: Finding[],
  recommendation: Recommendation | null,
  egressCanary: DiagnoseContext['egressCanary'],
): HostVerdict {
  const usablePorts = ports.filter((port) => port.usable).map((port) => port.port);
  const critical = [...hostFindings, ...ports.flatMap((port) => port.findings)].some(
    (finding) => finding.severity === 'critical',
  );
  const submissionUsable = ports.some((port) => port.usable && port.role === 'submission');
  const status = !recommendation ? 'failing' : submissionUsable && !critical ? 'ok' : 'degraded';

  const parts: string[] = [];
  if (ports.length === 0) {
    // The cause (dns-failed, denied-by-policy) says more than its consequence, no-usable-port.
    const hostProblem = hostFindings.find((finding) => finding.id !== 'no-usable-port') ?? hostFindings[0];
    parts.push(hostProblem ? `no port probed · ${hostProblem.id}` : 'no port probed');
  } else {
    parts.push(`${usablePorts.length} of ${ports.length} ports usable`);
    const hostWide = new Set(ports.map((port) => port.class));
    const [only] = hostWide;
    // A name that does not resolve (or a refused target) fails every port alike: say it once.
    if (hostWide.size === 1 && (only === 'dns-failed' || only === 'denied-by-policy')) parts.push(only);
    else
      for (const port of ports) {
        const text = problem(port, egressCanary);
        if (text) parts.push(text);
      }
  }
  if (recommendation) {
    const relay = ports.find((port) => port.port === recommendation.port)?.role === 'relay';
    parts.push(
      `use ${recommendation.port}${relay ? ' (relay only)' : ''} + ${describeSecurity(recommendation.security)}`,
    );
  } else if (hostFindings.some((finding) => finding.id === 'no-verified-config')) {
    parts.push('no configuration a verifying client accepts');
  } else if (ports.length > 0) {
    parts.push('nothing usable');
  }
  return { status, summary: parts.join(' · '), usablePorts };
}

export { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE };

/**
 * The exit code a diagnosis stands for: 0 when a submission port is usable and nothing is
 * critical (the verdict's "ok"), 1 otherwise. Decided here, once, next to the verdict it mirrors.
 */
export function exitCodeFor(diagnosis: Pick<HostDiagnosis, 'ports' | 'findings'>): number {
  const critical = [...diagnosis.findings, ...diagnosis.ports.flatMap((port) => port.findings)].some(
    (finding) => finding.severity === 'critical',
  );
  const submissionUsable = diagnosis.ports.some((port) => port.usable && port.role === 'submission');
  return submissionUsable && !critical ? EXIT_OK : EXIT_PROBLEM;
}
