import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { within } from '../util/within.js';
import {
  ALERT_KINDS,
  CHECK_TRIGGERS,
  CHECK_VERDICTS,
  type Metrics,
  PROBE_STAGES,
  type PoolCounts,
  SLACK_METHODS,
  SLACK_OUTCOMES,
  type VantageDirectory,
  WATCH_PHASES,
  WORKER_JOB_OUTCOMES,
} from './metrics.js';
import { WatchSeries } from './watch-series.js';

// prom-client rather than a hand-written exposition: it is the Node client the Prometheus
// community keeps, it gets the text format's escaping, histogram buckets and HELP/TYPE lines right,
// and its default metrics are the standard process_* (CPU, memory, file descriptors, start time)
// and nodejs_* (event loop lag, heap, GC) series that dashboards and alerts already expect. Those
// keep their standard names; only this program's own series carry the smtp_check_ prefix.

export interface MetricsOptions {
  /** `bot` (the default) or a probe `worker`: each exposes only its own series. */
  role?: 'bot' | 'worker';
  /** VANTAGE_NAME: the `vantage` label of what this process probes itself. */
  localVantage: string;
  /** This program's version, for smtp_check_build_info. */
  version: string;
  /** Process metrics; off in tests that build many registries. */
  processMetrics?: boolean;
}

/** A scrape must not hang on the database: the vantage directory is left out after this. */
const VANTAGE_READ_TIMEOUT_MS = 2_000;

