// The only reader of process.env. Every problem is collected and reported at once, with the fix.

import { isIP } from 'node:net';
import { DEFAULT_PORTS } from './diagnose/knowledge/ports.js';
import type { EgressCanary } from './check/index.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import { createTargetPolicy, PolicyError, type TargetPolicy } from './policy/index.js';
import { escapeControls, SLACK_USER_ID } from './text/sanitize.js';
import { DEFAULT_LIMITS, type ProbeLimits } from './probe/types.js';
import { databasePassword, isPostgresUrl } from './database/database-url.js';
import { isTimeZone } from './util/time-zone.js';
import { VANTAGE_NAME_PATTERN } from './diagnose/vantage-types.js';

export type SlackMode = 'socket' | 'http' | 'console';

export interface Config extends ProbeSettings {
  mode: SlackMode;
  slack: {
    botToken: string | null;
    appToken: string | null;
    signingSecret: string | null;
    port: number | null;
    /** SLACK_API_URL; Slack's public API unless set. */
    apiUrl: string;
  };
  /** LOG_FORMAT; `auto` is text when stderr is a terminal, JSON otherwise (decided in main.ts). */
  logFormat: LogFormat | 'auto';
  dataFile: string;
  /** DATABASE_URL: PostgreSQL for a fleet of replicas; null = the JSON file (DATA_FILE). */
  databaseUrl: string | null;
  vantage: VantageSettings;
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

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    // Problems quote the settings' values, which may hold escape sequences: shown escaped.
    super(`invalid settings:\n${problems.map((problem) => `  - ${escapeControls(problem)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigValidators {
  /** node-cron's validator, injected so this file does not import the scheduler library. */
  validateSchedule?: (expression: string) => string | null;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export const DEFAULT_PROBE_PORTS: number[] = [...DEFAULT_PORTS];

function positiveInt(env: Env, name: string, fallback: number, problems: string[], max = 600_000): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    problems.push(`${name}=${raw} must be a whole number from 1 to ${max}`);
    return fallback;
  }
  return value;
}

function portList(env: Env, name: string, fallback: number[], problems: string[]): number[] {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const parts = raw.split(',').map((part) => part.trim());
  const ports = parts.map(Number);
  if (parts.some((part) => !/^\d+$/.test(part)) || ports.some((port) => port < 1 || port > 65535)) {
    problems.push(`${name}=${raw} must be comma-separated port numbers, e.g. 25,465,587,2525`);
    return fallback;
  }
  return [...new Set(ports)];
}

function parseCanary(raw: string | undefined, problems: string[]): EgressCanary | null {
  const text = raw?.trim() ?? '';
  if (text === '') return null;
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    problems.push(
      `EGRESS_CANARY=${text} must be host:port, e.g. gmail-smtp-in.l.google.com:25 (empty turns it off)`,
    );
    return null;
  }
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

function slackSettings(env: Env, problems: string[]): { mode: SlackMode; slack: Config['slack'] } {
  const value = (name: string): string | null => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? null : raw;
  };
  const botToken = value('SLACK_BOT_TOKEN');
  const appToken = value('SLACK_APP_TOKEN');
  const signingSecret = value('SLACK_SIGNING_SECRET');
  const apiUrl = value('SLACK_API_URL') ?? DEFAULT_SLACK_API_URL;
  const portText = value('PORT');
  let port: number | null = null;
  if (portText !== null) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      problems.push(`PORT=${portText} must be a TCP port number (0–65535) for HTTP mode`);
      port = null;
    }
  }
  if (botToken !== null && !botToken.startsWith('xoxb-')) {
    problems.push('SLACK_BOT_TOKEN must be the bot token (starts with xoxb-), from OAuth & Permissions');
  }
  if (appToken !== null && !appToken.startsWith('xapp-')) {
    problems.push('SLACK_APP_TOKEN must be an app-level token (starts with xapp-) with connections:write');
  }
  if (!/^https?:\/\/[^\s]+\/$/.test(apiUrl)) {
    problems.push(
      `SLACK_API_URL=${apiUrl} must be an http(s) URL ending in /api/, e.g. https://slack.com/api/`,
    );
  }
  const slack = { botToken, appToken, signingSecret, port, apiUrl };

  if (botToken === null) {
    if (appToken !== null || signingSecret !== null) {
      problems.push('SLACK_BOT_TOKEN is missing: Socket Mode and HTTP mode both need the bot token (xoxb-…)');
    }
    return { mode: 'console', slack };
  }
  if (appToken !== null) return { mode: 'socket', slack };
  if (signingSecret !== null && port !== null) return { mode: 'http', slack };
  problems.push(
    'SLACK_BOT_TOKEN is set but there is no way to receive events: set SLACK_APP_TOKEN (Socket Mode), ' +
      'or SLACK_SIGNING_SECRET and PORT (HTTP mode)',
  );
  return { mode: 'console', slack };
}

