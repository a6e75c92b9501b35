import type { Finding, HostDiagnosis, PortDiagnosis } from '../diagnose/types.js';

// The `--json` shape is a public contract (README, "JSON output"): fields are added,
// never renamed or removed.

interface JsonFinding {
  id: string;
  severity: string;
  port: number | null;
  summary: string;
  advice: string[];
}

export function finding(f: Finding): JsonFinding {
  return { id: f.id, severity: f.severity, port: f.port, summary: f.summary, advice: f.advice };
}

/** Milliseconds to a tenth: the clock is not finer than that in any way that matters here. */
function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

function timings(values: PortDiagnosis['timings']): PortDiagnosis['timings'] {
  return Object.fromEntries(Object.entries(values).map(([stage, value]) => [stage, ms(value ?? 0)]));
}

export function port(p: PortDiagnosis) {
  return {
    port: p.port,
    mode: p.mode,
    class: p.class,
    usable: p.usable,
    role: p.role,
    address: p.address,
    observedMode: p.observedMode,
    durationMs: ms(p.durationMs),
    timings: timings(p.timings),
    greeting: p.greeting,
    greetingCode: p.greetingCode,
    ehlo: p.ehlo,
    ehloBeforeTls: p.ehloBeforeTls,
    heloFallback: p.heloFallback,
    auth: p.auth,
    sizeLimit: p.sizeLimit,
    tls: p.tls,
    certificate: p.certificate,
    failure: p.failure,
    truncated: p.truncated,
    firstAttempt: p.firstAttempt,
    // Every address dialled for the port (the port's own facts are the first one's).
    attempts: (p.attempts ?? []).map((attempt) => ({
      address: attempt.address,
      class: attempt.class,
      ms: ms(attempt.ms),
      failure: attempt.failure,
    })),
    findings: p.findings.map(finding),
  };
}

export function toJson(diagnosis: HostDiagnosis) {
  return {
    host: diagnosis.host,
    target: diagnosis.target,
    mx: diagnosis.mx,
    addresses: diagnosis.addresses,
    checkedAt: diagnosis.checkedAt,
    durationMs: ms(diagnosis.durationMs),
    provider: diagnosis.provider,
    verdict: diagnosis.verdict,
    ports: diagnosis.ports.map(port),
    findings: diagnosis.findings.map(finding),
    recommendation: diagnosis.recommendation
      ? {
          host: diagnosis.recommendation.host,
          port: diagnosis.recommendation.port,
          security: diagnosis.recommendation.security,
          reason: diagnosis.recommendation.reason,
          config: diagnosis.recommendation.config,
          ...(diagnosis.recommendation.verified ? { verified: diagnosis.recommendation.verified } : {}),
        }
      : null,
    advice: diagnosis.advice,
    egressCanary: diagnosis.egressCanary
      ? {
          target: diagnosis.egressCanary.target,
          class: diagnosis.egressCanary.port.class,
          durationMs: ms(diagnosis.egressCanary.port.durationMs),
        }
      : null,
    // MX checks only: each MX host's MTA-STS coverage and DANE match.
    ...(diagnosis.mxTransport ? { mxTransport: diagnosis.mxTransport } : {}),
  };
}

export type DiagnosisJson = ReturnType<typeof toJson>;

/** One JSON object, as printed by `smtp-check --json`. */
export function renderJson(diagnosis: HostDiagnosis): string {
  return `${JSON.stringify(toJson(diagnosis), null, 2)}\n`;
}
