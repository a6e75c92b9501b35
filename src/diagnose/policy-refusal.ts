import type { PortProbe } from '../probe/types.js';

/**
 * The target policy's reason when it refused the whole check (every port denied-by-policy, so
 * nothing was dialled), or null. Such a check has no result to report, only the refusal to explain.
 */
export function policyRefusal(diagnosis: {
  ports: ReadonlyArray<Pick<PortProbe, 'class' | 'failure'>>;
}): string | null {
  const { ports } = diagnosis;
  if (ports.length === 0 || !ports.every((port) => port.class === 'denied-by-policy')) return null;
  return (
    ports.find((port) => port.failure?.message)?.failure?.message ??
    'the target is outside what this bot may probe'
  );
}
