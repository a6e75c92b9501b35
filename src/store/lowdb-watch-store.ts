import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Logger } from '../log.js';
import { createDataWatchStore } from './data-watch-store.js';
import { createStoreDataStringifier, emptyStoreData, loadStoreData, type StoreData } from './store-data.js';
import { StoreError } from '../database/store-error.js';
import { DEFAULT_HISTORY_LIMITS, type HistoryLimits, type WatchStore } from '../watch-model/watch-store.js';

// lowdb keeps the data in memory and rewrites the whole file atomically (temp file + rename) on
// each write, so a kill -9 leaves either the old or the new file, never half of one. Writes are
// group-committed: every change made while a write is in flight goes into the next single write.

const openFiles = new Set<string>();

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function newBatch(): Batch {
  let resolveBatch!: () => void;
  let rejectBatch!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolveBatch = res;
    rejectBatch = rej;
  });
  // A rejected batch nobody awaits any more must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve: resolveBatch, reject: rejectBatch };
}

function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${code} (${message ?? 'no message'})` : (message ?? String(error));
}

export interface LowdbWatchStoreOptions {
  limits?: HistoryLimits;
  logger?: Logger;
}

/**
 * Opens the JSON data file, creating it (and its directory) when missing. A file that cannot be
 * read, parsed or migrated is refused with a StoreError and left exactly as it is.
 */
export async function openLowdbWatchStore(
  path: string,
  options: LowdbWatchStoreOptions = {},
): Promise<WatchStore> {
  const file = resolve(path);
  if (openFiles.has(file)) {
    throw new StoreError(`${file} is already open in this process; share the one store instance`, { file });
  }
  try {
    await mkdir(dirname(file), { recursive: true });
  } catch (error) {
    throw new StoreError(
      `cannot create the directory of the data file ${file}: ${describe(error)}${(error as { code?: string }).code === 'EEXIST' ? ' — part of that path is a file, not a directory' : ''}. Point DATA_FILE at a writable place.`,
      { file, cause: error },
    );
  }

  // The text last read or written, kept to roll memory back when a write fails.
  const text: { last: string | null } = { last: null };
  // What the file held, whatever it is: lowdb keeps its default data when a file parses to a falsy
  // value (null, false, 0, ""), which would silently turn someone else's file into an empty store.
  const read: { raw: unknown } = { raw: undefined };
  // The same text as JSON.stringify, reusing the text of every history series no write changed.
  const stringify = createStoreDataStringifier();
  const adapter = new DataFile<StoreData>(file, {
    parse: (content) => {
      text.last = content;
      read.raw = JSON.parse(content);
      return read.raw as StoreData;
    },
    stringify: (data) => {
      text.last = stringify(data);
      return text.last;
    },
  });
  const db = new Low<StoreData>(adapter, emptyStoreData());

  const exists = await stat(file).then(
    () => true,
    (error: { code?: string }) => {
      if (error.code === 'ENOENT') return false;
      throw new StoreError(`cannot read the data file ${file}: ${describe(error)}`, { file, cause: error });
    },
  );
  try {
    await db.read();
  } catch (error) {
    const what = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read: ${describe(error)}`;
    throw new StoreError(
      `the data file ${file} ${what}. It was left untouched: restore it from a backup, point DATA_FILE at another file, or move it away to start with no watches.`,
      { file, cause: error },
    );
  }
  const loaded = loadStoreData(exists ? read.raw : db.data);
  if (!loaded.ok) {
    throw new StoreError(
      `the data file ${file} cannot be used: ${loaded.reason}. It was left untouched: restore it from a backup, point DATA_FILE at another file, or move it away to start with no watches.`,
      { file },
    );
  }
  db.data = loaded.data;

  let committedText = text.last;
  let inFlight: Promise<void> | null = null;
  let queued: Batch | null = null;

  const writeError = (error: unknown): StoreError =>
    new StoreError(
      `cannot write the data file ${file}: ${describe(error)}. The previous file is intact; check that its directory is writable and the disk has space.`,
      { file, cause: error },
    );

  const start = (): void => {
    const batch = queued;
    if (batch === null) return;
    queued = null;
    inFlight = (async () => {
      try {
        await db.write();
        committedText = text.last;
        batch.resolve();
      } catch (error) {
        // Back to what the file holds, so memory never claims what the disk does not.
        db.data = committedText === null ? emptyStoreData() : (JSON.parse(committedText) as StoreData);
        const failure = writeError(error);
        batch.reject(failure);
        // Changes made while this write was in flight were rolled back with it.
        (queued as Batch | null)?.reject(failure);
        queued = null;
      } finally {
        inFlight = null;
        start();
      }
    })();
  };

  const commit = (): Promise<void> => {
    if (queued === null) queued = newBatch();
    const { promise } = queued;
    if (inFlight === null) start();
    return promise;
  };

  if (loaded.migratedFrom !== null) {
    const backup = `${file}.v${loaded.migratedFrom}.bak`;
    await copyFile(file, backup).catch((error: unknown) => {
      throw new StoreError(`cannot back up ${file} to ${backup} before migrating it: ${describe(error)}`, {
        file,
        cause: error,
      });
    });
    await commit();
    options.logger?.info('data file migrated', { file, from: loaded.migratedFrom, backup });
  } else if (!exists) {
    // Writing the empty file now makes an unwritable location fail at start-up, not at the first watch.
    await commit();
  }
  openFiles.add(file);

  return createDataWatchStore({
    location: file,
    data: () => db.data,
    commit,
    release: async () => {
      while (inFlight !== null) await inFlight;
      openFiles.delete(file);
    },
    limits: options.limits ?? DEFAULT_HISTORY_LIMITS,
  });
}
