import { isIP } from 'node:net';
import { refusedRange } from '../../policy/index.js';
import { listed, type PostureRule, postureFinding } from './posture-rule.js';

// Where the domain receives mail. A sending domain needs it too: replies and bounces come back
// there, and receivers check that the envelope sender's domain can receive before they accept.

export const mxNull: PostureRule = {
  id: 'mx-null',
  check(facts) {
    if (!facts.mx.nullMx) return [];
    const domain = facts.request.domain;
    return [
      postureFinding(
        'mx-null',
        'critical',
        `${domain} publishes a null MX (0 .), declaring it accepts no mail (RFC 7505): receivers may refuse mail whose envelope sender uses ${domain}, and bounces have nowhere to go`,
        [
          `If ${domain} sends mail, replace the null MX with MX records for the servers that receive its replies and bounces.`,
          "Or send with an envelope sender (Return-Path) in a domain that receives mail, such as the sending service's bounce domain.",
        ],
      ),
    ];
  },
};

export const mxCname: PostureRule = {
  id: 'mx-cname',
  check(facts) {
    const aliases = facts.mx.hosts.filter((host) => host.cname);
    if (aliases.length === 0) return [];
    return [
      postureFinding(
        'mx-cname',
        'warning',
        `MX ${listed(aliases.map((host) => `${host.exchange} is a CNAME to ${host.cname}`))}: RFC 2181 §10.3 forbids it, and some senders refuse or mishandle such an MX`,
        [
          `Point the MX record at the canonical name itself (${listed(aliases.map((host) => host.cname ?? ''))}).`,
        ],
      ),
    ];
  },
};

export const mxPrivate: PostureRule = {
  id: 'mx-private',
  check(facts) {
    const targets = [
      ...facts.mx.hosts.map((host) => ({ name: host.exchange, addresses: host.addresses })),
      ...(facts.mx.implicit ? [{ name: facts.request.domain, addresses: facts.mx.implicit.addresses }] : []),
    ];
    // refusedRange names a range for anything that is not an IP address too; only addresses count.
    const special = targets.flatMap((target) =>
      target.addresses.flatMap((address) => {
        const range = isIP(address) === 0 ? null : refusedRange(address);
        return range === null ? [] : [`${target.name} → ${address} (${range})`];
      }),
    );
    if (special.length === 0) return [];
    return [
      postureFinding(
        'mx-private',
        'critical',
        `Mail for ${facts.request.domain} goes to an address no sender on the internet can reach: ${listed(special)}`,
        [
          "Publish the mail server's public address in public DNS (an internal view of a split-horizon zone may have leaked).",
          'Or point the MX at a host with a public address.',
        ],
      ),
    ];
  },
};

export const mxMissing: PostureRule = {
  id: 'mx-missing',
  check(facts) {
    const { mx } = facts;
    if (mx.nullMx || mx.lookupError || mx.hosts.length > 0) return [];
    const domain = facts.request.domain;
    const addresses = mx.implicit?.addresses ?? [];
    const advice = [
      `Publish MX records for ${domain} naming the servers that receive its mail (replies, bounces).`,
    ];
    if (addresses.length > 0) {
      return [
        postureFinding(
          'mx-missing',
          'warning',
          `${domain} has no MX record: mail to it goes to its own address (${listed(addresses)}), as RFC 5321 §5.1 allows, which is rarely a mail server`,
          advice,
        ),
      ];
    }
    return [
      postureFinding(
        'mx-missing',
        'critical',
        `${domain} has no MX record and no address: replies and bounces cannot be delivered, and receivers may refuse mail whose envelope sender uses it`,
        advice,
      ),
    ];
  },
};

export const MX_RULES: readonly PostureRule[] = [mxNull, mxMissing, mxPrivate, mxCname];
