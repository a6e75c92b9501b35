import type { CheckRequest } from '../check/types.js';
import { diagnoseHost, matchProvider, policyRefusal } from '../diagnose/index.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { Logger } from '../log.js';
import type { HostProbe } from '../probe/types.js';
import { escapeControls } from '../text/sanitize.js';
import { vantageAnswerSchema } from './facts-schema.js';

// A worker's answer is facts from an untrusted machine. The bot uses it only when the role that
// wrote it is bound to the vantage it answers for, and only after validation; then it judges the
// facts itself, with the same diagnosis as its own checks.

/** One stored answer as the bot reads it. */
export interface StoredAnswer {
  vantage: string;
  result: unknown;
  /** The database role that stored it. */
  writtenBy: string | null;
  /** The vantage that role is bound to now, or null. */
  boundVantage: string | null;
}

export function judgeAnswer(
  answer: StoredAnswer,
  request: CheckRequest,
  deps: { now: () => Date; logger: Logger },
): VantageOutcome {
  const { vantage } = answer;
  if (answer.boundVantage !== vantage) {
    deps.logger.warn('answer refused: written by a role not bound to its vantage', {
      vantage,
      role: answer.writtenBy,
      boundTo: answer.boundVantage,
    });
    return {
      vantage,
      kind: 'failed',
      error: 'its answer was written by a database role not bound to this vantage, so it was not used',
    };
  }
  const parsed = vantageAnswerSchema.safeParse(answer.result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    deps.logger.warn('a vantage answered with facts that do not validate', {
      vantage,
      path: issue?.path.join('.'),
      problem: issue?.message,
    });
    return { vantage, kind: 'failed', error: 'its answer did not pass validation, so it was not used' };
  }
  const result = parsed.data;
  if (result.kind === 'refused') return { vantage, kind: 'refused', reason: escapeControls(result.reason) };
  if (result.kind === 'failed') return { vantage, kind: 'failed', error: escapeControls(result.error) };
  // The bot knows what it asked for: the answer's own name for the target is not taken on trust.
  const target = request.target;
  const probe: HostProbe = { ...(result.probe as HostProbe), target };
  const refusal = policyRefusal(probe);
  if (refusal !== null) return { vantage, kind: 'refused', reason: escapeControls(refusal) };
  const provider = matchProvider(target) ?? matchProvider(probe.host);
  return {
    vantage,
    kind: 'answered',
    diagnosis: diagnoseHost(probe, { now: deps.now(), provider, egressCanary: null }),
  };
}
