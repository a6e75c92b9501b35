// What the program tells Prometheus, in the field's words. Every label value comes from one of the
// closed lists below, or from the operator's own choices (watched hosts and domains, vantage
// names): never a check, a user, a channel or text someone typed, so the series stay a bounded set.

/** Who asked for a check: a person (Slack, the console), the watch schedule, or the bot for a worker. */
export const CHECK_TRIGGERS = ['chat', 'schedule', 'vantage'] as const;
export type CheckTrigger = (typeof CHECK_TRIGGERS)[number];

/** A host's verdict, or `error` when the check threw (a bug or infrastructure failing). */
export const CHECK_VERDICTS = ['ok', 'degraded', 'failing', 'error'] as const;
export type CheckVerdict = (typeof CHECK_VERDICTS)[number];

/** The probe's stages (the probe's STAGES; a stage not listed here is not timed). */
export const PROBE_STAGES = [
  'resolve',
  'connect',
  'tls-handshake',
  'greeting',
  'ehlo',
  'starttls',
  'tls-ehlo',
  'quit',
] as const;

/** The alert state machine's phases, as the watch model names them. */
export const WATCH_PHASES = ['ok', 'suspect', 'blocked', 'recovering'] as const;
export type WatchPhase = (typeof WATCH_PHASES)[number];

/** What an alert is about. Certificates are never "resolved": a renewed certificate is not announced. */
export const ALERT_KINDS = ['port', 'certificate', 'domain'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The Slack Web API methods the bot calls; anything else is counted as `other`. */
export const SLACK_METHODS = [
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'conversations.history',
  'conversations.replies',
  'views.publish',
  'files.uploadV2',
] as const;

/** One Slack call's outcome: `ok`, or how it failed (the retry policy's classes). */
export const SLACK_OUTCOMES = ['ok', 'rate-limited', 'not-sent', 'outcome-unknown', 'final'] as const;
export type SlackOutcome = (typeof SLACK_OUTCOMES)[number];

/** What a worker did with a job: its answer's kind, or `unstored` when the answer was not kept. */
export const WORKER_JOB_OUTCOMES = ['answered', 'refused', 'failed', 'unstored'] as const;
export type WorkerJobOutcome = (typeof WORKER_JOB_OUTCOMES)[number];

/** node-pg's Pool counts: connections open, idle ones, and queries waiting for one. */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** What the vantage directory says at one scrape, ages on the database's clock. */
export interface VantageDirectory {
  /** Jobs waiting in each vantage's queue (created or to be retried). */
  queues: { vantage: string; depth: number }[];
  /** Each vantage heard from: its live workers and the age of its newest heartbeat. */
  vantages: { vantage: string; live: number; heartbeatAgeSeconds: number }[];
  /** Each running worker (not stopped, heard from lately) and its heartbeat's age. */
  workers: { vantage: string; worker: string; heartbeatAgeSeconds: number }[];
}

/** One port of a watched host as a tick saw it. `vantage` absent: this process's own network. */
export interface WatchPortSight {
  host: string;
  port: number;
  vantage?: string;
  usable: boolean;
  phase: WatchPhase;
}

export interface Metrics {
  /** The Content-Type of `exposition()`. */
  readonly contentType: string;
  /** The text exposition; reads the vantage directory first when one is attached (once per call). */
  exposition(): Promise<string>;

  /** A check ended (or threw: verdict `error`). */
  checkFinished(check: { trigger: CheckTrigger; verdict: CheckVerdict; seconds: number }): void;
  /** The stage timings of probed ports (milliseconds per stage reached, as the probe reports them). */
  stagesTimed(ports: readonly { timings: Partial<Record<string, number>> }[]): void;

  /** The schedule's longest gap between runs, for "not ticking" alerts. */
  scheduleInterval(seconds: number): void;
  tickStarted(): void;
  /** `overran`: the tick ended after the schedule's next slot had come. */
  tickEnded(tick: { seconds: number; overran: boolean }): void;
  /** A tick not run because the previous one was still running. */
  tickSkipped(): void;

  /** A watch tick begins: series it does not see again may be dropped when it ends. */
  watchTickBegan(): void;
  watchPortSeen(sight: WatchPortSight): void;
  watchRetested(host: string, at: Date): void;
  domainWatchSeen(domain: { domain: string; degraded: boolean; at: Date }): void;
  /**
   * The tick ended. Series of hosts and domains not in `kept` are removed (unwatched, or re-tested
   * by another replica); a kept host seen in this tick loses the ports it no longer showed.
   */
  watchTickEnded(kept: { hosts: Iterable<string>; domains: Iterable<string> }): void;

  alertOpened(kind: AlertKind): void;
  alertResolved(kind: Exclude<AlertKind, 'certificate'>): void;

  /** One Slack Web API call attempt and how it ended. */
  slackCall(method: string, outcome: SlackOutcome): void;
  /** A failed Slack call that is tried again. */
  slackRetry(method: string): void;

  /** A store operation ended; `smtp_check_store_up` follows the last one. */
  storeOperation(ok: boolean): void;
  /** The pool whose counts each scrape reads. */
  observePool(pool: PoolCounts): void;
  /** Reads the vantage directory at each scrape (at most once, bounded by timeoutMs). */
  observeVantages(read: () => Promise<VantageDirectory>, timeoutMs?: number): void;

  workerJob(outcome: WorkerJobOutcome): void;
  workerHeartbeat(at: Date): void;
}
