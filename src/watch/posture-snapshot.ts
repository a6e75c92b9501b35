import type { DomainReport } from '../posture-report/types.js';
import type { PostureFacts } from '../posture/index.js';
import type { DkimKey, SpfFacts } from '../posture/types.js';
import type { DkimSight, PostureSnapshot, TransportSight } from '../watch-model/domain-watch.js';

// A domain report reduced to what a domain watch compares (see comparePosture). Pure. A part
// whose lookup failed is null, and a DKIM selector whose lookup failed is left out: "DNS did not
// answer" is never read as "the record is gone".

/** How the root SPF record ends: its `all` with the qualifier, or its redirect; null when neither. */
export function spfEnding(spf: SpfFacts): string | null {
  if (spf.record === null) return null;
  const terms = spf.tree?.terms ?? [];
  const all = terms.find((term) => term.kind === 'all');
  if (all !== undefined) return `${all.qualifier ?? '+'}all`;
  const redirect = terms.find((term) => term.kind === 'redirect');
  if (redirect !== undefined) return `redirect=${redirect.target ?? ''}`;
  return null;
}

function spfPart(spf: SpfFacts): PostureSnapshot['spf'] {
  if (spf.lookupError !== undefined || spf.worstCase === 'temperror') return null;
  return { worstCase: spf.worstCase, ending: spfEnding(spf) };
}

function dkimSight(key: DkimKey): DkimSight | null {
  if (key.lookupError !== undefined) return null;
  if (!key.found) return 'missing';
  return key.revoked ? 'revoked' : 'found';
}

/** Each blocklist question: listed is bad, not listed good, no answer or a refusal unknown. */
function blocklistSights(facts: PostureFacts): Record<string, TransportSight> {
  const sights: Record<string, TransportSight> = {};
  for (const result of facts.blocklists.results) {
    sights[`${result.subject} ${result.zone}`] =
      result.status === 'listed' ? 'bad' : result.status === 'not-listed' ? 'good' : 'unknown';
  }
  return sights;
}

/** MX hosts with signed TLSA records: the chain matched, did not, or could not be seen. */
function daneSights(facts: PostureFacts): Record<string, TransportSight> {
  const sights: Record<string, TransportSight> = {};
  for (const host of facts.dane) {
    if (host.records.length === 0 || host.dnssec === 'insecure') continue;
    // A bogus or unanswered TLSA lookup, or a chain we could not see: nothing known this time.
    const seen = host.dnssec === 'secure' && host.match !== null;
    sights[host.exchange] = !seen ? 'unknown' : host.match?.matched ? 'good' : 'bad';
  }
  return sights;
}

/** MX hosts under an MTA-STS policy that senders apply (testing or enforce). */
function mtaStsSights(facts: PostureFacts): Record<string, TransportSight> {
  const { mtaSts } = facts;
  const sights: Record<string, TransportSight> = {};
  if (mtaSts.record !== null && mtaSts.fetch.outcome === 'unreachable') {
    // The policy could not be read this time: nothing is known of any host.
    for (const host of facts.port25) sights[host.exchange] = 'unknown';
    return sights;
  }
  const mode = mtaSts.policy?.mode;
  if (mode !== 'enforce' && mode !== 'testing') return sights;
  for (const host of mtaSts.coverage) {
    if (host.pattern === null) sights[host.exchange] = 'bad';
    else if (host.certificate === 'valid') sights[host.exchange] = 'good';
    else sights[host.exchange] = host.certificate === 'not-probed' ? 'unknown' : 'bad';
  }
  return sights;
}

/**
 * The policy as senders apply it (mode, max_age, mx patterns in order) with the record's id; null
 * when there is no policy to compare (none fetched, no id).
 */
function mtaStsPolicyOf(facts: PostureFacts): PostureSnapshot['mtaStsPolicy'] {
  const { id, policy } = facts.mtaSts;
  if (id === null || policy === null) return null;
  const text = [
    `mode: ${policy.mode ?? '?'}`,
    `max_age: ${policy.maxAge ?? '?'}`,
    ...policy.mx.map((mx) => `mx: ${mx}`),
  ];
  return { id, policy: text.join('; ') };
}

export function postureSnapshotOf(report: DomainReport): PostureSnapshot {
  const { spf, dmarc, dkim, mx } = report.facts;
  const sights: Record<string, DkimSight> = {};
  for (const key of dkim) {
    const sight = dkimSight(key);
    if (sight !== null) sights[key.selector] = sight;
  }
  return {
    checkedAt: report.facts.checkedAt,
    verdict: report.verdict,
    spf: spfPart(spf),
    dmarc:
      dmarc.lookupError !== undefined
        ? null
        : { present: dmarc.record !== null, policy: dmarc.policy, pct: dmarc.pct },
    dkim: sights,
    mx:
      mx.lookupError !== undefined
        ? null
        : {
            nullMx: mx.nullMx,
            hosts: [...mx.hosts].sort((a, b) => a.priority - b.priority).map((host) => host.exchange),
          },
    blocklists: blocklistSights(report.facts),
    dane: daneSights(report.facts),
    mtaSts: mtaStsSights(report.facts),
    mtaStsPolicy: mtaStsPolicyOf(report.facts),
  };
}

/**
 * The subjects asked now, each unknown one taken from the last sight. A subject not asked now (an
 * MX host or address that left) is dropped: a listing of an address no longer used is no alert.
 */
function fillSights(
  now: Record<string, TransportSight> | undefined,
  known: Record<string, TransportSight> | undefined,
): Record<string, TransportSight> | undefined {
  if (now === undefined) return known;
  const filled: Record<string, TransportSight> = {};
  for (const [key, sight] of Object.entries(now))
    filled[key] = sight === 'unknown' ? (known?.[key] ?? sight) : sight;
  return filled;
}

/** `snapshot` with every part it could not tell taken from `known` (the last observation). */
export function fillUnknown(snapshot: PostureSnapshot, known: PostureSnapshot): PostureSnapshot {
  return {
    ...snapshot,
    spf: snapshot.spf ?? known.spf,
    dmarc: snapshot.dmarc ?? known.dmarc,
    dkim: { ...known.dkim, ...snapshot.dkim },
    mx: snapshot.mx ?? known.mx,
    blocklists: fillSights(snapshot.blocklists, known.blocklists),
    dane: fillSights(snapshot.dane, known.dane),
    mtaSts: fillSights(snapshot.mtaSts, known.mtaSts),
    // A policy that could not be fetched this time is the last one seen.
    mtaStsPolicy: snapshot.mtaStsPolicy ?? known.mtaStsPolicy ?? null,
  };
}

/** The DKIM selectors a watch asks for every time: the ones given, and every key its baseline found. */
export function watchedSelectors(selectors: string[], baseline: PostureSnapshot): string[] {
  const found = Object.entries(baseline.dkim).flatMap(([selector, sight]) =>
    sight === 'missing' ? [] : [selector],
  );
  return [...new Set([...selectors, ...found])];
}
