import { diagnoseHost, matchProvider, planPorts, rankRecommendations } from '../diagnose/index.js';
import type { DiagnoseContext, HostDiagnosis, PortVerification, Recommendation } from '../diagnose/types.js';
// Not the room's index: that loads prom-client, which a terminal check never needs.
import type { CheckTrigger, Metrics } from '../metrics/metrics.js';
import { NO_METRICS } from '../metrics/no-metrics.js';
import type { PortDiagnosis } from '../diagnose/types.js';
import type { RateDecision, TargetPolicy } from '../policy/index.js';
import type {
  AddressDecision,
  HostProbe,
  PortProbe,
  ProbeHost,
  ProbeLimits,
  Resolver,
} from '../probe/types.js';
import type { DescribeMxTransport } from './mx-transport.js';
import type { CheckHooks, CheckRequest, RunCheck } from './types.js';

export interface EgressCanary {
  host: string;
  port: number;
}

export interface RunCheckDeps {
  probeHost: ProbeHost;
  limits: ProbeLimits;
  now: () => Date;
  resolver?: Resolver;
  /** Target policy; absent means every address may be dialled (the terminal command). */
  policy?: TargetPolicy;
  extraCa?: string[];
  /** Ports probed when the request names none (before provider alternates are added). */
  defaultPorts?: number[];
  egressCanary?: EgressCanary | null;
  /**
   * Per-address rate limit for people's checks, taken once the target is resolved, before any
   * connection: several names for one server share one allowance. Scheduled re-checks skip it
   * (the schedule is the bot's own, bounded pace).
   */
  addressLimiter?: { takeAddress(address: string): RateDecision | Promise<RateDecision> };
  /**
   * Hands a candidate configuration to nodemailer (see src/proof). With it, only a configuration
   * nodemailer accepted is recommended. Scheduled re-checks skip it: they show no configuration.
   */
  verifyRecommendation?: (candidate: Recommendation, port: PortDiagnosis) => Promise<PortVerification>;
  /**
   * On an MX check, each MX host's MTA-STS coverage and DANE match (see mx-transport.ts), beside
   * the verification. Scheduled re-checks skip it: their alerts are about ports.
   */
  mxTransport?: DescribeMxTransport;
  metrics?: Metrics;
  /** Who asks when the hooks do not say it is the schedule (default chat). */
  trigger?: CheckTrigger;
}

/** Candidates handed to nodemailer at most, best first, until one is accepted. */
const MAX_VERIFIED_CANDIDATES = 3;

/**
 * Verifies the ranked configurations in order and stops at the first nodemailer accepts: a
 * healthy host costs one extra connection, to the port that will be recommended.
 */
async function verifyCandidates(
  diagnosis: HostDiagnosis,
  now: Date,
  verify: NonNullable<RunCheckDeps['verifyRecommendation']>,
): Promise<PortVerification[]> {
  const ranked = rankRecommendations(diagnosis.host, diagnosis.ports, diagnosis.provider, now);
  const results: PortVerification[] = [];
  for (const candidate of ranked.slice(0, MAX_VERIFIED_CANDIDATES)) {
    const port = diagnosis.ports.find((each) => each.port === candidate.port);
    if (!port) continue;
    const result = await verify(candidate, port);
    results.push(result);
    if (result.verification.ok) break;
  }
  return results;
}

/** Applies a per-check timeout: every stage gets it, and the port deadline stays proportionate. */
export function limitsFor(base: ProbeLimits, timeoutMs: number | undefined): ProbeLimits {
  if (timeoutMs === undefined) return base;
  return {
    ...base,
    connectTimeoutMs: timeoutMs,
    greetingTimeoutMs: timeoutMs,
    replyTimeoutMs: timeoutMs,
    slowBannerMs: Math.min(base.slowBannerMs, timeoutMs),
    otherModeAfterMs: Math.min(base.otherModeAfterMs, timeoutMs),
    portDeadlineMs: timeoutMs * 9,
  };
}

/**
 * The implicit-TLS ports for this check: the plan's (the convention plus the provider's own, so an
 * allowed alternate is dialled in the mode the provider documents), then the modes the user named
 * with an `smtp://` or `smtps://` URL, which win.
 */
