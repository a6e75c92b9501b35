import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { databasePassword, describeDatabase, redactUrl } from '../../src/database/database-url.js';

// DATABASE_URL carries a password. A Unix socket URL with a user and no host
// (postgres://user:password@/db?host=/run/postgresql) is what PostgreSQL accepts but WHATWG URL
// refuses; its password was once neither masked in logs nor removed from messages.

describe('describeDatabase() / databasePassword() / redactUrl()', () => {
  test.each([
    ['postgres://bot:pa%40ss@db.internal:5433/smtp', 'db.internal:5433/smtp', 'pa@ss'],
    ['postgresql://bot:pw@db.internal/smtp', 'db.internal/smtp', 'pw'],
    ['postgres://bot:Sock3t-pw@/smtp?host=/run/postgresql', '/run/postgresql/smtp', 'Sock3t-pw'],
    ['postgres://bot@/smtp?host=%2Fvar%2Frun%2Fpostgresql', '/var/run/postgresql/smtp', null],
    ['postgres:///smtp?host=/var/run/postgresql', '/var/run/postgresql/smtp', null],
    ['not a url', 'the database in DATABASE_URL', null],
  ])('%s is %s, password %s', (url, where, password) => {
    expect(describeDatabase(url)).toBe(where);
    expect(databasePassword(url)).toBe(password);
    const redacted = redactUrl(`connect to ${url} with ${password ?? 'nothing'} failed`, url);
    expect(redacted).toContain(where);
    if (password !== null) expect(redacted).not.toContain(password);
  });

  test('the logger masks the password of a socket URL wherever it appears', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://bot:Sock3t-pw@/smtp?host=/run/postgresql' });
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      write: (line) => lines.push(line),
      secrets: config.secrets,
    });
    logger.info('server said', { reason: 'password Sock3t-pw rejected' });
    expect(lines.join('\n')).not.toContain('Sock3t-pw');
  });
});
