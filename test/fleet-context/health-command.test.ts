import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runHealthCommand } from '../../src/cli/health-command.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/pg/migrations.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { createFleetTestDatabase, type FleetTestDatabase, unreachableDatabase } from './fleet-database.js';

const skip = await requirePostgres();

async function health(env: Record<string, string | undefined>): Promise<{ code: number; output: string }> {
  let output = '';
  const code = await runHealthCommand(env, {
    write: (text: string) => {
      output += text;
    },
  });
  return { code, output };
}

describe('runHealthCommand() without a database', () => {
  test('no DATABASE_URL is unhealthy, and says so', async () => {
    expect(await health({})).toEqual({
      code: 1,
      output: 'unhealthy: DATABASE_URL is not set, so there is no database to check\n',
    });
  });

  test('an unreachable database is unhealthy, in one line without the password', async () => {
    const { code, output } = await health({ DATABASE_URL: unreachableDatabase('pw-kept-secret') });
    expect(code).toBe(1);
    expect(output).toMatch(/^unhealthy: PostgreSQL at .*: SELECT 1 failed: ENOENT .*\n$/);
    expect(output.split('\n')).toHaveLength(2);
    expect(output).not.toContain('pw-kept-secret');
  });
});

describe.skipIf(skip !== null)('runHealthCommand()', () => {
  let fleet: FleetTestDatabase;
  let bare: TestDatabase;
  beforeAll(async () => {
    fleet = await createFleetTestDatabase();
    bare = await createTestDatabase('smtp_check_unmigrated');
  });
  afterAll(async () => {
    await fleet?.close();
    await bare?.drop();
  });

  test('a migrated database is healthy: exit 0', async () => {
    const { code, output } = await health({ DATABASE_URL: fleet.database.url });
    expect(code).toBe(0);
    expect(output).toMatch(
      new RegExp(`^healthy: PostgreSQL at .+ answers; schema version ${LATEST_SCHEMA_VERSION} is current\n$`),
    );
  });

  test('a database never migrated answers but is unhealthy', async () => {
    const { code, output } = await health({ DATABASE_URL: bare.url });
    expect(code).toBe(1);
    expect(output).toContain(
      `its schema is version 0, not ${LATEST_SCHEMA_VERSION}: start the bot once to migrate it`,
    );
  });

  test('a database migrated by a newer smtp-check is unhealthy for this one', async () => {
    const db = fleet.open();
    await db.pool.query("INSERT INTO smtp_check_schema (version, name) VALUES (99, 'from the future')");
    try {
      const { code, output } = await health({ DATABASE_URL: fleet.database.url });
      expect(code).toBe(1);
      expect(output).toContain(
        `holds schema version 99, newer than this smtp-check knows (${LATEST_SCHEMA_VERSION})`,
      );
    } finally {
      await db.pool.query('DELETE FROM smtp_check_schema WHERE version = 99');
    }
  });

  test('as a process: the exit code and the line', () => {
    const script = `import { runHealthCommand } from './src/cli/health-command.ts';
      process.exitCode = await runHealthCommand(process.env, process.stdout);`;
    const run = (url: string) => {
      try {
        return {
          code: 0,
          out: execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
            env: { ...process.env, DATABASE_URL: url },
            encoding: 'utf8',
          }),
        };
      } catch (error) {
        const failed = error as { status: number; stdout: string };
        return { code: failed.status, out: failed.stdout };
      }
    };
    expect(run(fleet.database.url)).toMatchObject({ code: 0, out: expect.stringMatching(/^healthy: /) });
    expect(run(bare.url)).toMatchObject({ code: 1, out: expect.stringMatching(/^unhealthy: /) });
  });
});
