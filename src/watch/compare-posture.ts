import type { DmarcPolicy } from '../posture/types.js';
import type {
  PostureAspect,
  PostureDegradation,
  PostureRecovery,
  PostureSnapshot,
  TransportSight,
} from '../watch-model/domain-watch.js';

// "Is this change important?" for a watched domain: the ways it is worse than its baseline, and,
// against what the channel was last told, which of them are new and which cleared. Pure; the
// words are what an alert says. Only changes that lose mail or protection count: SPF turning into
// a permerror or losing its `all`, DMARC removed or weakened, a DKIM key revoked or gone, the MX
// records gone, a new blocklist listing, an MX host whose chain no longer matches its DANE records
// or that an MTA-STS policy no longer covers. Anything else (a new include, a stricter policy) is
// no page.

const POLICY_RANK: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 };
const rank = (policy: DmarcPolicy | null): number => (policy === null ? -1 : POLICY_RANK[policy]);
const policyWord = (policy: DmarcPolicy | null): string => policy ?? 'no valid policy';

/** An SPF ending that stops forged mail (or hands the decision to another record). */
const protective = (ending: string | null): boolean =>
  ending !== null && (ending === '-all' || ending === '~all' || ending.startsWith('redirect='));

const mxWords = (mx: NonNullable<PostureSnapshot['mx']>): string =>
  mx.nullMx
    ? 'null MX'
    : mx.hosts.length === 0
      ? 'no MX'
      : `${mx.hosts.length} MX ${mx.hosts.length === 1 ? 'host' : 'hosts'}`;

/** Every way `current` is worse than `baseline`; a part either could not tell is no change. */
export function postureDegradations(
  baseline: PostureSnapshot,
  current: PostureSnapshot,
): PostureDegradation[] {
  const found: PostureDegradation[] = [];
  const { spf: spfBefore, dmarc: dmarcBefore, mx: mxBefore } = baseline;
  const { spf, dmarc, mx } = current;
  if (spfBefore && spf) {
    if (spfBefore.worstCase !== 'permerror' && spf.worstCase === 'permerror') {
      found.push({
        id: 'spf-permerror',
        aspect: 'spf',
        text: `SPF now fails with a permerror: ${spfBefore.worstCase} → permerror`,
        before: spfBefore.worstCase,
        after: 'permerror',
      });
    }
    if (protective(spfBefore.ending) && !protective(spf.ending)) {
      const after = spf.ending ?? 'no all';
      found.push({
        id: 'spf-all',
        aspect: 'spf',
        text: `SPF lost its all: ${spfBefore.ending} → ${after}`,
        before: spfBefore.ending ?? '',
        after,
      });
    }
  }
  if (dmarcBefore?.present && dmarc) {
    const before = `p=${policyWord(dmarcBefore.policy)}`;
    if (!dmarc.present) {
      found.push({
        id: 'dmarc-record',
        aspect: 'dmarc',
        text: `DMARC record removed: ${before} → none`,
        before,
        after: 'none',
      });
    } else {
      if (rank(dmarc.policy) < rank(dmarcBefore.policy)) {
        const [from, to] = [policyWord(dmarcBefore.policy), policyWord(dmarc.policy)];
        found.push({
          id: 'dmarc-policy',
          aspect: 'dmarc',
          text: `DMARC policy weakened: ${from} → ${to}`,
          before: from,
          after: to,
        });
      }
      if (dmarc.pct < dmarcBefore.pct) {
        const [from, to] = [`pct=${dmarcBefore.pct}`, `pct=${dmarc.pct}`];
        found.push({
          id: 'dmarc-pct',
          aspect: 'dmarc',
          text: `DMARC pct lowered: ${from} → ${to}`,
          before: from,
          after: to,
        });
      }
    }
  }
  for (const [selector, before] of Object.entries(baseline.dkim)) {
    const now = current.dkim[selector];
    if (before !== 'found' || now === undefined || now === 'found') continue;
    found.push({
      id: `dkim:${selector}`,
      aspect: 'dkim',
      text:
        now === 'revoked'
          ? `DKIM key ${selector} revoked (p= empty)`
          : `DKIM key ${selector} gone (no record)`,
      before: 'published',
      after: now === 'revoked' ? 'revoked' : 'gone',
    });
  }
  if (
    mxBefore &&
    mx &&
    !mxBefore.nullMx &&
    mxBefore.hosts.length > 0 &&
    (mx.nullMx || mx.hosts.length === 0)
  ) {
    const [before, after] = [mxWords(mxBefore), mxWords(mx)];
    found.push({
      id: 'mx',
      aspect: 'mx',
      text: mx.nullMx
        ? `MX changed to a null MX (the domain accepts no mail): ${before} → ${after}`
        : `MX records removed: ${before} → ${after}`,
      before,
      after,
    });
  }
  const policyBefore = baseline.mtaStsPolicy;
  const policyNow = current.mtaStsPolicy;
  if (
    policyBefore &&
    policyNow &&
    policyBefore.id === policyNow.id &&
    policyBefore.policy !== policyNow.policy
  ) {
    found.push({
      id: 'mta-sts-id',
      aspect: 'mta-sts',
      text: `MTA-STS policy changed but its id did not (still ${policyNow.id}): senders that cached the old policy keep applying it until its max_age runs out`,
      before: policyBefore.policy,
      after: policyNow.policy,
    });
  }
  found.push(
    ...transportDegradations('blocklist', baseline.blocklists, current.blocklists),
    ...transportDegradations('dane', baseline.dane, current.dane),
    ...transportDegradations('mta-sts', baseline.mtaSts, current.mtaSts),
  );
  return found;
}

