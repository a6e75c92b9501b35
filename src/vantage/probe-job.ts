import { portsRefusal } from '../check/admission.js';
import { limitsFor } from '../check/run-check.js';
import { policyRefusal } from '../diagnose/policy-refusal.js';
import type { HostProbe, ProbeLimits } from '../probe/types.js';
import type { ProbeJob, VantageAnswer } from './facts-schema.js';
import type { WorkerDeps } from './worker-deps.js';

// One job as a worker probes it: the limits it may use (capped by the worker, ending before the
// check's deadline on the database's clock) and the probe itself, whose every outcome is an answer.

/** The longest a job may make one stage wait, whatever it asks: a worker is not a slow scanner. */
export const MAX_JOB_TIMEOUT_MS = 60_000;

/** The limits of one job: its timeout capped by this worker, every port ending before the deadline. */
export function jobLimits(
  base: ProbeLimits,
  timeoutMs: number | undefined,
  remainingMs: number,
): ProbeLimits {
  const limits = limitsFor(
    base,
    timeoutMs === undefined ? undefined : Math.min(timeoutMs, MAX_JOB_TIMEOUT_MS),
  );
  const deadline = Math.max(1, Math.min(limits.portDeadlineMs, remainingMs));
  return {
    ...limits,
    portDeadlineMs: deadline,
    connectTimeoutMs: Math.min(limits.connectTimeoutMs, deadline),
    greetingTimeoutMs: Math.min(limits.greetingTimeoutMs, deadline),
    replyTimeoutMs: Math.min(limits.replyTimeoutMs, deadline),
  };
}

/** Probes one job, or says why not. Never throws: a failure is an answer too. */
export async function probeJob(deps: WorkerDeps, job: ProbeJob, remainingMs: number): Promise<VantageAnswer> {
  const refusedPorts = portsRefusal(job.ports, deps.allowedPorts);
  if (refusedPorts !== null) return { kind: 'refused', reason: refusedPorts, version: deps.version };
  // A job taken with less time left than one connect may take (a retry after a worker died) would
  // cut the probe short and call a slow network "filtered": it is answered as not probed instead.
  const connectMs = jobLimits(deps.limits, job.timeoutMs, Number.POSITIVE_INFINITY).connectTimeoutMs;
  if (remainingMs < connectMs) {
    return {
      kind: 'failed',
      error: `only ${remainingMs} ms of the check's deadline were left when this worker took it, less than one connect may take (${connectMs} ms): not probed`,
      version: deps.version,
    };
  }
  try {
    const probe: HostProbe = await deps.probeHost(job.target, {
      ports: job.ports,
      limits: jobLimits(deps.limits, job.timeoutMs, remainingMs),
      mx: job.mx,
      implicitTlsPorts: job.implicitTlsPorts,
      checkAddress: (address, host) => deps.policy.checkAddress(host, address),
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
      ...(deps.extraCa ? { extraCa: deps.extraCa } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
    const refusal = policyRefusal(probe);
    if (refusal !== null) return { kind: 'refused', reason: refusal, version: deps.version };
    deps.metrics?.stagesTimed(probe.ports);
    return { kind: 'answered', probe, version: deps.version };
  } catch (error) {
    deps.logger.error('probe failed', { error, target: job.target });
    return { kind: 'failed', error: (error as Error)?.message ?? String(error), version: deps.version };
  }
}
