import { isIP } from 'node:net';
import { notProbed, port25EvidenceOf } from '../posture/port25-evidence.js';
import type { ProbePort25 } from '../posture/transport-types.js';
import type { TargetPolicy } from '../policy/index.js';
import type { ProbeHost, ProbeLimits, Resolver } from '../probe/types.js';

export interface ProbePort25Deps {
  probeHost: ProbeHost;
  limits: ProbeLimits;
  now: () => Date;
  /** Absent: every address may be dialled (the terminal command). */
  policy?: TargetPolicy;
  extraCa?: string[];
  /** 25; a test server's port in tests. */
  port?: number;
}

function noAddress(host: string): Promise<never> {
  return Promise.reject(
    Object.assign(new Error(`${host} has no address of this family`), { code: 'ENODATA' }),
  );
}

/**
 * The addresses the domain report already resolved for the MX host, as the probe's resolver: the
 * probe dials what the report judges (reverse DNS, blocklists), and asks no other DNS server.
 */
function knownAddresses(exchange: string, addresses: readonly string[]): Resolver {
  const family = (wanted: 4 | 6) => addresses.filter((address) => isIP(address) === wanted);
  const answer = (wanted: 4 | 6) => async (host: string) => {
    const found = host === exchange ? family(wanted) : [];
    return found.length > 0 ? found : noAddress(host);
  };
  return { resolve4: answer(4), resolve6: answer(6), resolveMx: noAddress };
}

/**
 * The domain report's look at an MX host's port 25: the same engine as a check (greeting first,
 * STARTTLS, the certificate judged for the MX name), under the same target policy, with no
 * recommendation and no send. Never throws: an MX host we cannot reach is evidence too.
 */
export function createProbePort25(deps: ProbePort25Deps): ProbePort25 {
  const port = deps.port ?? 25;
  const policy = deps.policy;
  return async (exchange, addresses) => {
    if (addresses.length === 0) return notProbed(exchange, port, `${exchange} has no address to dial`);
    try {
      const probe = await deps.probeHost(exchange, {
        ports: [port],
        limits: deps.limits,
        mx: 'off',
        implicitTlsPorts: [],
        now: deps.now,
        resolver: knownAddresses(exchange, addresses),
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
