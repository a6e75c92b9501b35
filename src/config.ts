// The only reader of process.env. Every problem is collected and reported at once, with the fix.

import { DEFAULT_PORTS } from './diagnose/knowledge/ports.js';
import type { EgressCanary } from './check/index.js';
import type { LogFormat, LogLevel } from './log.js';
import type { TargetPolicy } from './policy/index.js';
import { DEFAULT_LIMITS, type ProbeLimits } from './probe/types.js';
import { databasePassword, isPostgresUrl } from './database/database-url.js';
import { isTimeZone } from './util/time-zone.js';
import {
  botDatabaseUrlOf,
  botLogFormatOf,
  commaList,
  ConfigError,
  dnsServerList,
  domainReportSettingsOf,
  type HealthListen,
  healthListenOf,
  logLevelOf,
  parseCanary,
  portNumbers,
  type SlackMode,
  slackModeOf,
  type SlackSettings,
  targetPolicyOf,
  timeZoneProblem,
  type TransportSettings,
  workerLogFormatOf,
  vantageNameOf,
  watchAdminsOf,
  wholeNumber,
} from './config-parts.js';

export { ConfigError, type HealthListen, type SlackMode, type SlackSettings };

export interface Config extends ProbeSettings {
  mode: SlackMode;
  slack: SlackSettings;
  /** LOG_FORMAT; `auto` is text when stderr is a terminal, JSON otherwise (decided in main.ts). */
  logFormat: LogFormat | 'auto';
  dataFile: string;
  /** DATABASE_URL: PostgreSQL for a fleet of replicas; null = the JSON file (DATA_FILE). */
  databaseUrl: string | null;
  vantage: VantageSettings;
  /** HEALTH_PORT and HEALTH_HOST: /healthz, /readyz and /metrics on a port of their own; null = off. */
  health: HealthListen | null;
  checkSchedule: string;
  checkTimezone: string | null;
  allowTargets: string[];
  /** The target policy built from ALLOW_TARGETS (built here once, as validating it builds it). */
  policy: TargetPolicy;
  allowedPorts: number[];
  watch: {
    /** Slack user ids allowed to watch, unwatch and mute; empty means everyone. */
    admins: string[];
    /** Consecutive failed observations before "blocked" is announced. */
    failuresToAlert: number;
    /** Consecutive good observations before "recovered" is announced. */
    successesToRecover: number;
    /** Minimum time between reminders while a port stays blocked. */
    reminderHours: number;
    /** Hosts re-tested at once by a scheduled tick. */
    concurrency: number;
    /** With DATABASE_URL: how long a replica holds a host it re-tests, or a post it makes. */
    leaseSeconds: number;
  };
  rate: {
    checksPerUserPerMinute: number;
    checksPerTargetPerMinute: number;
    /** Checks running at once across the bot (each probes several ports). */
    maxConcurrentChecks: number;
  };
  /** Every secret, so the logger can mask them. */
  secrets: string[];
}

/** Where probes run from: this process's own network, and how long other networks' workers get. */
export interface VantageSettings {
  /** VANTAGE_NAME: the name of the network this process probes from (default `bot`). */
  name: string;
  /** VANTAGE_DEADLINE_SECONDS: how long a check waits for another vantage's answer. */
  deadlineMs: number;
  /**
   * ALERT_QUORUM: how many vantages must see a port blocked before a watch from several vantages
   * announces it host-wide (1 = any one of them).
   */
  alertQuorum: number;
}