const CHECK_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120];
// The probe's stages take milliseconds on a LAN and up to the greeting timeout behind postscreen.
const STAGE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const TICK_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const STAGES = new Set<string>(PROBE_STAGES);
const METHODS = new Set<string>(SLACK_METHODS);
/** A method outside the known list is counted, under one value, so the label set stays bounded. */
const slackMethod = (method: string): string => (METHODS.has(method) ? method : 'other');

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const worker = options.role === 'worker';
  const bot = worker ? [] : [registry];
  const both = [registry];
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // Three of prom-client's defaults are gauges named _total, which `promtool check metrics`
    // rejects (a _total name promises a counter); the other process and nodejs series stay.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  }

  new Gauge({
    name: 'smtp_check_build_info',
    help: 'Always 1; the version label says which smtp-check runs.',
    labelNames: ['version'],
    registers: both,
  }).set({ version: options.version }, 1);

  const checkDuration = new Histogram({
    name: 'smtp_check_check_duration_seconds',
    help: 'How long a check of a host took, by who asked for it.',
    labelNames: ['trigger'],
    buckets: CHECK_BUCKETS,
    registers: bot,
  });
  const checks = new Counter({
    name: 'smtp_check_checks_total',
    help: 'Checks of a host, by verdict (error: the check threw, a bug or infrastructure failing).',
    labelNames: ['verdict'],
    registers: bot,
  });
  for (const trigger of CHECK_TRIGGERS) checkDuration.zero({ trigger });
  for (const verdict of CHECK_VERDICTS) checks.inc({ verdict }, 0);
  const stageDuration = new Histogram({
    name: 'smtp_check_stage_duration_seconds',
    help: 'Time spent in each stage of probing a port (connect, greeting, ehlo, starttls, tls-handshake, ...).',
    labelNames: ['stage'],
    buckets: STAGE_BUCKETS,
    registers: both,
  });

  const tickDuration = new Histogram({
    name: 'smtp_check_tick_duration_seconds',
    help: 'How long a watch tick (re-testing every watched host and domain) took.',
    buckets: TICK_BUCKETS,
    registers: bot,
  });
  const ticks = new Counter({ name: 'smtp_check_ticks_total', help: 'Watch ticks started.', registers: bot });
  const ticksSkipped = new Counter({
    name: 'smtp_check_ticks_skipped_total',
    help: 'Watch ticks not run because the previous tick was still running.',
    registers: bot,
  });
  const ticksOverrun = new Counter({
    name: 'smtp_check_ticks_overrun_total',
    help: "Watch ticks that ended after the schedule's next slot had come.",
    registers: bot,
  });
  const lastTick = new Gauge({
    name: 'smtp_check_last_tick_timestamp_seconds',
    help: 'When the last watch tick ended, or the schedule started before the first (Unix time).',
    registers: bot,
  });
  const interval = new Gauge({
    name: 'smtp_check_schedule_interval_seconds',
    help: "The watch schedule's longest gap between two runs: a tick later than that is late.",
    registers: bot,
  });

  const series = new WatchSeries(options.localVantage);
  new Gauge({
    name: 'smtp_check_watch_port_up',
    help: 'Whether the last re-test found the watched port usable (1) or not (0), per vantage.',
    labelNames: ['host', 'port', 'vantage'],
    registers: bot,
    collect() {
      this.reset();
      for (const s of series.ports.values())
        this.set({ host: s.host, port: s.port, vantage: s.vantage }, s.usable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'smtp_check_watch_port_phase',
    help: "The watched port's alert phase (ok, suspect, blocked, recovering): 1 for the current one; the most alarming of the host's watches.",
    labelNames: ['host', 'port', 'vantage', 'phase'],
    registers: bot,
    collect() {
      this.reset();
      for (const s of series.ports.values())
        for (const phase of WATCH_PHASES)
          this.set({ host: s.host, port: s.port, vantage: s.vantage, phase }, s.phase === phase ? 1 : 0);
    },
  });
  new Gauge({
    name: 'smtp_check_watch_last_retest_timestamp_seconds',
    help: 'When this process last re-tested the watched host (Unix time).',
    labelNames: ['host'],
    registers: bot,
    collect() {
      this.reset();
      for (const [host, at] of series.retests) this.set({ host }, at);
    },
  });
  new Gauge({
    name: 'smtp_check_domain_watch_degraded',
    help: "Whether the watched domain's posture is worse than a watch's baseline (1) or not (0).",
    labelNames: ['domain'],
    registers: bot,
    collect() {
      this.reset();
      for (const s of series.domains.values()) this.set({ domain: s.domain }, s.degraded ? 1 : 0);
    },
  });
  new Gauge({
    name: 'smtp_check_domain_watch_last_recheck_timestamp_seconds',
    help: 'When this process last re-checked the watched domain (Unix time).',
    labelNames: ['domain'],
    registers: bot,
    collect() {
      this.reset();
      for (const s of series.domains.values()) this.set({ domain: s.domain }, s.atSeconds);
    },
  });

  const alertsOpened = new Counter({
    name: 'smtp_check_alerts_opened_total',
    help: 'Alerts announced: a port blocked, a certificate in a worse band, a domain degraded.',
    labelNames: ['kind'],
    registers: bot,
  });
  const alertsResolved = new Counter({
    name: 'smtp_check_alerts_resolved_total',
    help: 'Alerts announced resolved: a blocked port usable again, a domain back to its baseline.',
    labelNames: ['kind'],
    registers: bot,
  });
  for (const kind of ALERT_KINDS) alertsOpened.inc({ kind }, 0);
  for (const kind of ['port', 'domain']) alertsResolved.inc({ kind }, 0);

  const slackCalls = new Counter({
    name: 'smtp_check_slack_api_calls_total',
    help: 'Slack Web API call attempts, by method and outcome (ok, rate-limited, not-sent, outcome-unknown, final).',
    labelNames: ['method', 'outcome'],
    registers: bot,
  });
  const slackRetries = new Counter({
    name: 'smtp_check_slack_api_retries_total',
    help: 'Slack Web API calls tried again after a failure.',
    labelNames: ['method'],
    registers: bot,
  });
  const slackLimited = new Counter({
    name: 'smtp_check_slack_api_rate_limited_total',
    help: 'Slack Web API calls answered 429 (rate limited).',
    labelNames: ['method'],
    registers: bot,
  });
  for (const method of SLACK_METHODS) {
    for (const outcome of SLACK_OUTCOMES) slackCalls.inc({ method, outcome }, 0);
    slackRetries.inc({ method }, 0);
    slackLimited.inc({ method }, 0);
  }

  const storeUp = new Gauge({
    name: 'smtp_check_store_up',
    help: 'Whether the last operation of the watch store succeeded (1) or failed (0).',
    registers: bot,
  });
  let pool: PoolCounts | null = null;
  // Registered once a pool is given: the JSON-file store has none, and shows no such series.
  const poolGauge = (): Gauge =>
    new Gauge({
      name: 'smtp_check_db_pool_connections',
      help: "The store's PostgreSQL pool: connections open (total) and idle, and queries waiting for one.",
      labelNames: ['state'],
      registers: bot,
      collect() {
        this.reset();
        if (pool === null) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });

  // Registered once a directory is given: without a database there are no workers to show.
  let vantages: ReturnType<typeof vantageGauges> | null = null;
  let readVantages: { read: () => Promise<VantageDirectory>; timeoutMs: number } | null = null;
  let reading: Promise<void> | null = null;
  /** One read per scrape; scrapes that come while it runs share it. */
  const refreshVantages = (): Promise<void> => {
    const source = readVantages;
    const gauges = vantages;
    if (source === null || gauges === null) return Promise.resolve();
    reading ??= (async () => {
      const directory = await within(
        source.read().catch(() => undefined),
        source.timeoutMs,
      );
      gauges.show(directory ?? null);
    })().finally(() => {
      reading = null;
    });
    return reading;
  };

  const workerJobs = new Counter({
    name: 'smtp_check_worker_jobs_total',
    help: 'Probe jobs this worker handled, by outcome (answered, refused, failed, unstored).',
    labelNames: ['outcome'],
    registers: worker ? both : [],
  });
  for (const outcome of WORKER_JOB_OUTCOMES) workerJobs.inc({ outcome }, 0);
  const workerBeat = new Gauge({
    name: 'smtp_check_worker_last_heartbeat_timestamp_seconds',
    help: 'When the database last accepted this worker’s heartbeat (Unix time, this host’s clock).',
    registers: worker ? both : [],
  });

  return {
    contentType: registry.contentType,
    async exposition() {
      await refreshVantages();
      return registry.metrics();
    },
    checkFinished({ trigger, verdict, seconds }) {
      checkDuration.observe({ trigger }, seconds);
      checks.inc({ verdict });
    },
    stagesTimed(ports) {
      for (const port of ports)
        for (const [stage, ms] of Object.entries(port.timings))
          if (STAGES.has(stage) && typeof ms === 'number') stageDuration.observe({ stage }, ms / 1_000);
    },
    scheduleInterval(seconds) {
      interval.set(seconds);
      // Before the first tick, "not ticking" counts from the schedule's start, not from 1970.
      lastTick.setToCurrentTime();
    },
    tickStarted: () => ticks.inc(),
    tickEnded({ seconds, overran }) {
      tickDuration.observe(seconds);
      if (overran) ticksOverrun.inc();
      lastTick.setToCurrentTime();
    },
    tickSkipped: () => ticksSkipped.inc(),
    watchTickBegan: () => series.began(),
    watchPortSeen: (sight) => series.portSeen(sight),
    watchRetested: (host, at) => series.retested(host, at),
    domainWatchSeen: ({ domain, degraded, at }) => series.domainSeen(domain, degraded, at),
    watchTickEnded: (kept) => series.ended(kept),
    alertOpened: (kind) => alertsOpened.inc({ kind }),
    alertResolved: (kind) => alertsResolved.inc({ kind }),
    slackCall(method, outcome) {
      slackCalls.inc({ method: slackMethod(method), outcome });
      if (outcome === 'rate-limited') slackLimited.inc({ method: slackMethod(method) });
    },
    slackRetry: (method) => slackRetries.inc({ method: slackMethod(method) }),
    storeOperation: (ok) => storeUp.set(ok ? 1 : 0),
    observePool(counts) {
      if (pool === null) poolGauge();
      pool = counts;
    },
    observeVantages(read, timeoutMs = VANTAGE_READ_TIMEOUT_MS) {
      vantages ??= vantageGauges(bot);
      readVantages = { read, timeoutMs };
    },
    workerJob: (outcome) => workerJobs.inc({ outcome }),
    workerHeartbeat: (at) => workerBeat.set(at.getTime() / 1_000),
  };
}

/** The bot's view of its workers, set from one read of the directory per scrape. */
function vantageGauges(registers: Registry[]) {
  const up = new Gauge({
    name: 'smtp_check_vantage_directory_up',
    help: 'Whether the last scrape could read the vantage queue and heartbeats from the database (1) or not (0).',
    registers,
  });
  const depth = new Gauge({
    name: 'smtp_check_vantage_queue_depth',
    help: "Probe jobs waiting in the vantage's queue.",
    labelNames: ['vantage'],
    registers,
  });
  const live = new Gauge({
    name: 'smtp_check_vantage_workers_live',
    help: 'Workers of the vantage heard from within the last 20 s and not stopped.',
    labelNames: ['vantage'],
    registers,
  });
  const vantageAge = new Gauge({
    name: 'smtp_check_vantage_heartbeat_age_seconds',
    help: "Age of the vantage's newest worker heartbeat, on the database's clock.",
    labelNames: ['vantage'],
    registers,
  });
  const workerAge = new Gauge({
    name: 'smtp_check_vantage_worker_heartbeat_age_seconds',
    help: "Age of each running worker's last heartbeat, on the database's clock (worker: its id).",
    labelNames: ['vantage', 'worker'],
    registers,
  });
  return {
    /** null: the read failed or timed out; stale numbers would look live, so none are shown. */
    show(directory: VantageDirectory | null): void {
      for (const gauge of [depth, live, vantageAge, workerAge]) gauge.reset();
      up.set(directory === null ? 0 : 1);
      if (directory === null) return;
      for (const q of directory.queues) depth.set({ vantage: q.vantage }, q.depth);
      for (const v of directory.vantages) {
        live.set({ vantage: v.vantage }, v.live);
        vantageAge.set({ vantage: v.vantage }, v.heartbeatAgeSeconds);
      }
      for (const w of directory.workers)
        workerAge.set({ vantage: w.vantage, worker: w.worker }, w.heartbeatAgeSeconds);
    },
  };
}
