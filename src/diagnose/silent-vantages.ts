import { formatMs } from './evidence.js';
import type { Severity } from './types.js';
import type { VantageFinding, VantageOutcome } from './vantage-types.js';

// A vantage that gave no verdict — no worker, no answer before the deadline, its own policy
// refused, or it failed — is said as such, never turned into a port verdict. Only vantage names
// and times go into the sentences: a worker's own reason and error are shown by the renderers.

/** "last seen 45 s ago", "… 3 min ago", "… 5 h ago", "… 2 days ago"; a date when there is no clock to measure from. */
function lastSeenText(lastSeen: string | null, now: Date | null): string | null {
  if (lastSeen === null) return null;
  const seen = Date.parse(lastSeen);
  if (Number.isNaN(seen)) return null;
  if (!now) return `last seen ${new Date(seen).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const seconds = Math.round((now.getTime() - seen) / 1_000);
  // Seen after the reference time (the worker announced itself while the others were probing).
  if (seconds < 1) return 'last seen just now';
  const minutes = Math.round(seconds / 60);
  const hours = Math.round(minutes / 60);
  const ago =
    seconds < 60
      ? `${seconds} s`
      : minutes < 60
        ? `${minutes} min`
        : hours < 48
          ? `${hours} h`
          : `${Math.round(hours / 24)} days`;
  return `last seen ${ago} ago`;
}

function silent(vantage: string, severity: Severity, summary: string, advice: string[]): VantageFinding {
  return { id: 'vantage-silent', severity, port: null, vantages: [vantage], summary, advice };
}

const START_WORKER = (vantage: string) =>
  `Start a worker on ${vantage}'s network: \`smtp-check worker --vantage ${vantage}\`.`;

/**
 * A vantage that gave no verdict leaves the comparison incomplete, which someone should fix (a
 * warning); a refusal is that worker's own policy doing what its owner set it to do (info).
 */
export function silentFinding(
  outcome: Exclude<VantageOutcome, { kind: 'answered' }>,
  now: Date | null,
): VantageFinding {
  const { vantage } = outcome;
  switch (outcome.kind) {
    case 'no-worker': {
      const seen = lastSeenText(outcome.lastSeen, now);
      return silent(
        vantage,
        'warning',
        seen
          ? `no worker for ${vantage} is running (${seen})`
          : `no worker for ${vantage} has ever announced itself`,
        [START_WORKER(vantage)],
      );
    }
    case 'no-answer': {
      const seen = lastSeenText(outcome.lastSeen, now);
      const within = `within ${formatMs(outcome.deadlineMs)}`;
      return outcome.taken
        ? silent(
            vantage,
            'warning',
            `the worker for ${vantage} took the check but did not finish ${within}${seen ? ` (${seen})` : ''}`,
            [
              `Look at that worker's log on ${vantage}'s network: it may have stopped mid-check, or its probe limits outlast the deadline.`,
            ],
          )
        : silent(vantage, 'warning', `no answer from ${vantage} ${within}${seen ? ` (${seen})` : ''}`, [
            `No worker for ${vantage} took the check: make sure one is running and reaches the queue.`,
            START_WORKER(vantage),
          ]);
    }
    case 'refused':
      return silent(
        vantage,
        'info',
        `${vantage}'s own target policy (its ALLOW_TARGETS) refused this target`,
        [`To compare from ${vantage}, add the target to ALLOW_TARGETS of the worker there.`],
      );
    case 'failed':
      return silent(vantage, 'warning', `the worker for ${vantage} failed before it had any facts`, [
        `See the worker's error and its log on ${vantage}'s network, then check again.`,
      ]);
  }
}
