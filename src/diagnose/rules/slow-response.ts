import type { Stage } from '../../probe/types.js';
import { describeStage, formatMs } from '../evidence.js';
import { finding, type PortRule } from '../rule.js';

/** Stages after the greeting plus connect; the greeting's own delay is slow-banner's business. */
const TIMED_STAGES: readonly Stage[] = ['connect', 'tls-handshake', 'ehlo', 'starttls', 'tls-ehlo'];
export const SLOW_STAGE_MS = 2_000;
/** Clients with short timeouts (10 s is common in apps) give up beyond this. */
export const TOO_SLOW_FOR_CLIENTS_MS = 10_000;

export const slowResponse: PortRule = {
  id: 'slow-response',
  check(port, scope) {
    let slowest: { stage: Stage; ms: number } | null = null;
    for (const stage of TIMED_STAGES) {
      const ms = port.timings[stage];
      // A stage that timed out is the class's story (filtered, no-banner), not slowness.
      if (ms === undefined || (port.failure?.stage === stage && port.failure.kind === 'timeout')) continue;
      if (ms >= SLOW_STAGE_MS && (!slowest || ms > slowest.ms)) slowest = { stage, ms };
    }
    if (!slowest) return [];
    // MTAs wait minutes (RFC 5321 §4.5.3.2); interactive clients do not.
    const severity =
      scope.role === 'submission' && slowest.ms >= TOO_SLOW_FOR_CLIENTS_MS ? 'warning' : 'info';
    return [
      finding(
        'slow-response',
        severity,
        port.port,
        `${describeStage(slowest.stage)} on ${port.port} took ${formatMs(slowest.ms)}`,
        [
          'Raise client timeouts above that (nodemailer connectionTimeout, greetingTimeout, socketTimeout), and check the server load or a slow DNS lookup on its side (reverse DNS of the client).',
        ],
      ),
    ];
  },
};
