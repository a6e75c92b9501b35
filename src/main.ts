// Composition root of the bot (`npm start`): settings, logger, probe, policy, store, scheduler,
// and Slack (Socket Mode or HTTP) or the local console when no Slack settings are given.

import { createAdmission, createAsyncAdmission, createRunCheck, limitConcurrency } from './check/index.js';
import { createSessionTests } from './cli/session-tests.js';
import { readFileSync } from 'node:fs';
import { type Config, ConfigError, extraCaFile, loadConfig } from './config.js';
import { CERT_CRITICAL_DAYS, CERT_EXPIRING_DAYS } from './diagnose/index.js';
import { type EnvFileResult, loadEnvFile } from './env-file.js';
import { createLocalCoordinator, type FleetCoordinator, openPgFleet } from './fleet/index.js';
import type { CheckResults } from './chat/use-cases/index.js';
import {
  createBotDomainChecks,
  createHealth,
  createHealthHandler,
  createTickWatch,
  type FleetDatabase,
  type FleetRateLimiter,
  type ReleaseTarget,
  type SlackHealth,
  startHealthPort,
  type TickWatch,
} from './fleet-context/index.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics } from './metrics/index.js';
import { escapeControls } from './text/sanitize.js';
import { onClosedPipe } from './util/closed-pipe.js';
import { RateLimiter, type TargetPolicy } from './policy/index.js';
import { createResolver, probeHost } from './probe/index.js';
import { createRecommendationVerifier } from './proof/index.js';
import { observeStore, openStore, StoreError, type WatchStore } from './store/index.js';
import {
  type AlertNotifier,
  createWatchCommands,
  recheckWatches,
  type Scheduler,
  startScheduler,
  validateSchedule,
} from './watch/index.js';
import { EXIT_USAGE } from './util/exit-codes.js';
import { smtpCheckVersion } from './util/version.js';
import { readVantageDirectory } from './vantage/read-vantage-directory.js';

const EXIT_CONFIG = EXIT_USAGE;
const DRAIN_MS = 20_000;

function fail(message: string | string[]): never {
  if (Array.isArray(message)) {
    for (const line of message) process.stderr.write(`smtp-check: ${escapeControls(line)}\n`);
    process.exit(EXIT_CONFIG);
  }
  // Messages quote settings and file names: nothing in them may drive the terminal.
  process.stderr.write(`smtp-check: ${escapeControls(message, { keepNewlines: true })}\n`);
  process.exit(EXIT_CONFIG);
}

/** `npm start` reads ./.env itself; what the environment already sets wins. */
const ENV_FILE = '.env';

/**
 * Node reads NODE_EXTRA_CA_CERTS once, before any code runs, so setting it from .env has no effect
 * on Node's store: the CAs it names are read here and handed to the probe instead.
 */
function extraCaFromEnvFile(envFile: EnvFileResult): string[] | undefined {
  if (envFile.kind !== 'loaded' || !envFile.applied.includes('NODE_EXTRA_CA_CERTS')) return undefined;
  const file = extraCaFile(process.env);
  if (file === null) return undefined;
  try {
    return [readFileSync(file, 'utf8')];
  } catch (error) {
    fail(`NODE_EXTRA_CA_CERTS=${file} (from ${ENV_FILE}) cannot be read: ${(error as Error).message}`);
  }
}

function settings(): { config: Config; policy: TargetPolicy; extraCa: string[] | undefined } {
  const envFile = loadEnvFile(ENV_FILE, process.env);
  if (envFile.kind === 'unreadable') fail(`cannot read ${envFile.path}: ${envFile.message}`);
  let config: Config;
  try {
    config = loadConfig(process.env, {
      validateSchedule: (expression) => {
        const check = validateSchedule(expression);
        return check.ok ? null : check.error;
      },
    });
  } catch (error) {
    if (error instanceof ConfigError)
      fail(`${error.message}\nSee .env.example for every setting and its default.`);
    throw error;
  }
  return { config, policy: config.policy, extraCa: extraCaFromEnvFile(envFile) };
}

async function openStoreOrExit(config: Config, logger: Logger): Promise<WatchStore> {
  try {
    return await openStore(config, logger);
  } catch (error) {
    if (error instanceof StoreError) fail(error.message);
    throw error;
  }
}

/** What a fleet's replicas share besides the store and the schedule (see openFleet). */
interface SharedContext {
  db: FleetDatabase;
  limiter: FleetRateLimiter;
  holdTarget: (target: string) => Promise<ReleaseTarget>;
  results: CheckResults;
}

/**
 * With DATABASE_URL, the replicas share, on the store's own pool and in its transactions: the
 * schedule (each host once per tick) and the record of what was posted, and what a click or a
 * thread reply needs on any replica (the check results), the rate limits and the per-host wait.
 * Without it, this process re-tests everything, posts on its own and keeps the rest in memory.
 */