export interface ConfigValidators {
  /** node-cron's validator, injected so this file does not import the scheduler library. */
  validateSchedule?: (expression: string) => string | null;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export const DEFAULT_PROBE_PORTS: number[] = [...DEFAULT_PORTS];

/** DATA_FILE: the JSON store, used when DATABASE_URL is not set. */
export const DEFAULT_DATA_FILE = './data/smtp-check.json';

/** VANTAGE_NAME of the bot when unset. */
export const DEFAULT_BOT_VANTAGE = 'bot';

/** VANTAGE_NAME of `smtp-check` in a terminal when unset: not the bot's default (see loadTerminalSettings). */
export const DEFAULT_TERMINAL_VANTAGE = 'here';

/** VANTAGE_DEADLINE_SECONDS when unset; at most MAX_VANTAGE_DEADLINE_SECONDS. */
export const DEFAULT_VANTAGE_DEADLINE_SECONDS = 30;
const MAX_VANTAGE_DEADLINE_SECONDS = 600;

/** CHECK_TIMEZONE of `smtp-check history` when unset (the bot's pictures use UTC too). */
export const DEFAULT_HISTORY_TIMEZONE = 'UTC';

function positiveInt(env: Env, name: string, fallback: number, problems: string[], max = 600_000): number {
  return wholeNumber(name, env[name], fallback, problems, max);
}

function portList(env: Env, name: string, fallback: number[], problems: string[]): number[] {
  return portNumbers(name, env[name], fallback, problems);
}

function vantageDeadlineSeconds(env: Env, problems: string[]): number {
  const max = MAX_VANTAGE_DEADLINE_SECONDS;
  return positiveInt(env, 'VANTAGE_DEADLINE_SECONDS', DEFAULT_VANTAGE_DEADLINE_SECONDS, problems, max);
}

function slackSettings(env: Env, problems: string[]): { mode: SlackMode; slack: SlackSettings } {
  const value = (name: string): string | null => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? null : raw;
  };
  return slackModeOf(
    {
      botToken: value('SLACK_BOT_TOKEN'),
      appToken: value('SLACK_APP_TOKEN'),
      signingSecret: value('SLACK_SIGNING_SECRET'),
      apiUrl: value('SLACK_API_URL') ?? DEFAULT_SLACK_API_URL,
      portText: value('PORT'),
    },
    problems,
  );
}

export interface ProbeSettings {
  probePorts: number[];
  egressCanary: EgressCanary | null;
  dnsServers: string[];
  /** Who the domain report asks (DNS_RESOLVER; its defaults: see domainReportSettingsOf). */
  postureDnsServers: string[];
  /** DNSSEC_RESOLVER, DNSBL_RESOLVER, DNSBL_ZONES, DOMAIN_MX_PROBE. */
  transport: TransportSettings;
  limits: ProbeLimits;
  logLevel: LogLevel;
}

function probeSettings(env: Env, problems: string[]): ProbeSettings {
  const logLevel = logLevelOf(env['LOG_LEVEL'], problems);
  const dnsServers = dnsServerList(env['DNS_SERVERS'], problems);
  const domainReportText = {
    dnsResolver: env['DNS_RESOLVER'],
    dnssecResolver: env['DNSSEC_RESOLVER'],
    dnsblResolver: env['DNSBL_RESOLVER'],
    dnsblZones: env['DNSBL_ZONES'],
    probeMx: env['DOMAIN_MX_PROBE'],
  };
  return {
    probePorts: portList(env, 'PROBE_PORTS', DEFAULT_PROBE_PORTS, problems),
    egressCanary: parseCanary(env['EGRESS_CANARY'], problems),
    dnsServers,
    ...domainReportSettingsOf(domainReportText, dnsServers, problems),
    limits: {
      ...DEFAULT_LIMITS,
      connectTimeoutMs: positiveInt(env, 'CONNECT_TIMEOUT_MS', DEFAULT_LIMITS.connectTimeoutMs, problems),
      greetingTimeoutMs: positiveInt(env, 'GREETING_TIMEOUT_MS', DEFAULT_LIMITS.greetingTimeoutMs, problems),
      replyTimeoutMs: positiveInt(env, 'REPLY_TIMEOUT_MS', DEFAULT_LIMITS.replyTimeoutMs, problems),
      portDeadlineMs: positiveInt(env, 'PORT_DEADLINE_MS', DEFAULT_LIMITS.portDeadlineMs, problems),
    },
    logLevel,
  };
}

