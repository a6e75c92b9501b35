// Pure helpers of config.ts: each takes a setting's text (never the environment) and returns its
// value, pushing a problem, worded with the fix, when the text is not valid. config.ts reads.

import { isIP } from 'node:net';
import type { EgressCanary } from './check/index.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import { createTargetPolicy, PolicyError, type TargetPolicy } from './policy/index.js';
import { escapeControls, SLACK_USER_ID } from './text/sanitize.js';
import { isPostgresUrl } from './database/database-url.js';
import { VANTAGE_NAME_PATTERN } from './diagnose/vantage-types.js';
import { DEFAULT_BLOCKLIST_ZONES, parseBlocklistZones } from './posture/blocklists.js';
import type { BlocklistZone } from './posture/transport-types.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    // Problems quote the settings' values, which may hold escape sequences: shown escaped.
    super(`invalid settings:\n${problems.map((problem) => `  - ${escapeControls(problem)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A whole number from 1 to max; the fallback when the text is unset or empty. */
export function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  problems: string[],
  max = 600_000,
): number {
  const raw = text?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    problems.push(`${name}=${raw} must be a whole number from 1 to ${max}`);
    return fallback;
  }
  return value;
}

/** Comma-separated port numbers, each once; the fallback when the text is unset or empty. */
export function portNumbers(
  name: string,
  text: string | undefined,
  fallback: number[],
  problems: string[],
): number[] {
  const raw = text?.trim();
  if (raw === undefined || raw === '') return fallback;
  const parts = raw.split(',').map((part) => part.trim());
  const ports = parts.map(Number);
  if (parts.some((part) => !/^\d+$/.test(part)) || ports.some((port) => port < 1 || port > 65535)) {
    problems.push(`${name}=${raw} must be comma-separated port numbers, e.g. 25,465,587,2525`);
    return fallback;
  }
  return [...new Set(ports)];
}

/** The non-empty entries of a comma-separated list, trimmed. */
export function commaList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** EGRESS_CANARY: host:port, or null (off) when empty. */
export function parseCanary(raw: string | undefined, problems: string[]): EgressCanary | null {
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

/** LOG_LEVEL, `info` when unset. */
export function logLevelOf(text: string | undefined, problems: string[]): LogLevel {
  const logLevelText = (text?.trim() || 'info').toLowerCase();
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelText)
    ? (logLevelText as LogLevel)
    : 'info';
  if (logLevel !== logLevelText)
    problems.push(`LOG_LEVEL=${logLevelText} must be one of ${LOG_LEVELS.join(', ')}`);
  return logLevel;
}

/** The bot's LOG_FORMAT, `auto` when unset (a worker's is checked in config.ts: json or text). */
/** A worker's LOG_FORMAT: text (the default) or json; a worker has no terminal to guess from. */
export function workerLogFormatOf(text: string | undefined, problems: string[]): LogFormat {
  const logFormatText = (text?.trim() || 'text').toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(logFormatText)) return logFormatText as LogFormat;
  problems.push(`LOG_FORMAT=${logFormatText} must be json or text`);
  return 'text';
}

export function botLogFormatOf(text: string | undefined, problems: string[]): LogFormat | 'auto' {
  const logFormatText = (text?.trim() || 'auto').toLowerCase();
  const logFormat = (['auto', ...LOG_FORMATS] as string[]).includes(logFormatText)
    ? (logFormatText as LogFormat | 'auto')
    : 'auto';
  if (logFormat !== logFormatText)
    problems.push(
      `LOG_FORMAT=${logFormatText} must be json, text or auto (text on a terminal, JSON otherwise)`,
    );
  return logFormat;
}

