import { notProbed, port25EvidenceOf } from '../posture/port25-evidence.js';
import type { ProbePort25 } from '../posture/transport-types.js';
import type { TargetPolicy } from '../policy/index.js';
import type { ProbeHost, ProbeLimits, Resolver } from '../probe/types.js';

export interface ProbePort25Deps {
  probeHost: ProbeHost;
  limits: ProbeLimits;
  now: () => Date;
  resolver?: Resolver;
  /** Absent: every address may be dialled (the terminal command). */
  policy?: TargetPolicy;
  extraCa?: string[];
  /** 25; a test server's port in tests. */
  port?: number;
}

/**
 * The domain report's look at an MX host's port 25: the same engine as a check (greeting first,
 * STARTTLS, the certificate judged for the MX name), under the same target policy, with no
 * recommendation and no send. Never throws: an MX host we cannot reach is evidence too.
 */
export function createProbePort25(deps: ProbePort25Deps): ProbePort25 {
  const port = deps.port ?? 25;
  const policy = deps.policy;
  return async (exchange) => {
    try {
      const probe = await deps.probeHost(exchange, {
        ports: [port],
        limits: deps.limits,
        mx: 'off',
        implicitTlsPorts: [],
        now: deps.now,
        ...(deps.resolver ? { resolver: deps.resolver } : {}),
        ...(deps.extraCa ? { extraCa: deps.extraCa } : {}),
        ...(policy
          ? { checkAddress: (address: string, host: string) => policy.checkAddress(host, address) }
          : {}),
      });
      const found = probe.ports[0];
      if (found) return port25EvidenceOf(exchange, found);
      return notProbed(exchange, port, probe.resolveFailure?.message ?? `${exchange} has no address to dial`);
    } catch (error) {
      return notProbed(
        exchange,
        port,
        `the probe failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
