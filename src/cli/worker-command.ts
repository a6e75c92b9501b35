import { ConfigError, loadWorkerRoleSettings, loadWorkerSettings, type WorkerSettings } from '../config.js';
import { VANTAGE_NAME_PATTERN } from '../diagnose/vantage-types.js';
import {
  createHealthHandler,
  createWorkerHealth,
  type HealthServer,
  type MetricsSource,
  startHealthPort,
  type WorkerHealthReport,
} from '../fleet-context/index.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics/index.js';
import { createResolver, probeHost } from '../probe/index.js';
import { escapeControls } from '../text/sanitize.js';
import { createPool } from '../database/connection.js';
import { describeDatabase, redactUrl } from '../database/database-url.js';
import { migrate } from '../store/pg/migrations.js';
import { smtpCheckVersion } from '../util/version.js';
import {
  DEFAULT_CONNECTION_LIMIT,
  grantWorkerRole,
  ROLE_NAME,
  WorkerRoleRefusal,
} from '../vantage/worker-role.js';
import { startWorker, WorkerStartError } from '../vantage/worker.js';
import { POLL_SECONDS } from '../vantage/queue-names.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE } from '../util/exit-codes.js';

// `smtp-check worker --vantage NAME`: a probe worker for one network. It needs DATABASE_URL (a
// role made with `smtp-check worker-role`), no Slack token, and opens nothing inbound.
// `smtp-check worker-role ROLE --vantage NAME`: run once per worker role, with the bot's own
// DATABASE_URL, to create that role and bind it to one vantage.

export const WORKER_USAGE = `usage: smtp-check worker --vantage NAME [--concurrency N] [--poll-seconds S]
       smtp-check worker-role ROLE --vantage NAME [--update] [--connection-limit N]

  worker        takes probe jobs for the vantage NAME (the network it runs in: office, aws-eu)
                from the queue in DATABASE_URL, probes with this machine's network, and returns
                the facts. It dials out only; nothing listens but HEALTH_PORT, when set
                (/healthz, /readyz, /metrics on HEALTH_HOST). ALLOW_TARGETS here is this
                worker's own policy: private and loopback targets are refused unless listed;
                ALLOWED_PORTS adds ports to the SMTP ones it dials. The bot wakes it as it sends
                a job; --poll-seconds (default 2, at least 0.5) is how often it also looks on its
                own. Stop it with Ctrl-C or SIGTERM: running probes finish first.
  worker-role   creates the PostgreSQL role ROLE (LOGIN, no password, at most
                --connection-limit connections, default ${DEFAULT_CONNECTION_LIMIT}) and binds it to the vantage
                NAME: it may take and answer NAME's probe jobs and renew its heartbeat, and
                nothing else. An existing role is refused unless --update (rebinds it and resets
                its privileges); the bot's own role and superusers are always refused. Run it
                with the bot's DATABASE_URL; then give the role a password (ALTER ROLE ROLE
                PASSWORD '…') and hand the worker postgres://ROLE:…@host/db.

exit codes: 0 stopped cleanly or role granted; 1 the database failed; 2 bad input or settings`;

export interface WorkerCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Resolves when the worker should stop (SIGTERM, SIGINT). */
  stopSignal: Promise<string>;
  /** What /metrics serves on HEALTH_PORT; without it /metrics is 404. */
  metrics?: MetricsSource | null;
}

const EXIT_FAILED = EXIT_PROBLEM;

function parseWorkerArgs(
  args: string[],
): { vantage: string; concurrency: number; pollSeconds: number } | { problem: string } {
  let vantage: string | null = null;
  let concurrency = 4;
  let pollSeconds = POLL_SECONDS;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [name, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++index];
    if (name === '--vantage') vantage = value()?.trim().toLowerCase() ?? '';
    else if (name === '--concurrency') {
      const text = value() ?? '';
      concurrency = Number(text);
      if (!/^\d+$/.test(text) || concurrency < 1 || concurrency > 64)
        return { problem: `--concurrency ${text} must be a whole number from 1 to 64` };
    } else if (name === '--poll-seconds') {
      const text = value() ?? '';
      pollSeconds = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || pollSeconds < 0.5 || pollSeconds > 60)
        return { problem: `--poll-seconds ${text} must be a number of seconds from 0.5 to 60` };
    } else return { problem: `unknown argument ${arg}` };
  }
  if (vantage === null || vantage === '')
    return { problem: 'name the network this worker runs in: smtp-check worker --vantage office' };
  if (!VANTAGE_NAME_PATTERN.test(vantage))
    return {
      problem: `--vantage ${vantage}: use lower-case letters, digits and hyphens, at most 32 (e.g. aws-eu)`,
    };
  return { vantage, concurrency, pollSeconds };
}

