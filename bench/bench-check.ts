import { createRunCheck } from '../src/check/index.js';
import type { RunCheck } from '../src/check/types.js';
import { type Config, loadConfig } from '../src/config.js';
import { probeHost, type Resolver } from '../src/probe/index.js';
import { createRecommendationVerifier } from '../src/proof/index.js';

// The check as the bot builds it (src/main.ts): settings loaded from an environment with only
// ALLOW_TARGETS set (the bench's servers are on loopback, which the policy refuses by default), so
// every probe limit, port list and concurrency default is the shipped one.

export function benchConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ALLOW_TARGETS: '127.0.0.0/8', ...env });
}

export function benchRunCheck(
  config: Config,
  options: { extraCa: string[]; resolver?: Resolver; verify?: boolean },
): RunCheck {
  return createRunCheck({
    probeHost,
    limits: config.limits,
    now: () => new Date(),
    policy: config.policy,
    defaultPorts: config.probePorts,
    extraCa: options.extraCa,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    // The bot and the CLI prove the recommendation with nodemailer; `verify: false` measures without.
    ...(options.verify === false
      ? {}
      : {
          verifyRecommendation: createRecommendationVerifier({
            timeoutMs: config.limits.replyTimeoutMs,
            extraCa: options.extraCa,
          }),
        }),
  });
}