async function openFleet(
  config: Config,
  logger: Logger,
  store: WatchStore,
): Promise<{ fleet: FleetCoordinator; close(): Promise<void>; shared: SharedContext | null }> {
  if (config.databaseUrl === null)
    return { fleet: createLocalCoordinator(), close: async () => {}, shared: null };
  const { isPgWatchStore, saveAlertStatesIn } = await import('./store/pg/index.js');
  if (!isPgWatchStore(store))
    throw new Error('DATABASE_URL is set but the watch store is not the PostgreSQL one');
  const pg = store;
  const db = { pool: pg.pool, url: config.databaseUrl };
  try {
    const opened = await openPgFleet({
      ...db,
      leaseMs: config.watch.leaseSeconds * 1_000,
      batchSize: config.watch.concurrency,
      logger,
      store: { transaction: (doing, work) => pg.transaction(doing, work), saveAlertStatesIn },
    });
    logger.info('watch schedule shared through PostgreSQL', { replica: opened.fleet.replica });
    const context = await import('./fleet-context/index.js');
    const rateLimits = {
      perUserPerMinute: config.rate.checksPerUserPerMinute,
      perTargetPerMinute: config.rate.checksPerTargetPerMinute,
    };
    const leases = context.createTargetLeases(db, { logger });
    const shared: SharedContext = {
      db,
      limiter: new context.FleetRateLimiter(db, rateLimits, { logger }),
      holdTarget: (target) => leases.acquire(target),
      results: context.createPgCheckResults(db),
    };
    return { ...opened, shared };
  } catch (error) {
    if (error instanceof StoreError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  onClosedPipe(process.stderr);
  const { config, policy, extraCa } = settings();
  // On a terminal logs are for the person watching; files and log collectors get JSON.
  const logFormat =
    config.logFormat === 'auto' ? (process.stderr.isTTY === true ? 'text' : 'json') : config.logFormat;
  const logger = createLogger({ level: config.logLevel, format: logFormat, secrets: config.secrets });
  const now = () => new Date();
  // What /metrics serves: one registry for the process, handed to every part that reports.
  const metrics = createMetrics({ localVantage: config.vantage.name, version: smtpCheckVersion() });

  const store = observeStore(await openStoreOrExit(config, logger), metrics);
  metrics.storeOperation(true);
  const fleet = await openFleet(config, logger, store);
  const { shared } = fleet;
  if (shared) {
    metrics.observePool(shared.db.pool);
    metrics.observeVantages(() => readVantageDirectory(shared.db.pool));
  }
  const limiter = new RateLimiter(
    {
      perUserPerMinute: config.rate.checksPerUserPerMinute,
      perTargetPerMinute: config.rate.checksPerTargetPerMinute,
    },
    Date.now,
  );
  // The domain report, and MTA-STS and DANE on MX checks.
  const domainChecks = createBotDomainChecks({ config, policy, extraCa, logger, now });
  const limited = limitConcurrency(
    createRunCheck({
      probeHost,
      limits: config.limits,
      now,
      resolver: createResolver(config.dnsServers.length > 0 ? config.dnsServers : undefined),
      policy,
      defaultPorts: config.probePorts,
      egressCanary: config.egressCanary,
      addressLimiter: shared?.limiter ?? limiter,
      metrics,
      ...(extraCa ? { extraCa } : {}),
      verifyRecommendation: createRecommendationVerifier({
        timeoutMs: config.limits.replyTimeoutMs,
        ...(extraCa ? { extraCa } : {}),
      }),
      // On a check of you@example.com: each MX host's MTA-STS coverage and DANE match.
      mxTransport: domainChecks.mxTransport,
    }),
    { maxConcurrentChecks: config.rate.maxConcurrentChecks, maxPerTarget: 1 },
    shared ? { holdTarget: shared.holdTarget } : {},
  );
  const runCheck = limited.runCheck;
  // Other networks answer through the fleet's database; the bot's own network is a vantage too.
  const vantages = shared
    ? await (await import('./vantage/pg-vantage-probes.js')).openPgVantageProbes({
        db: shared.db,
        local: config.vantage.name,
        runCheck: (request, hooks = {}) =>
          hooks.priority === 'scheduled'
            ? limited.runScheduledCheck(request, hooks)
            : limited.runCheck(request, hooks),
        defaultPorts: config.probePorts,
        deadlineMs: config.vantage.deadlineMs,
        logger,
      })
    : null;
  const vantageOptions = vantages
    ? { vantages, localVantage: config.vantage.name }
    : { localVantage: config.vantage.name };
  // Watches from vantages: who probes from where, and how many must agree a port is blocked.
  const watchVantages = {
    ...(vantages ? { vantageProbes: vantages } : {}),
    alertQuorum: config.vantage.alertQuorum,
  };
  // Chat-started checks and watch baselines: the fleet's limits when replicas share a database.
  const admit = shared
    ? createAsyncAdmission({ limiter: shared.limiter, extraPorts: config.allowedPorts })
    : createAdmission({ limiter, extraPorts: config.allowedPorts });
  const alertConfig = {
    failuresToBlock: config.watch.failuresToAlert,
    successesToRecover: config.watch.successesToRecover,
    reminderMs: config.watch.reminderHours * 3_600_000,
    certExpiringDays: CERT_EXPIRING_DAYS,
    certCriticalDays: CERT_CRITICAL_DAYS,
  };

  const { checkDomain } = domainChecks;

  // Watch commands share the checks' admission: a watch's baseline is a chat-started probe too.
  const watches = createWatchCommands({
    store,
    runCheck,
    now,
    logger,
    alertConfig,
    admins: config.watch.admins,
    admit,
    checkDomain,
    ...watchVantages,
  });

  // What /readyz reads to tell a stuck scheduler, set once the schedule runs.
  let ticks: TickWatch | null = null;
  const schedule = (notify: AlertNotifier): Scheduler => {
    const scheduler = startScheduler({
      expression: config.checkSchedule,
      ...(config.checkTimezone ? { timezone: config.checkTimezone } : {}),
      logger,
      metrics,
      tick: (slot) => {
        ticks?.tickStarted();
        return recheckWatches({
          fleet: fleet.fleet,
          slot,
          store,
          runCheck: limited.runScheduledCheck,
          notify,
          now,
          logger,
          concurrency: config.watch.concurrency,
          jitterMs: 2_000,
          alertConfig,
          checkDomain,
          ...watchVantages,
          metrics,
        });
      },
    });
    ticks = createTickWatch({ intervalMs: scheduler.intervalMs });
    return scheduler;
  };

  // /healthz, /readyz and /metrics: on PORT in HTTP mode, and on HEALTH_PORT in every mode.
  // Served before Slack connects, so a platform sees the process alive while it does.
  let slackConnection: (() => SlackHealth) | null = null;
  const ready = createHealth({
    db: shared?.db ?? null,
    dataFile: shared ? null : config.dataFile,
    scheduler: { liveness: () => ticks?.liveness() ?? { ok: true } },
    slack: config.mode === 'console' ? null : { connection: () => slackConnection?.() ?? 'disconnected' },
  });
  const healthHandler = createHealthHandler({ ready, metrics, logger });
  const healthServer = await startHealthPort(config.health, healthHandler, logger).catch((error: unknown) =>
    fail((error as Error).message),
  );

  if (config.mode === 'console') {
    // Console mode never loads Bolt: the console and the notifier use the Bolt-free use cases.
    const { consoleChatFor, runConsole } = await import('./console/index.js');
    const { chatNotifier } = await import('./chat/use-cases/index.js');
    // One printer for commands and alerts, so an alert's thread replies point at its number.
    const chat = consoleChatFor(process.stdout);
    // Nobody reads the output any more (`npm start | head`): stop as at the end of input.
    const outputGone = new AbortController();
    onClosedPipe(process.stdout, () => outputGone.abort());
    const timeZone = config.checkTimezone ? { timeZone: config.checkTimezone } : {};
    const scheduler = schedule(
      chatNotifier(chat, { history: (input) => watches.historyOf(input), logger, ...timeZone }),
    );
    logger.info('console mode: no Slack settings given', { schedule: config.checkSchedule });
    await runConsole({
      input: process.stdin,
      output: process.stdout,
      runCheck,
      logger,
      admit,
      watches,
      chat,
      checkDomain,
      ...vantageOptions,
      ...timeZone,
      stop: outputGone.signal,
      // The operator's own terminal: login and send tests run here as in the CLI.
      sessionTests: createSessionTests({ timeoutMs: config.limits.replyTimeoutMs, env: process.env }),
    });
    await scheduler.stop();
    await healthServer?.close();
    await vantages?.close();
    await fleet.close();
    await store.close();
    return;
  }

  const { createSlackApp, SlackStartUpError } = await import('./slack/index.js');
  const app = createSlackApp({
    botToken: config.slack.botToken ?? '',
    ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
    ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
    ...(config.slack.port !== null ? { port: config.slack.port } : {}),
    apiUrl: config.slack.apiUrl,
    runCheck,
    admit,
    watches,
    ...vantageOptions,
    logger,
    logLevel: config.logLevel,
    metrics,
    ...(shared ? { results: shared.results } : {}),
    health: healthHandler,
    checkDomain,
    ...(config.checkTimezone ? { timeZone: config.checkTimezone } : {}),
  });
  slackConnection = () => app.connection();
  try {
    await app.start();
  } catch (error) {
    // A wrong token or an unreachable API: the settings' problem, said with the fix, exit 2.
    if (error instanceof SlackStartUpError) fail(error.problems);
    throw error;
  }
  const scheduler = schedule(app.notifier);
  logger.info('smtp-check ready', { mode: config.mode, schedule: config.checkSchedule });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const [{ drained }] = await Promise.all([
      app.stop({ drainMs: DRAIN_MS }),
      scheduler.stop(),
      healthServer?.close(),
    ]);
    await vantages?.close();
    await fleet.close();
    await store.close();
    logger.info('stopped', { drained });
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`smtp-check: could not start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
