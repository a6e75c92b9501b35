import { createProbePort25 } from '../check/index.js';
import { createMxTransport, type DescribeMxTransport, mxTransportDeps } from '../check/mx-transport.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { TargetPolicy } from '../policy/index.js';
import { createPostureDns, createTransportDeps } from '../posture/index.js';
import { type CheckDomain, createCheckDomain } from '../posture-report/index.js';
import { probeHost } from '../probe/index.js';

export interface BotDomainChecks {
  /** The domain report, for Slack, the console and domain watches. */
  checkDomain: CheckDomain;
  /** MTA-STS and DANE of the MX hosts, on a check of you@example.com. */
  mxTransport: DescribeMxTransport;
}

/**
 * The bot's domain checks from its settings. Every connection they make on a domain's behalf —
 * each MX host's port 25, the MTA-STS policy's HTTPS — goes only where the target policy allows,
 * as a check's does. A fresh resolver per report: its cache and budget belong to one report.
 */
export function createBotDomainChecks(deps: {
  config: Config;
  policy: TargetPolicy;
  extraCa: string[] | undefined;
  logger: Logger;
  now: () => Date;
}): BotDomainChecks {
  const { config, policy, extraCa, now } = deps;
  const refusal = (host: string, address: string): string | null => {
    const decision = policy.checkAddress(host, address);
    return decision.allowed ? null : decision.reason;
  };
  const ca = extraCa ? { extraCa } : {};
  const probePort25 = createProbePort25({ probeHost, limits: config.limits, now, policy, ...ca });
  const checkDomain = createCheckDomain({
    dns: () =>
      createPostureDns(config.postureDnsServers.length > 0 ? { servers: config.postureDnsServers } : {}),
    transport: () =>
      createTransportDeps({
        ...config.transport,
        probePort25,
        ...ca,
        allowAddress: (address, host) => refusal(host, address),
      }),
    now,
  });
  const mxTransport = createMxTransport(
    mxTransportDeps({
      postureDnsServers: config.postureDnsServers,
      dnssecResolver: config.transport.dnssecResolver,
      ...ca,
      allowAddress: refusal,
      onError: (error) => deps.logger.error('MTA-STS and DANE of the MX hosts failed', { error }),
    }),
  );
  return { checkDomain, mxTransport };
}
