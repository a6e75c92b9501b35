import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, loadWorkerSettings } from '../src/config.js';

// HEALTH_PORT and HEALTH_HOST: where /healthz, /readyz and /metrics listen in Socket Mode, the
// console and `smtp-check worker`. Off unless HEALTH_PORT is set; loopback unless told otherwise.

const WORKER_URL = 'postgres://smtp_check_office:pw@db.example:5432/smtp_check';

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const loaders = {
  bot: (env: Record<string, string>) => loadConfig(env).health,
  worker: (env: Record<string, string>) => loadWorkerSettings({ DATABASE_URL: WORKER_URL, ...env }).health,
};

describe.each(Object.entries(loaders))('HEALTH_PORT and HEALTH_HOST (%s)', (_name, healthOf) => {
  test.each([
    [{}, null],
    [{ HEALTH_PORT: '' }, null],
    [{ HEALTH_PORT: '  ' }, null],
    [{ HEALTH_HOST: '0.0.0.0' }, null],
    [{ HEALTH_PORT: '9464' }, { port: 9464, host: '127.0.0.1' }],
    [{ HEALTH_PORT: '0' }, { port: 0, host: '127.0.0.1' }],
    [
      { HEALTH_PORT: ' 9464 ', HEALTH_HOST: ' 0.0.0.0 ' },
      { port: 9464, host: '0.0.0.0' },
    ],
    [
      { HEALTH_PORT: '9464', HEALTH_HOST: '::1' },
      { port: 9464, host: '::1' },
    ],
    [
      { HEALTH_PORT: '9464', HEALTH_HOST: '[::]' },
      { port: 9464, host: '::' },
    ],
    [
      { HEALTH_PORT: '9464', HEALTH_HOST: 'localhost' },
      { port: 9464, host: 'localhost' },
    ],
    [
      { HEALTH_PORT: '9464', HEALTH_HOST: '' },
      { port: 9464, host: '127.0.0.1' },
    ],
  ])('%j gives %j', (env, expected) => {
    expect(healthOf(env)).toEqual(expected);
  });

  test.each([
    [
      { HEALTH_PORT: 'metrics' },
      'HEALTH_PORT=metrics must be a TCP port number (0–65535; 0 picks a free one), or empty for no health port',
    ],
    [
      { HEALTH_PORT: '65536' },
      'HEALTH_PORT=65536 must be a TCP port number (0–65535; 0 picks a free one), or empty for no health port',
    ],
    [
      { HEALTH_PORT: '-1' },
      'HEALTH_PORT=-1 must be a TCP port number (0–65535; 0 picks a free one), or empty for no health port',
    ],
    [
      { HEALTH_PORT: '9464', HEALTH_HOST: 'http://0.0.0.0' },
      'HEALTH_HOST=http://0.0.0.0 must be an IP address or a host name to listen on, e.g. 127.0.0.1 (loopback, the default) or 0.0.0.0 (every interface)',
    ],
    [
      { HEALTH_PORT: '9464', HEALTH_HOST: '0.0.0.0:9464' },
      'HEALTH_HOST=0.0.0.0:9464 must be an IP address or a host name to listen on, e.g. 127.0.0.1 (loopback, the default) or 0.0.0.0 (every interface)',
    ],
  ])('%j is refused with the fix', (env, problem) => {
    expect(problemsOf(() => healthOf(env))).toEqual([problem]);
  });
});

test('a bad HEALTH_PORT is listed with the other problems, not alone', () => {
  const problems = problemsOf(() => loadConfig({ HEALTH_PORT: 'x', LOG_LEVEL: 'loud', ALERT_QUORUM: '0' }));
  expect(problems).toHaveLength(3);
  expect(problems).toContain(
    'HEALTH_PORT=x must be a TCP port number (0–65535; 0 picks a free one), or empty for no health port',
  );
});

test('the worker lists a bad HEALTH_PORT with a missing DATABASE_URL', () => {
  expect(problemsOf(() => loadWorkerSettings({ HEALTH_PORT: '99999' }))).toEqual([
    "DATABASE_URL is not set: a worker takes its jobs from the bot's PostgreSQL database",
    'HEALTH_PORT=99999 must be a TCP port number (0–65535; 0 picks a free one), or empty for no health port',
  ]);
});
