import { DEFAULT_PORTS, everyProviderPort } from '../diagnose/index.js';
import type { RateDecision, RateLimiter } from '../policy/index.js';
import type { CheckRequest } from './types.js';

export type Admission = { ok: true } | { ok: false; reason: string };

/** Decides, before any connection, whether a chat user may start this check. */
export type Admit = (userId: string, request: CheckRequest) => Admission;

/** The same decision when the rate limits live in a database shared by a fleet. */
export type AsyncAdmit = (userId: string, request: CheckRequest) => Promise<Admission>;

export interface AdmissionOptions {
  limiter: Pick<RateLimiter, 'take'>;
  /** ALLOWED_PORTS: ports allowed on top of the standard ones and the provider's alternates. */
  extraPorts: number[];
}

export interface AsyncAdmissionOptions {
  limiter: { take(user: string, target: string): Promise<RateDecision> };
  extraPorts: number[];
}

/**
 * Why these ports may not be probed, or null: the standard SMTP ports, every port a known provider
 * documents (an SMTP port whichever host is asked about) and ALLOWED_PORTS are allowed. The bot
 * asks this before a check, and a worker again before it dials what a job names.
 */
export function portsRefusal(ports: readonly number[], extraPorts: readonly number[]): string | null {
  const allowed = new Set([...DEFAULT_PORTS, ...everyProviderPort(), ...extraPorts]);
  const refused = ports.filter((port) => !allowed.has(port));
  if (refused.length === 0) return null;
  const list = [...allowed].sort((a, b) => a - b).join(', ');
  return (
    `port ${refused.join(', ')} is not an SMTP port I probe (allowed: ${list}). ` +
    'An admin can add ports with ALLOWED_PORTS.'
  );
}

function portRefusal(request: CheckRequest, extraPorts: number[]): Admission | null {
  const reason = portsRefusal(request.ports, extraPorts);
  return reason === null ? null : { ok: false, reason };
}

function rateAdmission(rate: RateDecision): Admission {
  if (rate.allowed) return { ok: true };
  const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
  return { ok: false, reason: `${rate.reason}; try again in ${seconds} s` };
}

/**
 * Ports first (a bot that probes 22 or 6379 on request is a port scanner), then the rate limits
 * (a refused request does not use up the user's allowance).
 */
export function createAdmission(options: AdmissionOptions): Admit {
  return (userId, request) =>
    portRefusal(request, options.extraPorts) ?? rateAdmission(options.limiter.take(userId, request.target));
}

/** createAdmission with rate limits that answer asynchronously (see src/fleet-context). */
export function createAsyncAdmission(options: AsyncAdmissionOptions): AsyncAdmit {
  return async (userId, request) =>
    portRefusal(request, options.extraPorts) ??
    rateAdmission(await options.limiter.take(userId, request.target));
}