/** The settings the terminal command uses (no Slack, no schedule); throws ConfigError. */
export function loadProbeSettings(env: Env): ProbeSettings {
  const problems: string[] = [];
  const settings = probeSettings(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** Reads and validates every setting of the bot; throws ConfigError listing all problems at once. */
export function loadConfig(env: Env, validators: ConfigValidators = {}): Config {
  const problems: string[] = [];
  const { mode, slack } = slackSettings(env, problems);
  const probe = probeSettings(env, problems);

  const logFormat = botLogFormatOf(env['LOG_FORMAT'], problems);

  const checkSchedule = env['CHECK_SCHEDULE']?.trim() || '*/15 * * * *';
  const scheduleProblem = validators.validateSchedule?.(checkSchedule) ?? null;
  if (scheduleProblem) problems.push(`CHECK_SCHEDULE=${checkSchedule}: ${scheduleProblem}`);

  const admins = watchAdminsOf(env['WATCH_ADMINS'], problems);
  const checkTimezone = env['CHECK_TIMEZONE']?.trim() || null;
  if (checkTimezone !== null && !isTimeZone(checkTimezone)) problems.push(timeZoneProblem(checkTimezone));

  const allowTargets = commaList(env['ALLOW_TARGETS']);
  const policy = targetPolicyOf(allowTargets, problems);

  const databaseUrl = botDatabaseUrlOf(env['DATABASE_URL'], problems);
  const vantageName = vantageNameOf(env['VANTAGE_NAME'], DEFAULT_BOT_VANTAGE, problems);

  const config: Config = {
    ...probe,
    mode,
    slack,
    logFormat,
    dataFile: env['DATA_FILE']?.trim() || DEFAULT_DATA_FILE,
    databaseUrl,
    vantage: {
      name: vantageName,
      deadlineMs: vantageDeadlineSeconds(env, problems) * 1_000,
      alertQuorum: positiveInt(env, 'ALERT_QUORUM', 1, problems, 32),
    },
    health: healthListenOf(env['HEALTH_PORT'], env['HEALTH_HOST'], problems),
    checkSchedule,
    checkTimezone,
    allowTargets,
    policy,
    allowedPorts: portList(env, 'ALLOWED_PORTS', [], problems),
    watch: {
      admins,
      failuresToAlert: positiveInt(env, 'ALERT_AFTER_FAILURES', 2, problems, 100),
      successesToRecover: positiveInt(env, 'RECOVER_AFTER_SUCCESSES', 2, problems, 100),
      reminderHours: positiveInt(env, 'REMINDER_HOURS', 4, problems, 24 * 30),
      concurrency: positiveInt(env, 'CHECK_CONCURRENCY', 20, problems, 500),
      leaseSeconds: positiveInt(env, 'WATCH_LEASE_SECONDS', 120, problems, 3_600),
    },
    rate: {
      checksPerUserPerMinute: positiveInt(env, 'CHECKS_PER_USER_PER_MINUTE', 10, problems, 10_000),
      checksPerTargetPerMinute: positiveInt(env, 'CHECKS_PER_TARGET_PER_MINUTE', 6, problems, 10_000),
      maxConcurrentChecks: positiveInt(env, 'MAX_CONCURRENT_CHECKS', 8, problems, 1_000),
    },
    secrets: [
      slack.botToken,
      slack.appToken,
      slack.signingSecret,
      databaseUrl,
      // The password on its own too, so the logger masks it wherever it appears.
      databaseUrl === null ? null : databasePassword(databaseUrl),
    ].filter((secret): secret is string => !!secret),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** What `smtp-check worker` and `worker-role` read: the database, and the worker's own policy. */
export interface WorkerSettings extends ProbeSettings {
  databaseUrl: string;
  policy: TargetPolicy;
  /** ALLOWED_PORTS: ports this worker dials on top of the standard and provider ones. */
  allowedPorts: number[];
  logFormat: LogFormat;
  /** HEALTH_PORT and HEALTH_HOST: the worker's /healthz, /readyz and /metrics; null = off. */
  health: HealthListen | null;
  /** DATABASE_URL and its password: masked wherever they would appear. */
  secrets: string[];
}

/** Reads and validates a worker's settings; throws ConfigError listing every problem at once. */
export function loadWorkerSettings(env: Env): WorkerSettings {
  const problems: string[] = [];
  const probe = probeSettings(env, problems);
  const databaseUrl = env['DATABASE_URL']?.trim() ?? '';
  if (databaseUrl === '') {
    problems.push("DATABASE_URL is not set: a worker takes its jobs from the bot's PostgreSQL database");
  } else if (!isPostgresUrl(databaseUrl)) {
    problems.push('DATABASE_URL must be a PostgreSQL URL (postgres://role:password@host:5432/database)');
  }
  const policy = targetPolicyOf(commaList(env['ALLOW_TARGETS']), problems);
  const logFormat = workerLogFormatOf(env['LOG_FORMAT'], problems);
  const allowedPorts = portList(env, 'ALLOWED_PORTS', [], problems);
  const health = healthListenOf(env['HEALTH_PORT'], env['HEALTH_HOST'], problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const password = databasePassword(databaseUrl);
  return {
    ...probe,
    databaseUrl,
    policy,
    allowedPorts,
    logFormat,
    health,
    secrets: [databaseUrl, ...(password ? [password] : [])],
  };
}

// The terminal's subcommands each read a few settings. Where a command answers a bad setting with a
// line of its own (and its own exit code), its loader returns that line as `problem`, word for word.

/** Settings, or the one line the command prints instead. */
export type Loaded<T> = T | { problem: string };

/** DATABASE_URL, required: `unset` when missing or empty, `invalid` when not a PostgreSQL URL. */
function requiredDatabaseUrl(env: Env, unset: string, invalid = unset): Loaded<{ databaseUrl: string }> {
  const databaseUrl = env['DATABASE_URL']?.trim() ?? '';
  if (databaseUrl === '') return { problem: unset };
  if (!isPostgresUrl(databaseUrl)) return { problem: invalid };
  return { databaseUrl };
}

/** `smtp-check health`: the database to check. */
export function loadHealthSettings(env: Env): Loaded<{ databaseUrl: string }> {
  return requiredDatabaseUrl(
    env,
    'DATABASE_URL is not set, so there is no database to check',
    'DATABASE_URL is not a PostgreSQL URL (postgres://…)',
  );
}

/** `smtp-check store import`: the database the data file goes into. */
export function loadStoreImportSettings(env: Env): Loaded<{ databaseUrl: string }> {
  return requiredDatabaseUrl(
    env,
    'DATABASE_URL is not set: `store import` copies the data file into PostgreSQL. Set it to the database the bot uses (postgres://user:password@host:5432/database).',
    'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)',
  );
}

/** `smtp-check worker-role`: the bot's own database, where the role is made. */
export function loadWorkerRoleSettings(env: Env): Loaded<{ databaseUrl: string }> {
  return requiredDatabaseUrl(
    env,
    "set DATABASE_URL to the bot's own PostgreSQL URL (postgres://role:password@host:5432/database)",
  );
}

/** `smtp-check host --from NAMES`: the database the bot and its workers share, and how long to wait. */
export function loadCliVantageSettings(env: Env): Loaded<{ databaseUrl: string; deadlineMs: number }> {
  const database = requiredDatabaseUrl(
    env,
    '--from NAMES needs DATABASE_URL: the PostgreSQL database the bot and its workers share (postgres://user:password@host/db)',
  );
  if ('problem' in database) return database;
  const problems: string[] = [];
  const seconds = vantageDeadlineSeconds(env, problems);
  if (problems.length > 0) {
    return {
      problem: `VANTAGE_DEADLINE_SECONDS must be a whole number from 1 to ${MAX_VANTAGE_DEADLINE_SECONDS}`,
    };
  }
  return { ...database, deadlineMs: seconds * 1_000 };
}

export interface HistorySettings {
  /** DATABASE_URL; null = the JSON file. */
  databaseUrl: string | null;
  dataFile: string;
  timeZone: string;
}

/** `smtp-check history`: the bot's store (PostgreSQL, else the data file) and the time zone. */
export function loadHistorySettings(env: Env): Loaded<HistorySettings> {
  const timeZone = env['CHECK_TIMEZONE']?.trim() || DEFAULT_HISTORY_TIMEZONE;
  if (!isTimeZone(timeZone)) return { problem: timeZoneProblem(timeZone) };
  const databaseUrl = env['DATABASE_URL']?.trim() || null;
  if (databaseUrl !== null && !isPostgresUrl(databaseUrl))
    return { problem: 'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)' };
  return { databaseUrl, dataFile: env['DATA_FILE']?.trim() || DEFAULT_DATA_FILE, timeZone };
}

/** What `smtp-check` in a terminal reads besides the probe settings. */
export interface TerminalSettings {
  /** VANTAGE_NAME: this terminal's network, as `--from` names it (`here` unless set; not checked). */
  vantageName: string;
  /** NO_COLOR: set at all, even empty, means no colour. */
  noColor: boolean;
}

export function loadTerminalSettings(env: Env): TerminalSettings {
  return {
    vantageName: env['VANTAGE_NAME']?.trim().toLowerCase() || DEFAULT_TERMINAL_VANTAGE,
    noColor: 'NO_COLOR' in env,
  };
}

/** SMTP_PASSWORD for the login test, as given (spaces kept); null when unset or empty. */
export function sessionPassword(env: Env): string | null {
  const password = env['SMTP_PASSWORD'];
  return password === undefined || password === '' ? null : password;
}

/** NODE_EXTRA_CA_CERTS: a PEM file of extra CAs; null when unset or empty. */
export function extraCaFile(env: Env): string | null {
  return env['NODE_EXTRA_CA_CERTS']?.trim() || null;
}
