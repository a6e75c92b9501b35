import type { DomainReport } from '../posture-report/types.js';
import type { DkimKey, SpfFacts } from '../posture/types.js';
import type { DkimSight, PostureSnapshot } from '../watch-model/domain-watch.js';

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
  };
}

/** `snapshot` with every part it could not tell taken from `known` (the last observation). */
export function fillUnknown(snapshot: PostureSnapshot, known: PostureSnapshot): PostureSnapshot {
  return {
    ...snapshot,
    spf: snapshot.spf ?? known.spf,
    dmarc: snapshot.dmarc ?? known.dmarc,
    dkim: { ...known.dkim, ...snapshot.dkim },
    mx: snapshot.mx ?? known.mx,
  };
}

/** The DKIM selectors a watch asks for every time: the ones given, and every key its baseline found. */
export function watchedSelectors(selectors: string[], baseline: PostureSnapshot): string[] {
  const found = Object.entries(baseline.dkim).flatMap(([selector, sight]) =>
    sight === 'missing' ? [] : [selector],
  );
  return [...new Set([...selectors, ...found])];
}