/** DNS_SERVERS or DNS_RESOLVER (`name`): IP addresses, each optionally with :port. */
export function dnsServerList(text: string | undefined, problems: string[], name = 'DNS_SERVERS'): string[] {
  const dnsServers = commaList(text);
  for (const server of dnsServers) {
    const address =
      isIP(server) !== 0
        ? server
        : (/^\[([^\]]+)\](?::\d+)?$/.exec(server)?.[1] ?? server.replace(/:\d+$/, ''));
    if (isIP(address) === 0)
      problems.push(`${name} entry ${server} must be an IP address (optionally :port)`);
  }
  return dnsServers;
}

/** ALLOW_TARGETS as the target policy (the one with no exceptions when the list is not valid). */
export function targetPolicyOf(allowTargets: string[], problems: string[]): TargetPolicy {
  try {
    return createTargetPolicy(allowTargets);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    problems.push(error.message);
    return createTargetPolicy([]);
  }
}

/** WATCH_ADMINS: Slack user ids. */
export function watchAdminsOf(text: string | undefined, problems: string[]): string[] {
  const admins = commaList(text);
  for (const id of admins) {
    if (!SLACK_USER_ID.test(id)) {
      problems.push(
        `WATCH_ADMINS entry ${id} must be a Slack user id such as U012ABCDEF (profile → ⋮ → Copy member ID)`,
      );
    }
  }
  return admins;
}

/** CHECK_TIMEZONE's problem, the same for the bot and `smtp-check history`. */
export function timeZoneProblem(zone: string): string {
  return `CHECK_TIMEZONE=${zone} is not an IANA time zone (e.g. Europe/Berlin, UTC)`;
}

export type SlackMode = 'socket' | 'http' | 'console';

export interface SlackSettings {
  botToken: string | null;
  appToken: string | null;
  signingSecret: string | null;
  port: number | null;
  /** SLACK_API_URL; Slack's public API unless set. */
  apiUrl: string;
}

/** The Slack settings (null = unset or empty) checked, and the mode they make. */
export function slackModeOf(
  values: Omit<SlackSettings, 'port'> & { portText: string | null },
  problems: string[],
): { mode: SlackMode; slack: SlackSettings } {
  const { botToken, appToken, signingSecret, apiUrl, portText } = values;
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

/** The bot's DATABASE_URL: null (the JSON file) when unset or empty. */
export function botDatabaseUrlOf(text: string | undefined, problems: string[]): string | null {
  const databaseUrl = text?.trim() || null;
  if (databaseUrl !== null && !isPostgresUrl(databaseUrl)) {
    // The value may hold a password: the message names its form, not its text.
    problems.push(
      'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database), or empty for the JSON file',
    );
  }
  return databaseUrl;
}

/** VANTAGE_NAME of the bot, lower-cased; `fallback` when unset or empty. */
export function vantageNameOf(text: string | undefined, fallback: string, problems: string[]): string {
  const name = text?.trim().toLowerCase() || fallback;
  if (!VANTAGE_NAME_PATTERN.test(name)) {
    problems.push(
      `VANTAGE_NAME=${name} must be a short name of lower-case letters, digits and hyphens (e.g. office, aws-eu)`,
    );
  }
  return name;
}

/** Where /healthz, /readyz and /metrics are served on a port of their own. */
export interface HealthListen {
  /** HEALTH_PORT; 0 picks a free port (the log says which). */
  port: number;
  /** HEALTH_HOST: an IP address or a host name. */
  host: string;
}

/** HEALTH_HOST when unset: loopback, so nothing outside the machine reaches it unless told to. */
export const DEFAULT_HEALTH_HOST = '127.0.0.1';

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** HEALTH_PORT and HEALTH_HOST: null (off) when HEALTH_PORT is unset or empty. */
export function healthListenOf(
  portText: string | undefined,
  hostText: string | undefined,
  problems: string[],
): HealthListen | null {
  const host = hostText?.trim() || DEFAULT_HEALTH_HOST;
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const hostValid = isIP(bare) !== 0 || HOST_NAME.test(host);
  if (!hostValid) {
    problems.push(
      `HEALTH_HOST=${host} must be an IP address or a host name to listen on, e.g. 127.0.0.1 (loopback, the default) or 0.0.0.0 (every interface)`,
    );
  }
  const raw = portText?.trim() ?? '';
  if (raw === '') return null;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    problems.push(
      `HEALTH_PORT=${raw} must be a TCP port number (0–65535; 0 picks a free one), or empty for no health port`,
    );
    return null;
  }
  return hostValid ? { port, host: bare } : null;
}

