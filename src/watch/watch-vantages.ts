import type { CheckRequest } from '../check/types.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import { VANTAGE_NAME_PATTERN, type VantageOutcome } from '../diagnose/vantage-types.js';
import { slackCode } from '../text/sanitize.js';
import type { VantageProbes } from '../vantage/types.js';
import type { WatchCommandDeps } from './deps.js';

// Where a watch is watched from: the vantages named in `watch host from a,b`, and each one's
// answer for the watch's first observation.

/**
 * The vantages a watch asks for: names checked and without repeats; `all` is the bot's own network
 * and every vantage with a live worker now, as for a check.
 */
export async function resolveVantages(
  deps: Pick<WatchCommandDeps, 'vantageProbes'>,
  asked: readonly string[] | 'all' | undefined,
): Promise<{ vantages: string[] } | { error: string }> {
  if (asked === undefined || asked.length === 0) return { vantages: [] };
  const probes = deps.vantageProbes;
  if (probes === undefined) {
    return {
      error:
        'Watching from other networks needs probe workers that share this bot’s database (`DATABASE_URL`), and this bot has none. Watch without `from` to watch from its own network.',
    };
  }
  if (asked === 'all') {
    const known = await probes.list();
    return {
      vantages: known.filter((vantage) => vantage.local || vantage.live).map((vantage) => vantage.name),
    };
  }
  const bad = asked.find((name) => !VANTAGE_NAME_PATTERN.test(name));
  if (bad !== undefined) {
    return {
      error: `${slackCode(bad, 40)} is not a vantage name: names are lower-case letters, digits and hyphens, like \`office\` or \`aws-eu\`.`,
    };
  }
  return { vantages: [...new Set(asked)] };
}

/** Every vantage's answer for the baseline: the bot's own is the check already made. */
export async function baselineFrom(
  probes: VantageProbes,
  vantages: readonly string[],
  request: CheckRequest,
  own: HostDiagnosis,
): Promise<VantageOutcome[]> {
  const others = vantages.filter((name) => name !== probes.local);
  const outcomes =
    others.length > 0 ? await probes.probeFrom(others, request, { priority: 'interactive' }) : [];
  return vantages.includes(probes.local)
    ? [{ vantage: probes.local, kind: 'answered', diagnosis: own }, ...outcomes]
    : outcomes;
}

export const sameVantages = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((name) => b.includes(name));
