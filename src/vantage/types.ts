import type { CheckPriority, CheckRequest } from '../check/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { PortProbe } from '../probe/types.js';

// The bot's side of vantages: asking named networks to probe a host and collecting their answers.
// Workers in other networks take probe jobs from a queue in the shared PostgreSQL database and
// return facts; the bot's own network is a vantage that needs no worker.

/** A vantage as the bot knows it: from the workers' heartbeats, or the bot itself. */
export interface VantageInfo {
  name: string;
  /** The bot's own network (VANTAGE_NAME): always available, no worker involved. */
  local: boolean;
  /** Workers whose heartbeat is recent enough to count them as running. */
  liveWorkers: number;
  /** Versions of smtp-check the live workers run (the newest heartbeat's first). */
  versions: string[];
  /** Newest heartbeat of any worker of this vantage; null for the bot's own. */
  lastSeen: string | null;
  live: boolean;
}

export interface ProbeFromOptions {
  priority: CheckPriority;
  /** Overrides the configured deadline for the other vantages' answers. */
  deadlineMs?: number;
  /** Called as each vantage answers (or is found silent), in the order they do. */
  onOutcome?: (outcome: VantageOutcome) => void;
  /** Called as each port of the bot's own probe finishes (the live message). */
  onLocalPort?: (port: PortProbe) => void;
}

/**
 * Probes one host from several vantages at once. Resolves when every vantage has answered or been
 * found silent; a vantage never delays the others, and a silent one is never a port verdict.
 */
export interface VantageProbes {
  /** The bot's own vantage name (VANTAGE_NAME). */
  readonly local: string;
  /** Every vantage known: the bot's own and every one a worker announced in the kept heartbeats. */
  list(): Promise<VantageInfo[]>;
  /** `names` is resolved already (see resolveVantageNames): no duplicates, each a valid name. */
  probeFrom(names: string[], request: CheckRequest, options: ProbeFromOptions): Promise<VantageOutcome[]>;
}