/** The settings of the domain report's transport checks (DNSSEC, blocklists). */
export interface TransportSettings {
  /** DNSSEC_RESOLVER: one validating resolver; null: DNS_RESOLVER's first server, else the system's. */
  dnssecResolver: string | null;
  /** DNSBL_RESOLVER: who asks the blocklists; empty: DNS_RESOLVER's servers, else the system's. */
  dnsblServers: string[];
  /** DNSBL_ZONES; the documented default set when unset. */
  dnsblZones: BlocklistZone[];
  /** DOMAIN_MX_PROBE: whether the domain report probes each MX host's port 25 (on unless `off`). */
  probeMx: boolean;
}

/** The domain report's settings, as the texts of its variables. */
export interface DomainReportText {
  dnsResolver: string | undefined;
  dnssecResolver: string | undefined;
  dnsblResolver: string | undefined;
  dnsblZones: string | undefined;
  probeMx: string | undefined;
}

/**
 * Who the domain report asks, and its transport settings. DNS_RESOLVER is a setting of its own
 * because the report's questions may need a full recursive resolver where the probes' DNS_SERVERS
 * is a split-horizon one. Each resolver defaults down a chain: DNS_RESOLVER to DNS_SERVERS,
 * DNSSEC_RESOLVER and DNSBL_RESOLVER to DNS_RESOLVER, and all of them to the system's resolvers.
 */
export function domainReportSettingsOf(
  text: DomainReportText,
  dnsServers: string[],
  problems: string[],
): { postureDnsServers: string[]; transport: TransportSettings } {
  const postureDnsServers =
    text.dnsResolver === undefined || text.dnsResolver.trim() === ''
      ? dnsServers
      : dnsServerList(text.dnsResolver, problems, 'DNS_RESOLVER');
  return { postureDnsServers, transport: transportSettingsOf(text, postureDnsServers, problems) };
}

function transportSettingsOf(
  text: DomainReportText,
  postureDnsServers: string[],
  problems: string[],
): TransportSettings {
  const dnssec = dnsServerList(text.dnssecResolver, problems, 'DNSSEC_RESOLVER');
  if (dnssec.length > 1)
    problems.push(`DNSSEC_RESOLVER takes one validating resolver (as 127.0.0.1:53), not ${dnssec.length}`);
  const dnsbl = dnsServerList(text.dnsblResolver, problems, 'DNSBL_RESOLVER');
  let zones: BlocklistZone[] = [...DEFAULT_BLOCKLIST_ZONES];
  if (text.dnsblZones !== undefined && text.dnsblZones.trim() !== '') {
    const parsed = parseBlocklistZones(text.dnsblZones);
    if ('error' in parsed) problems.push(`DNSBL_ZONES: ${parsed.error}`);
    else zones = parsed.zones;
  }
  const probeMx = (text.probeMx ?? '').trim().toLowerCase();
  if (probeMx !== '' && probeMx !== 'on' && probeMx !== 'off')
    problems.push(
      `DOMAIN_MX_PROBE=${text.probeMx} must be on or off (off where this network blocks outgoing port 25)`,
    );
  return {
    probeMx: probeMx !== 'off',
    dnssecResolver: dnssec[0] ?? postureDnsServers[0] ?? null,
    dnsblServers: dnsbl.length > 0 ? dnsbl : postureDnsServers,
    dnsblZones: zones,
  };
}