export async function runWorkerCommand(args: string[], io: WorkerCommandIo): Promise<number> {
  const say = (stream: { write(text: string): unknown }, line: string) =>
    stream.write(`${escapeControls(line, { keepNewlines: true })}\n`);
  if (args.includes('--help') || args.includes('-h')) {
    say(io.stdout, WORKER_USAGE);
    return EXIT_OK;
  }
  const parsed = parseWorkerArgs(args);
  if ('problem' in parsed) {
    say(io.stderr, `smtp-check worker: ${parsed.problem}\n\n${WORKER_USAGE}`);
    return EXIT_USAGE;
  }
  let settings: WorkerSettings;
  try {
    settings = loadWorkerSettings(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      say(io.stderr, `smtp-check worker: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const url = settings.databaseUrl;
  const logger = createLogger(
    {
      level: settings.logLevel,
      format: settings.logFormat,
      secrets: settings.secrets,
      write: (line) => io.stderr.write(`${line}\n`),
    },
    { vantage: parsed.vantage },
  );
  // A stop while the worker still waits for the bot to prepare the database ends the wait.
  const abort = new AbortController();
  let stopSignal: string | null = null;
  void io.stopSignal.then((signal) => {
    stopSignal = signal;
    abort.abort();
  });
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const metrics = createMetrics({
    role: 'worker',
    localVantage: parsed.vantage,
    version: smtpCheckVersion(),
  });
  // Served from the start, so a platform sees the process alive while it waits for the database;
  // ready once the worker has announced itself and while its database and heartbeat are fine.
  let ready: (() => Promise<WorkerHealthReport>) | null = null;
  const handler = createHealthHandler({
    logger,
    metrics: io.metrics ?? metrics,
    ready: async () =>
      ready === null
        ? { ok: false, database: 'unavailable', heartbeat: 'late', reasons: ['worker: starting'] }
        : ready(),
  });
  let health: HealthServer | null;
  try {
    health = await startHealthPort(settings.health, handler, logger);
  } catch (error) {
    say(io.stderr, `smtp-check worker: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  try {
    worker = await startWorker({
      databaseUrl: url,
      vantage: parsed.vantage,
      policy: settings.policy,
      allowedPorts: settings.allowedPorts,
      limits: settings.limits,
      probeHost,
      resolver: createResolver(settings.dnsServers.length > 0 ? settings.dnsServers : undefined),
      concurrency: parsed.concurrency,
      pollSeconds: parsed.pollSeconds,
      logger,
      version: smtpCheckVersion(),
      signal: abort.signal,
      metrics,
    });
  } catch (error) {
    await health?.close();
    if (error instanceof WorkerStartError && stopSignal !== null) {
      say(io.stdout, `${stopSignal}: stopped before the database was ready`);
      return EXIT_OK;
    }
    if (error instanceof WorkerStartError) {
      say(
        io.stderr,
        `smtp-check worker: ${redactUrl(error.message, url)} (database ${describeDatabase(url)})`,
      );
      return EXIT_FAILED;
    }
    throw error;
  }
  ready = createWorkerHealth({ db: worker.db, heartbeat: worker.heartbeat });
  const listening =
    health === null
      ? 'nothing listens here'
      : `health and metrics on http://${health.host.includes(':') ? `[${health.host}]` : health.host}:${health.port}, nothing else listens`;
  say(
    io.stdout,
    `worker for vantage ${parsed.vantage} connected to ${describeDatabase(url)}; waiting for probe jobs (${listening})`,
  );
  const signal = await io.stopSignal;
  say(io.stdout, `${signal}: finishing running probes, then stopping`);
  await health?.close();
  await worker.stop();
  say(io.stdout, 'worker stopped');
  return EXIT_OK;
}

export async function runWorkerRoleCommand(
  args: string[],
  io: Omit<WorkerCommandIo, 'stopSignal'>,
): Promise<number> {
  const say = (stream: { write(text: string): unknown }, line: string) =>
    stream.write(`${escapeControls(line, { keepNewlines: true })}\n`);
  if (args.includes('--help') || args.includes('-h')) {
    say(io.stdout, WORKER_USAGE);
    return EXIT_OK;
  }
  const parsed = parseWorkerRoleArgs(args);
  if ('problem' in parsed) {
    say(io.stderr, `smtp-check worker-role: ${parsed.problem}\n\n${WORKER_USAGE}`);
    return EXIT_USAGE;
  }
  const settings = loadWorkerRoleSettings(io.env);
  if ('problem' in settings) {
    say(io.stderr, `smtp-check worker-role: ${settings.problem}`);
    return EXIT_USAGE;
  }
  const url = settings.databaseUrl;
  const { role, vantage } = parsed;
  const where = describeDatabase(url);
  const pool = createPool(url, { max: 2, onIdleError: () => undefined });
  try {
    // The tables and functions must exist before they can be granted: prepare them, as the bot does.
    await migrate(pool, where);
    const { created, previousVantage } = await grantWorkerRole(pool, parsed);
    const rebound =
      previousVantage !== null && previousVantage !== vantage
        ? ` (it spoke for ${previousVantage} before)`
        : '';
    say(
      io.stdout,
      `${created ? 'created role' : 'updated role'} ${role} in ${where}, bound to vantage ${vantage}${rebound}: ` +
        `it may take and answer ${vantage}'s probe jobs, and do nothing else.\n` +
        `Give it a password (psql: ALTER ROLE "${role}" PASSWORD '…') and start the worker with\n` +
        `  DATABASE_URL=postgres://${role}:PASSWORD@HOST/DATABASE npx smtp-check worker --vantage ${vantage}`,
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof WorkerRoleRefusal) {
      say(io.stderr, `smtp-check worker-role: ${error.message}`);
      return EXIT_USAGE;
    }
    say(
      io.stderr,
      `smtp-check worker-role: ${redactUrl((error as Error)?.message ?? String(error), url)} (database ${where})`,
    );
    return EXIT_FAILED;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function parseWorkerRoleArgs(
  args: string[],
): { role: string; vantage: string; update: boolean; connectionLimit: number } | { problem: string } {
  let role: string | null = null;
  let vantage: string | null = null;
  let update = false;
  let connectionLimit = DEFAULT_CONNECTION_LIMIT;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [name, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++index];
    if (name === '--vantage') vantage = value()?.trim().toLowerCase() ?? '';
    else if (name === '--update') update = true;
    else if (name === '--connection-limit') {
      const text = value() ?? '';
      connectionLimit = Number(text);
      if (!/^\d+$/.test(text) || connectionLimit < 1 || connectionLimit > 1_000)
        return { problem: `--connection-limit ${text} must be a whole number from 1 to 1000` };
    } else if (!arg.startsWith('-') && role === null) role = arg;
    else return { problem: `unknown argument ${arg}` };
  }
  if (role === null || !ROLE_NAME.test(role))
    return {
      problem:
        role === null
          ? 'name the role to create, as in: smtp-check worker-role smtp_check_office --vantage office'
          : `${role.slice(0, 80)} is not a role name this command makes: start with a letter or _, then letters, digits, _ . or -, at most 63`,
    };
  if (vantage === null || vantage === '')
    return {
      problem: `name the vantage the role speaks for: smtp-check worker-role ${role} --vantage office`,
    };
  if (!VANTAGE_NAME_PATTERN.test(vantage))
    return {
      problem: `--vantage ${vantage}: use lower-case letters, digits and hyphens, at most 32 (e.g. aws-eu)`,
    };
  return { role, vantage, update, connectionLimit };
}
