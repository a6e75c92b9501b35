import { gatherPosture } from '../posture/gather-posture.js';
import type { TransportDeps } from '../posture/gather-transport.js';
import type { PostureDns, PostureRequest } from '../posture/types.js';
import { judgePosture } from './judge-posture.js';
import type { DomainReport } from './types.js';

/** A domain report: what DNS says of the domain, judged. Never throws for a DNS outcome. */
export type CheckDomain = (request: PostureRequest) => Promise<DomainReport>;

/**
 * The domain check every entry point shares (terminal, Slack, console, watches). `dns` and
 * `transport` are made per report: their caches and query budgets belong to one report, so a
 * watch tick never answers from the last tick's cache.
 */
export function createCheckDomain(deps: {
  dns: () => PostureDns;
  transport: () => Omit<TransportDeps, 'dns'>;
  now: () => Date;
}): CheckDomain {
  return async (request) =>
    judgePosture(
      await gatherPosture(request, { dns: deps.dns(), transport: deps.transport(), now: deps.now }),
    );
}
