import { DEFAULT_PORTS, everyProviderPort } from '../diagnose/index.js';
import type { RateLimiter } from '../policy/index.js';
import type { CheckRequest } from './types.js';

export type Admission = { ok: true } | { ok: false; reason: string };

/** Decides, before any connection, whether a chat user may start this check. */
export type Admit = (userId: string, request: CheckRequest) => Admission;

export interface AdmissionOptions {
  limiter: RateLimiter;
  /** ALLOWED_PORTS: ports allowed on top of the standard ones and the provider's alternates. */
  extraPorts: number[];
}

/**
 * Ports first (a bot that probes 22 or 6379 on request is a port scanner), then the rate limits
 * (a refused request does not use up the user's allowance).
 */
export function createAdmission(options: AdmissionOptions): Admit {
  return (userId, request) => {
    // Every port a known provider documents is an SMTP port, whichever host is asked about.
    const allowed = new Set([...DEFAULT_PORTS, ...everyProviderPort(), ...options.extraPorts]);
    const refused = request.ports.filter((port) => !allowed.has(port));
    if (refused.length > 0) {
      const list = [...allowed].sort((a, b) => a - b).join(', ');
      return {
        ok: false,
        reason:
          `port ${refused.join(', ')} is not an SMTP port I probe (allowed: ${list}). ` +
          'An admin can add ports with ALLOWED_PORTS.',
      };
    }
    const rate = options.limiter.take(userId, request.target);
    if (!rate.allowed) {
      const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      return { ok: false, reason: `${rate.reason}; try again in ${seconds} s` };
    }
    return { ok: true };
  };
}