type TransportAspect = Extract<PostureAspect, 'blocklist' | 'dane' | 'mta-sts'>;

const TRANSPORT_WORDS: Record<TransportAspect, { prefix: string; bad: string; good: string }> = {
  blocklist: { prefix: 'dnsbl', bad: 'listed', good: 'not listed' },
  dane: { prefix: 'dane', bad: 'no match', good: 'matches' },
  'mta-sts': { prefix: 'mta-sts', bad: 'not covered', good: 'covered' },
};

function transportText(aspect: TransportAspect, key: string): string {
  if (aspect === 'blocklist') {
    const [subject = key, zone = ''] = key.split(' ');
    return `${subject} is now listed on ${zone}`;
  }
  if (aspect === 'dane')
    return `${key}: the certificate on port 25 no longer matches its DANE (TLSA) records; DANE senders will not deliver`;
  return `${key}: no longer covered by the MTA-STS policy with a valid certificate; compliant senders may not deliver`;
}

/** Subjects that turned bad since the baseline (were good, unknown or not there). */
function transportDegradations(
  aspect: TransportAspect,
  before: Record<string, TransportSight> | undefined,
  now: Record<string, TransportSight> | undefined,
): PostureDegradation[] {
  const words = TRANSPORT_WORDS[aspect];
  return Object.entries(now ?? {}).flatMap(([key, sight]) =>
    sight === 'bad' && before?.[key] !== 'bad'
      ? [
          {
            id: `${words.prefix}:${key}`,
            aspect,
            text: transportText(aspect, key),
            before: words.good,
            after: words.bad,
          },
        ]
      : [],
  );
}

/** What came back, in words, for a degradation that cleared. */
function recoveryOf(degradation: PostureDegradation, current: PostureSnapshot): PostureRecovery {
  const { id, aspect } = degradation;
  const words = (): string => {
    if (id === 'spf-permerror') return `SPF evaluates again (${current.spf?.worstCase ?? 'no permerror'})`;
    if (id === 'spf-all') return `SPF ends in ${current.spf?.ending ?? 'an all'} again`;
    if (id === 'dmarc-record') return `DMARC record is back (p=${policyWord(current.dmarc?.policy ?? null)})`;
    if (id === 'dmarc-policy') return `DMARC policy back to ${policyWord(current.dmarc?.policy ?? null)}`;
    if (id === 'dmarc-pct') return `DMARC pct back to ${current.dmarc?.pct ?? 100}`;
    if (aspect === 'dkim') return `DKIM key ${id.slice('dkim:'.length)} is published again`;
    if (id === 'mta-sts-id')
      return `MTA-STS policy and id agree again (id ${current.mtaStsPolicy?.id ?? 'changed'}): senders fetch the policy in force`;
    const key = id.slice(id.indexOf(':') + 1);
    if (aspect === 'blocklist') return key.replace(' ', ' is no longer listed on ');
    if (aspect === 'dane') return `${key}: the certificate on port 25 matches its DANE records again`;
    if (aspect === 'mta-sts') return `${key}: covered by the MTA-STS policy with a valid certificate again`;
    return `MX records back: ${current.mx ? mxWords(current.mx) : 'MX hosts'}`;
  };
  return { id, aspect, text: words() };
}

export interface PostureChange {
  /** Every degradation seen now (what an incident is about). */
  degradations: PostureDegradation[];
  /** Degradations the channel has not been told about: new ones, or ones that got worse still. */
  worse: PostureDegradation[];
  /** Degradations the channel was told about that cleared. */
  recovered: PostureRecovery[];
}

/**
 * Compares a watch's current snapshot with its baseline, and the result with the degradations
 * last announced. Nothing to say when `worse` and `recovered` are both empty.
 */
export function comparePosture(
  baseline: PostureSnapshot,
  current: PostureSnapshot,
  announced: PostureDegradation[],
): PostureChange {
  const degradations = postureDegradations(baseline, current);
  const told = new Map(announced.map((d) => [d.id, d.after]));
  const ids = new Set(degradations.map((d) => d.id));
  return {
    degradations,
    worse: degradations.filter((d) => told.get(d.id) !== d.after),
    recovered: announced.filter((d) => !ids.has(d.id)).map((d) => recoveryOf(d, current)),
  };
}
