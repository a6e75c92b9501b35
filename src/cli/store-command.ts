import { readFile } from 'node:fs/promises';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE } from '../diagnose/index.js';
import { createLogger } from '../log.js';
import { escapeControls } from '../text/sanitize.js';
import { StoreError } from '../store/index.js';
import { databasePassword, describeDatabase } from '../database/database-url.js';
import { loadStoreImportSettings } from '../config.js';
import { loadStoreData } from '../store/store-data.js';
import { plural } from '../text/plural.js';

// `smtp-check store import <data file>`: moves a bot from its JSON data file to PostgreSQL. The
// file is checked whole before the database is touched; the copy is one transaction, and what the
// database already holds is left as it is, so a second run changes nothing.

export const STORE_USAGE = `usage: smtp-check store import <data file>

  Copies the bot's JSON data file (DATA_FILE, e.g. data/smtp-check.json) into the PostgreSQL
  database in DATABASE_URL: watches with their alert state, incidents, mutes and history, in one
  transaction. Watches and history already in the database are left as they are.

exit codes: 0 imported (or nothing left to import); 1 the database failed; 2 bad input or settings`;

export interface StoreCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The environment: DATABASE_URL. */
  env: Record<string, string | undefined>;
}

async function readDataFile(
  path: string,
): Promise<{ ok: true; raw: unknown } | { ok: false; problem: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return { ok: false, problem: `cannot read ${path}: ${code ?? message ?? String(error)}` };
  }
  try {
    return { ok: true, raw: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
}

export async function runStoreCommand(argv: string[], io: StoreCommandIo): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`smtp-check: ${escapeControls(message, { keepNewlines: true })}\n`);
    return code;
  };
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.stdout.write(`${STORE_USAGE}\n`);
    return EXIT_OK;
  }
  const [action, path, ...extra] = argv;
  if (action !== 'import' || path === undefined || path === '' || extra.length > 0) {
    const problem =
      action === 'import' ? 'give one data file' : `unknown store action ${JSON.stringify(action ?? '')}`;
    return fail(EXIT_USAGE, `${problem}\n${STORE_USAGE}`);
  }

  const settings = loadStoreImportSettings(io.env);
  if ('problem' in settings) return fail(EXIT_USAGE, settings.problem);
  const url = settings.databaseUrl;

  const read = await readDataFile(path);
  if (!read.ok) return fail(EXIT_USAGE, `${read.problem}; nothing was imported.`);
  const loaded = loadStoreData(read.raw);
  const { importProblem, importStoreData, openPgWatchStore } = await import('../store/pg/index.js');
  const problem = loaded.ok ? importProblem(loaded.data) : loaded.reason;
  if (!loaded.ok || problem !== null) {
    return fail(EXIT_USAGE, `${path} cannot be imported: ${problem}. Nothing was changed.`);
  }

  const where = describeDatabase(url);
  const logger = createLogger({
    level: 'warn',
    format: 'text',
    write: (line) => io.stderr.write(`${line}\n`),
    secrets: [url, databasePassword(url)].filter((secret): secret is string => secret !== null),
  });
  let store: Awaited<ReturnType<typeof openPgWatchStore>> | null = null;
  try {
    store = await openPgWatchStore(url, { logger });
    const counts = await store.transaction('importing the data file', (client) =>
      importStoreData(client, loaded.data),
    );
    const imported = `imported ${plural(counts.watches, 'watch', 'watches')} (${plural(counts.alertStates, 'port alert state')}), ${plural(counts.incidents, 'incident')}, ${plural(counts.mutes, 'mute')}, ${plural(counts.series, 'history series', 'history series')}, ${plural(counts.domainWatches, 'domain watch', 'domain watches')} from ${path} into ${where}`;
    const present =
      counts.watchesPresent + counts.seriesPresent + counts.domainWatchesPresent === 0
        ? '0 already present'
        : `already present and left as they are: ${plural(counts.watchesPresent, 'watch', 'watches')}, ${plural(counts.seriesPresent, 'history series', 'history series')}, ${plural(counts.domainWatchesPresent, 'domain watch', 'domain watches')}`;
    const nothing = counts.watches + counts.series + counts.domainWatches === 0 ? ' — nothing changed' : '';
    io.stdout.write(`${escapeControls(`${imported}; ${present}${nothing}`)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof StoreError) return fail(EXIT_PROBLEM, `${error.message}. Nothing was imported.`);
    throw error;
  } finally {
    await store?.close();
  }
}