export interface ProbeSettings {
  probePorts: number[];
  egressCanary: EgressCanary | null;
  dnsServers: string[];
  limits: ProbeLimits;
  logLevel: LogLevel;
}

function probeSettings(env: Env, problems: string[]): ProbeSettings {
  const logLevelText = (env['LOG_LEVEL']?.trim() || 'info').toLowerCase();
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelText)
    ? (logLevelText as LogLevel)
    : 'info';
  if (logLevel !== logLevelText)
    problems.push(`LOG_LEVEL=${logLevelText} must be one of ${LOG_LEVELS.join(', ')}`);

  const dnsServers = (env['DNS_SERVERS'] ?? '')
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
  for (const server of dnsServers) {
    const address =
      isIP(server) !== 0
        ? server
        : (/^\[([^\]]+)\](?::\d+)?$/.exec(server)?.[1] ?? server.replace(/:\d+$/, ''));
    if (isIP(address) === 0)
      problems.push(`DNS_SERVERS entry ${server} must be an IP address (optionally :port)`);
  }

  return {
    probePorts: portList(env, 'PROBE_PORTS', DEFAULT_PROBE_PORTS, problems),
    egressCanary: parseCanary(env['EGRESS_CANARY'], problems),
    dnsServers,
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

  const logFormatText = (env['LOG_FORMAT']?.trim() || 'auto').toLowerCase();
  const logFormat = (['auto', ...LOG_FORMATS] as string[]).includes(logFormatText)
    ? (logFormatText as LogFormat | 'auto')
    : 'auto';
  if (logFormat !== logFormatText)
    problems.push(
      `LOG_FORMAT=${logFormatText} must be json, text or auto (text on a terminal, JSON otherwise)`,
    );

  const checkSchedule = env['CHECK_SCHEDULE']?.trim() || '*/15 * * * *';
  const scheduleProblem = validators.validateSchedule?.(checkSchedule) ?? null;
  if (scheduleProblem) problems.push(`CHECK_SCHEDULE=${checkSchedule}: ${scheduleProblem}`);

  for (const id of (env['WATCH_ADMINS'] ?? '').split(',').map((entry) => entry.trim())) {
    if (id !== '' && !SLACK_USER_ID.test(id)) {
      problems.push(
        `WATCH_ADMINS entry ${id} must be a Slack user id such as U012ABCDEF (profile → ⋮ → Copy member ID)`,
      );
    }
  }
  const checkTimezone = env['CHECK_TIMEZONE']?.trim() || null;
  if (checkTimezone !== null && !isTimeZone(checkTimezone)) {
    problems.push(`CHECK_TIMEZONE=${checkTimezone} is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
  }

  const allowTargets = (env['ALLOW_TARGETS'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  let policy = createTargetPolicy([]);
  try {
    policy = createTargetPolicy(allowTargets);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    problems.push(error.message);
  }

  const databaseUrl = env['DATABASE_URL']?.trim() || null;
  if (databaseUrl !== null && !isPostgresUrl(databaseUrl)) {
    // The value may hold a password: the message names its form, not its text.
    problems.push(
      'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database), or empty for the JSON file',
    );
  }

  const vantageName = env['VANTAGE_NAME']?.trim().toLowerCase() || 'bot';
  if (!VANTAGE_NAME_PATTERN.test(vantageName)) {
    problems.push(
      `VANTAGE_NAME=${vantageName} must be a short name of lower-case letters, digits and hyphens (e.g. office, aws-eu)`,
    );
  }

  const config: Config = {
    ...probe,
    mode,
    slack,
    logFormat,
    dataFile: env['DATA_FILE']?.trim() || './data/smtp-check.json',
    databaseUrl,
    vantage: {
      name: vantageName,
      deadlineMs: positiveInt(env, 'VANTAGE_DEADLINE_SECONDS', 30, problems, 600) * 1_000,
      alertQuorum: positiveInt(env, 'ALERT_QUORUM', 1, problems, 32),
    },
    checkSchedule,
    checkTimezone,
    allowTargets,
    policy,
    allowedPorts: portList(env, 'ALLOWED_PORTS', [], problems),
    watch: {
      admins: (env['WATCH_ADMINS'] ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
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
  let policy = createTargetPolicy([]);
  try {
    policy = createTargetPolicy(
      (env['ALLOW_TARGETS'] ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    );
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    problems.push(error.message);
  }
  const formatText = (env['LOG_FORMAT']?.trim() || 'text').toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(formatText))
    problems.push(`LOG_FORMAT=${formatText} must be json or text`);
  const allowedPorts = portList(env, 'ALLOWED_PORTS', [], problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const password = databasePassword(databaseUrl);
  return {
    ...probe,
    databaseUrl,
    policy,
    allowedPorts,
    logFormat: formatText as LogFormat,
    secrets: [databaseUrl, ...(password ? [password] : [])],
  };
}
