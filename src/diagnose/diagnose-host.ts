import type { HostProbe, PortProbe } from '../probe/types.js';
import { buildChecklist } from './checklist.js';
import { compareSeverity, roleForPort } from './knowledge/ports.js';
import { matchProvider } from './knowledge/providers.js';
import { recommend } from './recommend.js';
import type { HostRuleScope, PortRuleScope } from './rule.js';
import { HOST_RULES, PORT_RULES } from './rules/index.js';
import type { DiagnoseContext, Finding, HostDiagnosis, PortDiagnosis, ProviderInfo } from './types.js';
import { assessPort } from './usability.js';
import { buildVerdict } from './verdict.js';

function bySeverity(findings: Finding[]): Finding[] {
  // Array.prototype.sort is stable, so rule order survives within a severity.
  return [...findings].sort((a, b) => compareSeverity(a.severity, b.severity));
}

function diagnosePort(port: PortProbe, scope: Omit<PortRuleScope, 'role'>): PortDiagnosis {
  const role = roleForPort(port.port);
  const findings = PORT_RULES.flatMap((rule) => rule.check(port, { ...scope, role }));
  return { ...port, role, usable: assessPort(port, role, scope.now).usable, findings: bySeverity(findings) };
}

/**
 * The provider is normally resolved by the caller (it chose the ports with it); when it was not,
 * the probed host or the asked-for target may still be a known one.
 */
function resolveProvider(probe: HostProbe, context: DiagnoseContext): ProviderInfo | null {
  return context.provider ?? matchProvider(probe.host) ?? matchProvider(probe.target);
}

/**
 * Host names are case-insensitive (RFC 4343); one spelling, lower case, is used everywhere the
 * diagnosis names the host — summaries, advice, configuration — so the report never shows two.
 */
function canonicalName(name: string): string {
  return name.toLowerCase();
}

/** From the probe's facts to findings, a verdict, a recommendation and advice. Pure. */
export function diagnoseHost(facts: HostProbe, context: DiagnoseContext): HostDiagnosis {
  const probe: HostProbe = { ...facts, target: canonicalName(facts.target), host: canonicalName(facts.host) };
  const provider = resolveProvider(probe, context);
  const base = { probe, provider, now: context.now, egressCanary: context.egressCanary };
  const ports = probe.ports.map((port) => diagnosePort(port, base));
  const hostScope: HostRuleScope = {
    provider,
    now: context.now,
    egressCanary: context.egressCanary,
    ports,
    ...(context.verifications ? { verifications: context.verifications } : {}),
  };
  const findings = bySeverity(HOST_RULES.flatMap((rule) => rule.check(probe, hostScope)));
  const recommendation = recommend(probe.host, ports, provider, context.now, context.verifications);
  return {
    target: probe.target,
    host: probe.host,
    mx: probe.mx,
    addresses: probe.addresses,
    checkedAt: probe.checkedAt,
    durationMs: probe.durationMs,
    provider,
    ports,
    findings,
    recommendation,
    verdict: buildVerdict(ports, findings, recommendation, context.egressCanary),
    advice: buildChecklist({
      host: probe.host,
      ports,
      hostFindings: findings,
      provider,
      recommendation,
      egressCanary: context.egressCanary,
    }),
    egressCanary: context.egressCanary,
  };
}
