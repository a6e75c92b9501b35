import { createHash } from 'node:crypto';
import type { PostIntent, PostKind } from '../fleet/index.js';

// A domain watch's name in the fleet's schedule and post ledger: `domain:<domain>`. No host a
// watch accepts starts that way (a host name has no colon, an IPv6 literal is hex digits), so a
// host watch and a domain watch of the same name are claimed and posted apart.

const PREFIX = 'domain:';

export function domainClaim(domain: string): string {
  return `${PREFIX}${domain}`;
}

/** The domain a tick's claim names, or null for a host. */
export function claimedDomain(claim: string): string | null {
  return claim.startsWith(PREFIX) ? claim.slice(PREFIX.length) : null;
}

/** The ledger's name of a domain announcement: the same whichever replica or tick raises it. */
export function domainPostIntent(channel: string, domain: string, kind: PostKind, slot: string): PostIntent {
  const host = domainClaim(domain);
  const key = createHash('sha256')
    .update([channel, host, kind, slot].join('\n'))
    .digest('base64url')
    .slice(0, 24);
  return { channel, host, kind, slot, key };
}
