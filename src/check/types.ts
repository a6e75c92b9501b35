import type { HostDiagnosis } from '../diagnose/types.js';
import type { PortProbe, ProbeMode } from '../probe/types.js';

/** One check as a user asked for it, already parsed (see parseCheckRequest). */
export interface CheckRequest {
  /** Host name, domain or IP literal (IPv6 without brackets). */
  target: string;
  /** Explicit ports; empty means the defaults plus the provider's alternates. */
  ports: number[];
  /** Probe the domain's MX hosts instead of the name itself ('auto': only when it has no address). */
  mx: 'auto' | 'force';
  /**
   * TLS modes the user named (an `smtps://host:2465` URL); every other port follows the
   * convention (implicit TLS on 465 and 2465 and the provider's own implicit-TLS ports).
   */
  portModes?: Array<{ port: number; mode: ProbeMode }>;
  /** Overrides the connect timeout for this check. */
  timeoutMs?: number;
}

export interface CheckPlan {
  target: string;
  /** The ports that will be probed, in display order. */
  ports: number[];
  providerName: string | null;
}

/** Who asked: a person waiting for the answer, or the watch schedule. */
export type CheckPriority = 'interactive' | 'scheduled';

export interface CheckHooks {
  /** Absent means interactive. Set by limitConcurrency's runScheduledCheck. */
  priority?: CheckPriority;
  /** Called once, before any connection, with the ports that will be probed. */
  onPlan?: (plan: CheckPlan) => void;
  /** Called as each port finishes. */
  onPort?: (port: PortProbe) => void;
}

/** The use case every entry point shares: probe, then diagnose. Never throws for network outcomes. */
export type RunCheck = (request: CheckRequest, hooks?: CheckHooks) => Promise<HostDiagnosis>;
