import { loadHealthSettings } from '../config.js';
import { describeDatabase } from '../database/database-url.js';
import { createPool, storeErrorFrom } from '../database/connection.js';
import { LATEST_SCHEMA_VERSION } from '../store/pg/migrations.js';
import { pingDatabase } from '../fleet-context/index.js';
import { escapeControls } from '../text/sanitize.js';
import { EXIT_OK, EXIT_PROBLEM } from '../util/exit-codes.js';

const EXIT_HEALTHY = EXIT_OK;
const EXIT_UNHEALTHY = EXIT_PROBLEM;

/** How long the database may take to connect and to answer each question. */
const TIMEOUT_MS = 2_000;

/**
 * `smtp-check health`: the database in DATABASE_URL answers `SELECT 1` and holds the schema this
 * smtp-check expects. One line either way, naming the database by host and name (never the
 * password); exit 0 healthy, 1 not.
 */
export async function runHealthCommand(
  env: Readonly<Record<string, string | undefined>>,
  out: { write(text: string): unknown },
): Promise<number> {
  const say = (healthy: boolean, line: string): number => {
    out.write(`${healthy ? 'healthy' : 'unhealthy'}: ${escapeControls(line)}\n`);
    return healthy ? EXIT_HEALTHY : EXIT_UNHEALTHY;
  };
  const settings = loadHealthSettings(env);
  if ('problem' in settings) return say(false, settings.problem);
  const url = settings.databaseUrl;
  const where = describeDatabase(url);
  const pool = createPool(url, { max: 1, connectTimeoutMs: TIMEOUT_MS, onIdleError: () => undefined });
  try {
    const problem = await pingDatabase({ pool, url }, TIMEOUT_MS);
    if (problem !== null) return say(false, problem.message);
    let version: number;
    try {
      const { rows } = await pool.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM smtp_check_schema',
      );
      version = rows[0]?.version ?? 0;
    } catch (error) {
      if ((error as { code?: string }).code !== '42P01') {
        return say(false, storeErrorFrom(error, url, 'reading the schema version').message);
      }
      version = 0;
    }
    if (version < LATEST_SCHEMA_VERSION) {
      return say(
        false,
        `PostgreSQL at ${where} answers, but its schema is version ${version}, not ${LATEST_SCHEMA_VERSION}: ` +
          'start the bot once to migrate it',
      );
    }
    if (version > LATEST_SCHEMA_VERSION) {
      return say(
        false,
        `PostgreSQL at ${where} holds schema version ${version}, newer than this smtp-check knows (${LATEST_SCHEMA_VERSION})`,
      );
    }
    return say(true, `PostgreSQL at ${where} answers; schema version ${version} is current`);
  } finally {
    // The answer is given; a pool that fails to close leaves nothing more to report.
    await pool.end().catch(() => undefined);
  }
}
