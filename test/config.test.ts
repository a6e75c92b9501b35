import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, loadProbeSettings } from '../src/config.js';

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

  test('lists every setting the code reads', () => {
    const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/'([A-Z][A-Z_]{3,})'/g)].map((match) => match[1]);
    expect(read.length).toBeGreaterThan(15);
    for (const name of read) expect(Object.keys(entries), name).toContain(name);
  });
});
