import { loadProbeSettings, ConfigError } from '../config.js';
import { VANTAGE_NAME_PATTERN } from '../diagnose/vantage-types.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log.js';
import { createTargetPolicy, PolicyError, type TargetPolicy } from '../policy/index.js';
import { createResolver, probeHost } from '../probe/index.js';
import { escapeControls } from '../render/sanitize.js';
import { createPool } from '../store/pg/connection.js';
import { databasePassword, describeDatabase, isPostgresUrl, redactUrl } from '../store/pg/database-url.js';
import { migrate } from '../store/pg/migrations.js';
import { smtpCheckVersion } from '../util/version.js';
import { grantWorkerRole, ROLE_NAME } from '../vantage/worker-role.js';
import { startWorker, WorkerStartError } from '../vantage/worker.js';
import { POLL_SECONDS } from '../vantage/queue-names.js';

// `smtp-check worker --vantage NAME`: a probe worker for one network. It needs DATABASE_URL (a
// role made with `smtp-check worker-role`), no Slack token, and opens nothing inbound.
// `smtp-check worker-role ROLE`: run once, with the bot's own DATABASE_URL, to create that role.

export const WORKER_USAGE = `usage: smtp-check worker --vantage NAME [--concurrency N] [--poll-seconds S]
       smtp-check worker-role ROLE

  worker        takes probe jobs for the vantage NAME (the network it runs in: office, aws-eu)
                from the queue in DATABASE_URL, probes with this machine's network, and returns
                the facts. It dials out only; nothing listens. ALLOW_TARGETS here is this
                worker's own policy: private and loopback targets are refused unless listed.
                The bot wakes it as it sends a job; --poll-seconds (default 2, at least 0.5) is
                how often it also looks on its own. Stop it with Ctrl-C or SIGTERM: running
                probes finish first.
  worker-role   creates the PostgreSQL role ROLE (LOGIN, no password) and grants it what a worker
                needs and nothing more: the job queue, its heartbeat, its answers. Run it with
                the bot's DATABASE_URL; then give the role a password (ALTER ROLE ROLE PASSWORD
                '…') and hand the worker postgres://ROLE:…@host/db.

exit codes: 0 stopped cleanly or role granted; 1 the database failed; 2 bad input or settings`;

export interface WorkerCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Resolves when the worker should stop (SIGTERM, SIGINT). */
  stopSignal: Promise<string>;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function databaseUrlOf(io: Pick<WorkerCommandIo, 'env'>): string | { problem: string } {
  const url = io.env['DATABASE_URL']?.trim() ?? '';
  if (url === '')
    return { problem: "DATABASE_URL is not set: a worker takes its jobs from the bot's PostgreSQL database" };
  if (!isPostgresUrl(url))
    return { problem: 'DATABASE_URL must be a PostgreSQL URL (postgres://role:password@host:5432/database)' };
  return url;
}

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
  const url = databaseUrlOf(io);
  if (typeof url !== 'string') {
    say(io.stderr, `smtp-check worker: ${url.problem}`);
    return EXIT_USAGE;
  }
  let settings: ReturnType<typeof loadProbeSettings>;
  let policy: TargetPolicy;
  try {
    settings = loadProbeSettings(io.env);
    policy = createTargetPolicy(
      (io.env['ALLOW_TARGETS'] ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    );
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PolicyError) {
      say(io.stderr, `smtp-check worker: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const password = databasePassword(url);
  const levelText = (io.env['LOG_LEVEL']?.trim() || 'info').toLowerCase();
  const logger = createLogger(
    {
      level: (LOG_LEVELS as readonly string[]).includes(levelText) ? (levelText as LogLevel) : 'info',
      format: io.env['LOG_FORMAT']?.trim() === 'json' ? 'json' : 'text',
      secrets: [url, ...(password ? [password] : [])],
      write: (line) => io.stderr.write(`${line}\n`),
    },
    { vantage: parsed.vantage },
  );
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker({
      databaseUrl: url,
      vantage: parsed.vantage,
      policy,
      limits: settings.limits,
      probeHost,
      resolver: createResolver(settings.dnsServers.length > 0 ? settings.dnsServers : undefined),
      concurrency: parsed.concurrency,
      pollSeconds: parsed.pollSeconds,
      logger,
      version: smtpCheckVersion(),
    });
  } catch (error) {
    if (error instanceof WorkerStartError) {
      say(
        io.stderr,
        `smtp-check worker: ${redactUrl(error.message, url)} (database ${describeDatabase(url)})`,
      );
      return EXIT_FAILED;
    }
    throw error;
  }
  say(
    io.stdout,
    `worker for vantage ${parsed.vantage} connected to ${describeDatabase(url)}; waiting for probe jobs (nothing listens here)`,
  );
  const signal = await io.stopSignal;
  say(io.stdout, `${signal}: finishing running probes, then stopping`);
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
  const [role, ...rest] = args;
  if (role === '--help' || role === '-h') {
    say(io.stdout, WORKER_USAGE);
    return EXIT_OK;
  }
  if (role === undefined || rest.length > 0 || !ROLE_NAME.test(role)) {
    say(
      io.stderr,
      `smtp-check worker-role: name one role of a-z, 0-9 and _, as in: smtp-check worker-role smtp_check_worker\n\n${WORKER_USAGE}`,
    );
    return EXIT_USAGE;
  }
  const url = databaseUrlOf(io);
  if (typeof url !== 'string') {
    say(io.stderr, `smtp-check worker-role: ${url.problem}`);
    return EXIT_USAGE;
  }
  const where = describeDatabase(url);
  const pool = createPool(url, { max: 2, onIdleError: () => undefined });
  try {
    // The tables and the queue must exist before they can be granted: prepare both, as the bot does.
    await migrate(pool, where);
    const { default: Boss } = (await import('pg-boss')) as unknown as { default: typeof import('pg-boss') };
    const boss = new Boss({ connectionString: url, supervise: false, schedule: false, max: 2 });
    boss.on('error', () => undefined);
    await boss.start();
    await boss.stop({ graceful: false, wait: true });
    const { created } = await grantWorkerRole(pool, role);
    say(
      io.stdout,
      `${created ? 'created role' : 'role'} ${role} in ${where}: it may take probe jobs and answer them, and read nothing else.\n` +
        `Give it a password (psql: ALTER ROLE ${role} PASSWORD '…') and start the worker with\n` +
        `  DATABASE_URL=postgres://${role}:PASSWORD@HOST/DATABASE npx smtp-check worker --vantage NAME`,
    );
    return EXIT_OK;
  } catch (error) {
    say(
      io.stderr,
      `smtp-check worker-role: ${redactUrl((error as Error)?.message ?? String(error), url)} (database ${where})`,
    );
    return EXIT_FAILED;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
