// Names shared by the bot and its workers: the queue a vantage's jobs wait in, and the channel a
// worker notifies when it has stored an answer (so the bot reads it at once instead of polling).

/** pg-boss queue of one vantage's probe jobs. */
export function probeQueue(vantage: string): string {
  return `smtp-check-probe-${vantage}`;
}

/** LISTEN/NOTIFY channel; the payload is `checkId:vantage`. */
export const ANSWER_CHANNEL = 'smtp_check_vantage_answer';

/** How often a worker renews its heartbeat. */
export const HEARTBEAT_MS = 5_000;

/** A worker not heard from for this long is no longer counted as running (three missed beats). */
export const LIVE_WITHIN_MS = 4 * HEARTBEAT_MS;

/** pg-boss's shortest poll (0.5 s): a job waits at most this long for an idle worker. */
export const POLL_SECONDS = 0.5;
