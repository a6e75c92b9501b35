// Names shared by the bot and its workers: the queue a vantage's jobs wait in, the channel the
// database notifies when a worker's answer is stored (so the bot reads it at once instead of
// polling), and the one the bot wakes a vantage's workers on.

export { ANSWER_CHANNEL, MAX_ANSWER_BYTES, probeQueue } from '../database/worker-contract.js';

/** LISTEN/NOTIFY channel the bot wakes a vantage's workers on after a send; the payload is the vantage. */
export const JOB_CHANNEL = 'smtp_check_vantage_job';

/** How often a worker renews its heartbeat. */
export const HEARTBEAT_MS = 5_000;

/** A worker not heard from for this long is no longer counted as running (three missed beats). */
export const LIVE_WITHIN_MS = 4 * HEARTBEAT_MS;

/**
 * How often an idle worker looks for jobs when no wake-up reached it (a notification lost with a
 * dropped connection): the bot wakes the vantage's workers as it sends a job, so this is the
 * fallback, not the latency (`--poll-seconds`, at least 0.5).
 */
export const POLL_SECONDS = 2;
