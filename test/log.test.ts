import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger, type LogFormat, secretMasker } from '../src/log.js';

const NOW = () => new Date('2026-12-02T09:05:07.123Z');

function logged(format: LogFormat | undefined, secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    ...(format ? { format } : {}),
    secrets,
    now: NOW,
    write: (line) => lines.push(line),
  });
  return { lines, logger };
}

function anError(): Error {
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:443');
  return new Error('Slack API unreachable', { cause });
}

describe('createLogger()', () => {
  test('JSON keeps the stack of an error and of its cause', () => {
    const { lines, logger } = logged('json');
    logger.error('start-up failed', { error: anError() });
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({ level: 'error', msg: 'start-up failed' });
    expect(record.error.message).toBe('Slack API unreachable');
    expect(record.error.stack).toMatch(/^Error: Slack API unreachable\n\s+at /);
    expect(record.error.cause.stack).toMatch(/^Error: connect ECONNREFUSED[^\n]*\n\s+at /);
  });

  test('JSON is the default format', () => {
    const { lines, logger } = logged(undefined);
    logger.info('ready', { mode: 'socket' });
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-12-02T09:05:07.123Z',
      level: 'info',
      msg: 'ready',
      mode: 'socket',
    });
  });

  test('text: time, level, message and key=value, quoted where needed', () => {
    const { lines, logger } = logged('text');
    logger.child({ source: 'bolt' }).warn('watch scheduler started', {
      expression: '*/15 * * * *',
      drained: true,
      port: 3000,
      ids: ['U1', 'U2'],
      missing: undefined,
    });
    expect(lines).toEqual([
      '09:05:07 WARN  watch scheduler started source=bolt expression="*/15 * * * *" drained=true port=3000 ids="[\\"U1\\",\\"U2\\"]"',
    ]);
  });

  test('text: an error shows its message, then its stack indented', () => {
    const { lines, logger } = logged('text');
    logger.error('start-up failed', { error: anError() });
    const [first, ...stack] = (lines[0] ?? '').split('\n');
    expect(first).toBe('09:05:07 ERROR start-up failed error="Error: Slack API unreachable"');
    expect(stack.length).toBeGreaterThan(0);
    for (const frame of stack) expect(frame).toMatch(/^ {4}at /);
  });

  test('text: escape sequences in messages and fields are shown escaped; secrets masked', () => {
    const { lines, logger } = logged('text', ['xoxb-1-secret-token']);
    logger.warn('banner \u001b]0;pwned\u0007 from server', {
      greeting: '220 \u001b[2J\u202e ok',
      token: 'xoxb-1-secret-token',
    });
    expect(lines[0]).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(lines[0]).toContain('banner \\x1b]0;pwned\\x07 from server');
    expect(lines[0]).toContain('token=[redacted]');
    expect(lines[0]).not.toContain('secret-token');
  });
});

describe('LOG_FORMAT', () => {
  test('defaults to auto; json and text are taken; anything else is a problem', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'text' }).logFormat).toBe('text');
    expect(() => loadConfig({ LOG_FORMAT: 'pretty' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'pretty' })).toThrow(
      /LOG_FORMAT=pretty must be json, text or auto/,
    );
  });
});

describe('secretMasker(): the DATABASE_URL password in every form a log line holds it', () => {
  test.each([
    ['a short password in the URL', 'pw1', 'connect postgres://bot:pw1@db.example:5432/smtp failed'],
    ['a short password after password=', 'pw1', 'host=db.example password=pw1 user=bot'],
    ['a JSON field named password', 'pw1', '{"msg":"x","password":"pw1"}'],
    [
      'a password with " and \\, as JSON escapes it',
      'a"b\\c-long',
      JSON.stringify({ url: 'postgres://bot:a"b\\c-long@db/x' }),
    ],
    [
      'a percent-encoded password',
      'p@ss:word/1',
      'dialling postgres://bot:p%40ss%3Aword%2F1@db.example/smtp',
    ],
  ])('%s is masked', (_what, secret, line) => {
    const masked = secretMasker([secret])(line);
    expect(masked).toContain('[redacted]');
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])
      expect(masked).not.toContain(form.length >= 3 ? form : `:${form}@`);
  });

  test('a short password is never starred out of unrelated text, which would reveal it', () => {
    const line = 'probing 127.0.0.1 port 2525: 220 mail.example.test ESMTP 2525 ready';
    expect(secretMasker(['2525'])(line)).toBe(line);
    expect(secretMasker(['2525'])('postgres://bot:2525@db/x on port 2525')).toBe(
      'postgres://bot:[redacted]@db/x on port 2525',
    );
  });

  test('the logger masks a short DATABASE_URL password in JSON and text lines', () => {
    for (const format of ['json', 'text'] as const) {
      const { lines, logger } = logged(format, ['postgres://bot:pw1@db/x', 'pw1']);
      logger.error('cannot reach the database', { url: 'postgres://bot:pw1@db.other/y' });
      expect(lines[0]).not.toContain(':pw1@');
      expect(lines[0]).toContain('[redacted]');
    }
  });
});
