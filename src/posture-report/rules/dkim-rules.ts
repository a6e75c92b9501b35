import type { DkimKey, PostureFacts } from '../../posture/index.js';
import { providerOfMxHost, SENDING_PROVIDERS } from '../../posture/index.js';
import { plural } from '../../text/plural.js';
import { usableKey } from './authentication-state.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

// DKIM keys as verifiers read them. Selectors cannot be listed from DNS: a selector that does not
// answer proves nothing, so "not found" is a warning that says where the real selector is written.

function selectors(keys: readonly DkimKey[]): string {
  return listed(keys.map((key) => key.selector));
}

/** The sending services the domain's records point to, in the providers table's order. */
function providersSeen(facts: PostureFacts) {
  const names = new Set(facts.spf.providers);
  for (const key of facts.dkim) if (key.provider) names.add(key.provider);
  for (const host of facts.mx.hosts) {
    const provider = providerOfMxHost(host.exchange);
    if (provider) names.add(provider.name);
  }
  return SENDING_PROVIDERS.filter((provider) => names.has(provider.name));
}

function isRsa(key: DkimKey): boolean {
  return key.keyType === undefined || key.keyType.toLowerCase() === 'rsa';
}

export const dkimNotFound: PostureRule = {
  id: 'dkim-not-found',
  check(facts) {
    if (facts.dkim.length === 0 || facts.dkim.some((key) => key.found)) return [];
    const domain = facts.request.domain;
    const given = facts.dkim.filter((key) => key.source === 'given');
    const failed = facts.dkim.filter((key) => key.lookupError);
    const unanswered =
      failed.length > 0 ? `; ${plural(failed.length, 'lookup')} got no answer (${selectors(failed)})` : '';
    const summary =
      given.length > 0
        ? `No DKIM key at the selector${given.length === 1 ? '' : 's'} given (${given.map((key) => key.name).join(', ')}), nor at the others tried (${selectors(facts.dkim)})${unanswered}`
        : `None of the usual DKIM selectors of ${domain} answered (${selectors(facts.dkim)})${unanswered}: that is not "no DKIM", as selectors cannot be listed from DNS and only a message's DKIM-Signature header (s=) names the one in use`;
    const hints = providersSeen(facts).map((provider) =>
      provider.selectorHint
        ? `${provider.name}: ${provider.selectorHint}.`
        : `${provider.name} signs with ${listed(provider.dkimSelectors)}: if those did not answer, DKIM is not set up there for ${domain} (its dashboard's domain authentication page).`,
    );
    return [
      postureFinding('dkim-not-found', 'warning', summary, [
        `Open a message sent from ${domain}, read s= (the selector) and d= (the domain) in its DKIM-Signature header, and check again with that selector (selector/--selector).`,
        ...hints,
        `If the messages carry no DKIM-Signature for ${domain}, turn DKIM signing on where they are sent (the sending service, or the mail server's DKIM module) and publish the key it gives.`,
      ]),
    ];
  },
};

export const dkimWeakKey: PostureRule = {
  id: 'dkim-weak-key',
  check(facts) {
    const weak = facts.dkim.filter(
      (key) => key.found && !key.revoked && isRsa(key) && typeof key.bits === 'number' && key.bits < 2048,
    );
    if (weak.length === 0) return [];
    const refused = weak.some((key) => (key.bits ?? 0) < 1024);
    const keys = listed(weak.map((key) => `${key.selector} (${key.bits} bits)`));
    return [
      postureFinding(
        'dkim-weak-key',
        refused ? 'critical' : 'warning',
        refused
          ? `RSA DKIM key under 1024 bits: ${keys}; Gmail and other verifiers refuse such signatures, so the mail counts as unsigned`
          : `RSA DKIM key under the 2048 bits recommended: ${keys}`,
        [
          'Generate a 2048-bit key under a new selector and publish it (the sending service rotates it when asked, or its dashboard does).',
          'Switch signing to the new selector, and once no mail in transit carries the old one (a few days), publish the old selector with an empty p= to retire it.',
        ],
      ),
    ];
  },
};

export const dkimRevoked: PostureRule = {
  id: 'dkim-revoked',
  check(facts) {
    const revoked = facts.dkim.filter((key) => key.found && key.revoked);
    if (revoked.length === 0) return [];
    const given = facts.dkim.filter((key) => key.source === 'given');
    // The user named the selector their mail is signed with; if it is withdrawn and no other
    // selector they named works, their signatures fail.
    const signingRevoked =
      revoked.some((key) => key.source === 'given') && !given.some((key) => usableKey(key));
    return [
      postureFinding(
        'dkim-revoked',
        signingRevoked ? 'critical' : 'warning',
        signingRevoked
          ? `The DKIM key at the selector given (${selectors(revoked.filter((key) => key.source === 'given'))}) is revoked (empty p=): every signature made with it fails`
          : `The DKIM key at ${selectors(revoked)} is revoked (empty p=): a signature made with it fails`,
        [
          'If mail is still signed with it, publish a new key (a new selector is safest) and switch signing to it.',
          'If nothing signs with it any more, this is how a key is retired: nothing to do.',
        ],
      ),
    ];
  },
};

export const dkimTesting: PostureRule = {
  id: 'dkim-testing',
  check(facts) {
    const testing = facts.dkim.filter((key) => key.found && !key.revoked && key.testing);
    if (testing.length === 0) return [];
    return [
      postureFinding(
        'dkim-testing',
        'warning',
        `The DKIM key at ${selectors(testing)} says t=y (testing): receivers may treat a failed signature as no signature`,
        [
          'Once signatures verify (Authentication-Results of a delivered message say dkim=pass), remove t=y from the record.',
        ],
      ),
    ];
  },
};

export const DKIM_RULES: readonly PostureRule[] = [dkimNotFound, dkimRevoked, dkimWeakKey, dkimTesting];
