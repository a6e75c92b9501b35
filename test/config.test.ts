import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  ConfigError,
  extraCaFile,
  loadCliVantageSettings,
  loadConfig,
  loadHealthSettings,
  loadHistorySettings,
  loadProbeSettings,
  loadStoreImportSettings,
  loadTerminalSettings,
  loadWorkerRoleSettings,
  sessionPassword,
} from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, {
      validateSchedule: (expr) => (expr.split(' ').length >= 5 ? null : 'not a cron expression'),
    });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig()', () => {
  test('no Slack credentials means console mode with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('console');
    expect(config.dataFile).toBe('./data/smtp-check.json');
    expect(config.checkSchedule).toBe('*/15 * * * *');
    expect(config.probePorts).toEqual([25, 465, 587, 2525]);
    expect(config.egressCanary).toBeNull();
    expect(config.limits.connectTimeoutMs).toBe(5000);
    expect(config.limits.greetingTimeoutMs).toBe(15000);
    expect(config.limits.replyTimeoutMs).toBe(10000);
  });

  test('Socket Mode with an app token, HTTP mode with a signing secret and a port', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'xapp-1-def' }).mode).toBe('socket');
    const http = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-abc',
      SLACK_SIGNING_SECRET: 'secret123',
      PORT: '3000',
    });
    expect(http.mode).toBe('http');
    expect(http.slack.port).toBe(3000);
    expect(http.secrets).toEqual(['xoxb-1-abc', 'secret123']);
  });

  test('every problem is listed at once, each with its fix', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      PORT: 'eighty',
      CHECK_SCHEDULE: 'often',
      CHECK_TIMEZONE: 'Mars/Olympus',
      PROBE_PORTS: '25,smtp',
      EGRESS_CANARY: 'no-port',
      CONNECT_TIMEOUT_MS: '-5',
      LOG_LEVEL: 'loud',
      DNS_SERVERS: 'dns.example',
    });
    expect(problems).toHaveLength(10);
    expect(problems.join('\n')).toMatch(/SLACK_BOT_TOKEN must be the bot token \(starts with xoxb-\)/);
    expect(problems.join('\n')).toMatch(/no way to receive events: set SLACK_APP_TOKEN/);
    expect(problems.join('\n')).toMatch(/CHECK_SCHEDULE=often: not a cron expression/);
    expect(problems.join('\n')).toMatch(/Europe\/Berlin/);
    expect(problems.join('\n')).toMatch(/EGRESS_CANARY=no-port must be host:port/);
  });

  test('an app token without a bot token is refused rather than silently ignored', () => {
    expect(problemsOf({ SLACK_APP_TOKEN: 'xapp-1-x' })).toEqual([
      expect.stringContaining('SLACK_BOT_TOKEN is missing'),
    ]);
  });

  test('the egress canary and DNS servers are parsed', () => {
    const settings = loadProbeSettings({
      EGRESS_CANARY: 'mx.example.net:25',
      DNS_SERVERS: '127.0.0.1:5353, ::1',
    });
    expect(settings.egressCanary).toEqual({ host: 'mx.example.net', port: 25 });
    expect(settings.dnsServers).toEqual(['127.0.0.1:5353', '::1']);
    expect(settings.postureDnsServers).toEqual(['127.0.0.1:5353', '::1']);
  });

  test('DNS_RESOLVER is asked by the domain report; when unset, DNS_SERVERS is; a bad entry is named', () => {
    expect(
      loadProbeSettings({ DNS_SERVERS: '127.0.0.1', DNS_RESOLVER: '[::1]:5353' }).postureDnsServers,
    ).toEqual(['[::1]:5353']);
    expect(loadProbeSettings({}).postureDnsServers).toEqual([]);
    expect(() => loadProbeSettings({ DNS_RESOLVER: 'resolver.example' })).toThrow(
      /DNS_RESOLVER entry resolver.example must be an IP address/,
    );
  });

  test('the transport checks default down the chain: DNSSEC and blocklists to DNS_RESOLVER, lists to the documented four', () => {
    const chained = loadProbeSettings({ DNS_SERVERS: '127.0.0.1', DNS_RESOLVER: '127.0.0.2:5353' }).transport;
    expect(chained).toMatchObject({
      dnssecResolver: '127.0.0.2:5353',
      dnsblServers: ['127.0.0.2:5353'],
      probeMx: true,
    });
    expect(chained.dnsblZones.map((list) => list.zone)).toEqual([
      'zen.spamhaus.org',
      'bl.spamcop.net',
      'psbl.surriel.com',
      'dbl.spamhaus.org',
    ]);
    expect(loadProbeSettings({}).transport).toMatchObject({ dnssecResolver: null, dnsblServers: [] });
    const own = loadProbeSettings({
      DNS_RESOLVER: '127.0.0.2',
      DNSSEC_RESOLVER: '127.0.0.3:53',
      DNSBL_RESOLVER: '127.0.0.4',
      DNSBL_ZONES: 'zen.spamhaus.org domain:uribl.example.net',
      DOMAIN_MX_PROBE: 'off',
    }).transport;
    expect(own).toMatchObject({
      dnssecResolver: '127.0.0.3:53',
      dnsblServers: ['127.0.0.4'],
      probeMx: false,
    });
    expect(own.dnsblZones.map((list) => `${list.kind} ${list.zone}`)).toEqual([
      'ip zen.spamhaus.org',
      'domain uribl.example.net',
    ]);
  });

  test('bad transport settings are all named at once, each with what to write', () => {
    const problems = (() => {
      try {
        loadProbeSettings({
          DNSSEC_RESOLVER: '127.0.0.1,127.0.0.2',
          DNSBL_RESOLVER: 'resolver.example',
          DNSBL_ZONES: 'zone!',
          DOMAIN_MX_PROBE: 'maybe',
        });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([
      'DNSSEC_RESOLVER takes one validating resolver (as 127.0.0.1:53), not 2',
      'DNSBL_RESOLVER entry resolver.example must be an IP address (optionally :port)',
      expect.stringMatching(
        /^DNSBL_ZONES: "zone!" is not a DNS zone name; write zone names separated by commas/,
      ),
      'DOMAIN_MX_PROBE=maybe must be on or off (off where this network blocks outgoing port 25)',
    ]);
  });
});

describe("the terminal subcommands' loaders", () => {
  const url = 'postgres://smtp:secret@db.example:5432/smtp';

  test('a command that needs DATABASE_URL gets it trimmed, or its own line when missing or not PostgreSQL', () => {
    for (const load of [loadHealthSettings, loadStoreImportSettings, loadWorkerRoleSettings]) {
      expect(load({ DATABASE_URL: ` ${url} ` })).toEqual({ databaseUrl: url });
    }
    expect(loadHealthSettings({ DATABASE_URL: ' ' })).toEqual({
      problem: 'DATABASE_URL is not set, so there is no database to check',
    });
    expect(loadHealthSettings({ DATABASE_URL: 'mysql://db' })).toEqual({
      problem: 'DATABASE_URL is not a PostgreSQL URL (postgres://…)',
    });
    expect(loadStoreImportSettings({})).toEqual({
      problem: expect.stringMatching(/^DATABASE_URL is not set: `store import` copies the data file/),
    });
    expect(loadStoreImportSettings({ DATABASE_URL: 'mysql://db' })).toEqual({
      problem: 'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)',
    });
    const roleProblem =
      "set DATABASE_URL to the bot's own PostgreSQL URL (postgres://role:password@host:5432/database)";
    expect(loadWorkerRoleSettings({})).toEqual({ problem: roleProblem });
    expect(loadWorkerRoleSettings({ DATABASE_URL: 'mysql://db' })).toEqual({ problem: roleProblem });
  });

  test('--from: the database, and the deadline the bot uses too (30 s unless set, at most 600)', () => {
    expect(loadCliVantageSettings({ DATABASE_URL: url })).toEqual({ databaseUrl: url, deadlineMs: 30_000 });
    expect(loadCliVantageSettings({ DATABASE_URL: url, VANTAGE_DEADLINE_SECONDS: ' 600 ' })).toEqual({
      databaseUrl: url,
      deadlineMs: 600_000,
    });
    expect(loadConfig({}).vantage.deadlineMs).toBe(30_000);
    for (const seconds of ['0', '601', '1.5', 'soon']) {
      expect(loadCliVantageSettings({ DATABASE_URL: url, VANTAGE_DEADLINE_SECONDS: seconds })).toEqual({
        problem: 'VANTAGE_DEADLINE_SECONDS must be a whole number from 1 to 600',
      });
    }
    expect(loadCliVantageSettings({ VANTAGE_DEADLINE_SECONDS: 'soon' })).toEqual({
      problem: expect.stringMatching(/^--from NAMES needs DATABASE_URL: /),
    });
  });

  test('history: the data file unless DATABASE_URL, in CHECK_TIMEZONE (UTC unless set)', () => {
    expect(loadHistorySettings({})).toEqual({
      databaseUrl: null,
      dataFile: './data/smtp-check.json',
      timeZone: 'UTC',
    });
    expect(loadHistorySettings({})).toMatchObject({ dataFile: loadConfig({}).dataFile });
    expect(loadHistorySettings({ DATABASE_URL: url, CHECK_TIMEZONE: 'Europe/Paris' })).toMatchObject({
      databaseUrl: url,
      timeZone: 'Europe/Paris',
    });
    expect(loadHistorySettings({ CHECK_TIMEZONE: 'Mars/Olympus', DATABASE_URL: 'mysql://db' })).toEqual({
      problem: 'CHECK_TIMEZONE=Mars/Olympus is not an IANA time zone (e.g. Europe/Berlin, UTC)',
    });
    expect(loadHistorySettings({ DATABASE_URL: 'mysql://db' })).toEqual({
      problem: 'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)',
    });
  });

  test('the terminal is `here` unless VANTAGE_NAME (the bot is `bot`); NO_COLOR counts when present', () => {
    expect(loadTerminalSettings({})).toEqual({ vantageName: 'here', noColor: false });
    expect(loadConfig({}).vantage.name).toBe('bot');
    expect(loadTerminalSettings({ VANTAGE_NAME: ' Office ', NO_COLOR: '' })).toEqual({
      vantageName: 'office',
      noColor: true,
    });
  });

  test('SMTP_PASSWORD is taken as given; NODE_EXTRA_CA_CERTS trimmed; empty is unset', () => {
    expect(sessionPassword({ SMTP_PASSWORD: ' pass word ' })).toBe(' pass word ');
    expect(sessionPassword({ SMTP_PASSWORD: '' })).toBeNull();
    expect(sessionPassword({})).toBeNull();
    expect(extraCaFile({ NODE_EXTRA_CA_CERTS: ' /etc/ca.pem ' })).toBe('/etc/ca.pem');
    expect(extraCaFile({ NODE_EXTRA_CA_CERTS: ' ' })).toBeNull();
  });
});

describe('.env.example', () => {
  const lines = readFileSync(new URL('../.env.example', import.meta.url), 'utf8').split('\n');
  const entries = Object.fromEntries(
    lines
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  test('its defaults are valid settings (console mode)', () => {
    expect(loadConfig(entries).mode).toBe('console');
  });

  // Counts when merely present, even empty (the no-color convention), so it cannot stand in a
  // .env with its default: the README documents it with the terminal command.
  const TERMINAL_ONLY = ['NO_COLOR'];

  test('lists every setting the code reads', () => {
    const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/'([A-Z][A-Z_]{3,})'/g)].map((match) => match[1]);
    expect(read.length).toBeGreaterThan(15);
    for (const name of TERMINAL_ONLY) expect(read, name).toContain(name);
    for (const name of read.filter((each) => !TERMINAL_ONLY.includes(each ?? '')))
      expect(Object.keys(entries), name).toContain(name);
  });
});
