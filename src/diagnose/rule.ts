import type { HostProbe, PortProbe } from '../probe/types.js';
import type {
  DiagnoseContext,
  Finding,
  FindingId,
  PortDiagnosis,
  PortRole,
  ProviderInfo,
  Severity,
} from './types.js';

/** What a port rule may look at besides the port itself: its siblings, its role, the context. */
export interface PortRuleScope {
  probe: HostProbe;
  role: PortRole;
  provider: ProviderInfo | null;
  now: Date;
  egressCanary: DiagnoseContext['egressCanary'];
}

/** A rule is an id and a pure function, in a file named after the id. */
export interface PortRule {
  id: FindingId;
  check(port: PortProbe, scope: PortRuleScope): Finding[];
}

/** Host rules run after the ports are judged, so they can reason about usability. */
export interface HostRuleScope {
  provider: ProviderInfo | null;
  now: Date;
  egressCanary: DiagnoseContext['egressCanary'];
  ports: PortDiagnosis[];
  /** The candidate configurations nodemailer was handed; absent when the check did not verify. */
  verifications?: DiagnoseContext['verifications'];
}

export interface HostRule {
  id: FindingId;
  check(probe: HostProbe, scope: HostRuleScope): Finding[];
}

export function finding(
  id: FindingId,
  severity: Severity,
  port: number | null,
  summary: string,
  advice: string[],
): Finding {
  return { id, severity, port, summary, advice };
}