export function implicitTlsPortsFor(request: CheckRequest, planned: readonly number[]): number[] {
  const ports = new Set(planned);
  for (const { port, mode } of request.portModes ?? []) {
    if (mode === 'implicit-tls') ports.add(port);
    else ports.delete(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The one use case behind every entry point: plan the ports (provider alternates included),
 * probe them — and the egress canary alongside — then diagnose.
 */
export function createRunCheck(deps: RunCheckDeps): RunCheck {
  const metrics = deps.metrics ?? NO_METRICS;
  const check = diagnoseCheck(deps);
  return async (request, hooks = {}) => {
    const trigger = hooks.priority === 'scheduled' ? 'schedule' : (deps.trigger ?? 'chat');
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1_000;
    try {
      const diagnosis = await check(request, hooks);
      metrics.stagesTimed(diagnosis.ports);
      metrics.checkFinished({ trigger, verdict: diagnosis.verdict.status, seconds: seconds() });
      return diagnosis;
    } catch (error) {
      metrics.checkFinished({ trigger, verdict: 'error', seconds: seconds() });
      throw error;
    }
  };
}

function diagnoseCheck(deps: RunCheckDeps): RunCheck {
  return async (request: CheckRequest, hooks: CheckHooks = {}): Promise<HostDiagnosis> => {
    const provider = matchProvider(request.target);
    const plan = planPorts(request.target, request.ports, deps.defaultPorts);
    const ports = plan.ports;
    hooks.onPlan?.({ target: request.target, ports, providerName: provider?.name ?? null });

    const limits = limitsFor(deps.limits, request.timeoutMs);
    const policy = deps.policy;
    const addressLimiter = hooks.priority === 'scheduled' ? undefined : deps.addressLimiter;
    const canary = deps.egressCanary;
    const canaryProbe: Promise<HostProbe | null> =
      canary && ports.includes(canary.port)
        ? deps.probeHost(canary.host, {
            ports: [canary.port],
            limits,
            mx: 'off',
            now: deps.now,
            ...(deps.resolver ? { resolver: deps.resolver } : {}),
            ...(deps.extraCa ? { extraCa: deps.extraCa } : {}),
          })
        : Promise.resolve(null);

    const [probe, canaryResult] = await Promise.all([
      deps.probeHost(request.target, {
        ports,
        limits,
        mx: request.mx,
        implicitTlsPorts: implicitTlsPortsFor(request, plan.implicitTlsPorts),
        now: deps.now,
        ...(deps.resolver ? { resolver: deps.resolver } : {}),
        ...(policy || addressLimiter
          ? {
              checkAddress: async (address: string, host: string): Promise<AddressDecision> => {
                const decision = policy?.checkAddress(host, address) ?? { allowed: true };
                if (!decision.allowed || !addressLimiter) return decision;
                const rate = await addressLimiter.takeAddress(address);
                if (rate.allowed) return decision;
                const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
                return { allowed: false, reason: `${rate.reason}; try again in ${seconds} s` };
              },
            }
          : {}),
        ...(deps.extraCa ? { extraCa: deps.extraCa } : {}),
        ...(hooks.onPort ? { onPort: hooks.onPort } : {}),
      }),
      canaryProbe,
    ]);

    const canaryPort: PortProbe | undefined = canaryResult?.ports[0];
    const context: DiagnoseContext = {
      now: deps.now(),
      provider: provider ?? (probe.host !== request.target ? matchProvider(probe.host) : null),
      egressCanary:
        canary && canaryPort ? { target: `${canary.host}:${canary.port}`, port: canaryPort } : null,
    };
    const diagnosis = diagnoseHost(probe, context);
    const interactive = hooks.priority !== 'scheduled';
    const transport = interactive && deps.mxTransport ? deps.mxTransport(diagnosis) : undefined;
    let verified = diagnosis;
    if (deps.verifyRecommendation && interactive && diagnosis.recommendation) {
      const verifications = await verifyCandidates(diagnosis, context.now, deps.verifyRecommendation);
      verified = diagnoseHost(probe, { ...context, verifications });
    }
    const mxTransport = await transport;
    return mxTransport ? { ...verified, mxTransport } : verified;
  };
}
