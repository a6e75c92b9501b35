import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { timelineRows } from '../chat/use-cases/history-picture.js';
import { mrkdwnToText } from '../render/blocks-to-text.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE } from '../diagnose/index.js';
import { createLogger } from '../log.js';
import { escapeControls } from '../text/sanitize.js';
import { buildTimeline, historyWindow } from '../render/timeline-model.js';
import { svgToPng } from '../render/timeline-png.js';
import { timelineModelSvg } from '../render/timeline-svg.js';
import { timelineFacts } from '../render/timeline-text.js';
import { StoreError, type WatchStore } from '../store/index.js';
import { createDataWatchStore } from '../store/data-watch-store.js';
import { databasePassword } from '../database/database-url.js';
import { DEFAULT_DATA_FILE, type HistorySettings, loadHistorySettings } from '../config.js';
import { loadStoreData } from '../store/store-data.js';
import { DEFAULT_HISTORY_LIMITS } from '../watch-model/watch-store.js';
import { createWatchCommands } from '../watch/watch-commands.js';

// `smtp-check history <host> [--png FILE]`: a watched host's history from the bot's own store
// (DATABASE_URL, or the DATA_FILE JSON file), as the facts in text and, with --png, the timeline
// picture the bot posts in Slack. It only reads: the data file is never rewritten, even when it is
// of an older layout.

export const HISTORY_USAGE = `usage: smtp-check history <host> [--png FILE]

  Prints a watched host's history per port (share of time usable, incidents, state now) from the
  bot's store: PostgreSQL when DATABASE_URL is set, the JSON file DATA_FILE otherwise (default
  ${DEFAULT_DATA_FILE}). --png FILE also writes the timeline picture. Times are in CHECK_TIMEZONE
  (UTC when unset).

exit codes: 0 printed; 1 the store failed; 2 bad input, settings, or a host that is not watched`;

export interface HistoryCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** DATABASE_URL, DATA_FILE, CHECK_TIMEZONE. */
  env: Record<string, string | undefined>;
  now?: () => Date;
}

type Parsed = { host: string; png: string | null } | { error: string } | { help: true };

function parse(argv: string[]): Parsed {
  let host: string | null = null;
  let png: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--png' || arg.startsWith('--png=')) {
      let value = arg.slice('--png='.length);
      if (arg === '--png') {
        index += 1;
        value = argv[index] ?? '';
      }
      if (value === '') return { error: '--png needs a file name, as in --png history.png' };
      png = value;
    } else if (arg.startsWith('-')) return { error: `unknown option ${arg}` };
    else if (host === null) host = arg;
    else return { error: `one host at a time (got ${arg} too)` };
  }
  return host === null
    ? { error: 'give the watched host, as in: smtp-check history smtp.example.com' }
    : { host, png };
}

/** The JSON data file as a store that reads only: writes would go nowhere, and none are made. */
async function readDataFile(path: string): Promise<WatchStore> {
  const file = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const { code } = error as { code?: string };
    const why =
      code === 'ENOENT'
        ? 'does not exist: nothing is watched yet, or DATA_FILE points elsewhere'
        : `cannot be read (${code ?? (error as Error).message})`;
    throw new StoreError(`the data file ${file} ${why}`, { file });
  }
  const loaded = loadStoreData(raw);
  if (!loaded.ok) throw new StoreError(`the data file ${file} cannot be used: ${loaded.reason}`, { file });
  return createDataWatchStore({
    location: file,
    data: () => loaded.data,
    commit: async () => {},
    release: async () => {},
    limits: DEFAULT_HISTORY_LIMITS,
  });
}

async function openReadStore(settings: HistorySettings, stderr: HistoryCommandIo['stderr']) {
  const url = settings.databaseUrl;
  if (url === null) return readDataFile(settings.dataFile);
  const { openPgWatchStore } = await import('../store/pg/index.js');
  const logger = createLogger({
    level: 'warn',
    format: 'text',
    write: (line) => stderr.write(`${line}\n`),
    secrets: [url, databasePassword(url)].filter((secret): secret is string => secret !== null),
  });
  return openPgWatchStore(url, { logger, maxConnections: 2 });
}

export async function runHistoryCommand(argv: string[], io: HistoryCommandIo): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`smtp-check: ${escapeControls(message, { keepNewlines: true })}\n`);
    return code;
  };
  const parsed = parse(argv);
  if ('help' in parsed) {
    io.stdout.write(`${HISTORY_USAGE}\n`);
    return EXIT_OK;
  }
  if ('error' in parsed) return fail(EXIT_USAGE, `${parsed.error}\n${HISTORY_USAGE}`);
  const settings = loadHistorySettings(io.env);
  if ('problem' in settings) return fail(EXIT_USAGE, settings.problem);
  const zone = settings.timeZone;

  let store: WatchStore | null = null;
  try {
    store = await openReadStore(settings, io.stderr);
    const watches = createWatchCommands({
      store,
      // History never probes; a watch command that would is not reachable from here.
      runCheck: () => Promise.reject(new Error('history does not probe')),
      now: io.now ?? (() => new Date()),
      logger: createLogger({ level: 'warn', format: 'text', write: (line) => io.stderr.write(`${line}\n`) }),
    });
    const { reply } = await watches.historyOf({ host: parsed.host });
    if (reply.kind !== 'history') {
      return fail(EXIT_USAGE, mrkdwnToText(reply.kind === 'refused' ? reply.error : 'no history'));
    }
    const rows = timelineRows(reply.ports);
    const window = historyWindow(rows, reply.now, {
      maxMs: DEFAULT_HISTORY_LIMITS.maxAgeMs,
      minMs: 86_400_000,
    });
    const model = buildTimeline({ host: reply.host, ...window, timeZone: zone, rows });
    io.stdout.write(`${escapeControls(timelineFacts(model).join('\n'), { keepNewlines: true })}\n`);
    if (parsed.png !== null) {
      const file = resolve(parsed.png);
      await writeFile(file, await svgToPng(timelineModelSvg(model)));
      io.stdout.write(`${escapeControls(`picture written to ${file}`)}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof StoreError)
      return fail(error.unavailable ? EXIT_PROBLEM : EXIT_USAGE, error.message);
    const { code, message } = error as { code?: string; message?: string };
    if (parsed.png !== null && typeof code === 'string' && code.startsWith('E')) {
      return fail(EXIT_USAGE, `cannot write ${parsed.png}: ${code} (${message})`);
    }
    throw error;
  } finally {
    await store?.close();
  }
}
