import type { PortProbe } from '../probe/types.js';
import { STANDARD_PORTS } from './knowledge/ports.js';
import { providerPorts } from './knowledge/providers.js';
import type { DiagnoseContext, ProviderInfo } from './types.js';
import { listPorts } from './evidence.js';

/**
 * Whether the host is expected to answer on this port: the provider documents it, or, for an
 * unknown host, it is one of 25/465/587. A silent 2525 on a host that never offered it is no fault.
 */
export function isExpectedPort(port: number, provider: ProviderInfo | null): boolean {
  return provider ? providerPorts(provider).includes(port) : STANDARD_PORTS.includes(port);
}

/** "Postmark does not document port 465 (it offers 25, 587 and 2525)." */
export function undocumentedPortNote(port: number, provider: ProviderInfo): string {
  return `${provider.name} does not document port ${port} (it offers ${listPorts(providerPorts(provider))}; ${provider.docsUrl}).`;
}

/**
 * The egress canary explains a filtered port when it timed out on the same port too: then the
 * network the check runs from blocks that port, and the target is not to blame.
 */
export function egressExplains(port: PortProbe, canary: DiagnoseContext['egressCanary']): boolean {
  return (
    canary !== null &&
    port.class === 'filtered' &&
    canary.port.port === port.port &&
    canary.port.class === 'filtered'
  );
}

/**
 * The egress canary got a TCP answer on the same port: this network lets that port out, so a
 * filtered target port is dropped at or near the target, not by the network the check runs from.
 */
export function egressOpen(port: PortProbe, canary: DiagnoseContext['egressCanary']): boolean {
  return (
    canary !== null &&
    port.class === 'filtered' &&
    canary.port.port === port.port &&
    canary.port.timings.connect !== undefined &&
    canary.port.failure?.stage !== 'connect'
  );
}

/** "mx.example.net:25", whether the caller's target already carries the port or not. */
export function canaryEndpoint(canary: NonNullable<DiagnoseContext['egressCanary']>): string {
  const suffix = `:${canary.port.port}`;
  return canary.target.endsWith(suffix) ? canary.target : `${canary.target}${suffix}`;
}
