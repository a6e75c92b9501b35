import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runHistoryCommand } from '../../src/cli/history-command.js';
import { openLowdbWatchStore, type WatchStore } from '../../src/store/index.js';
import { openPgWatchStore } from '../../src/store/pg/index.js';
import { decodePng } from '../helpers/png.js';
import { requirePostgres } from '../helpers/postgres.js';
import { testDatabases } from '../store/pg-test-support.js';

// `smtp-check history host --png FILE` on the store the bot writes: the JSON data file (read
// only, never rewritten) and PostgreSQL. Port 25 was refused for 2 h 14 min on 1 June.

const skip = await requirePostgres();
const database = testDatabases();
const NOW = new Date('2025-06-02T00:00:00.000Z');
const VERMILLION = [213, 94, 0];

async function seed(store: WatchStore): Promise<void> {
  await store.saveWatch({
    channel: 'C0CHECKS',
    host: 'smtp.example.com',
    ports: [25, 587],
    addedBy: 'U0ALICE',
    addedAt: '2025-05-30T00:00:00.000Z',
  });
  const samples: Array<[string, number, 'open-starttls' | 'refused', boolean]> = [
    ['2025-05-30T00:00:00.000Z', 25, 'open-starttls', true],
    ['2025-05-30T00:00:00.000Z', 587, 'open-starttls', true],
    ['2025-06-01T10:00:00.000Z', 25, 'refused', false],
    ['2025-06-01T12:14:00.000Z', 25, 'open-starttls', true],
    ['2025-06-01T23:45:00.000Z', 25, 'open-starttls', true],
    ['2025-06-01T23:45:00.000Z', 587, 'open-starttls', true],
  ];
  for (const [at, port, cls, usable] of samples)
    await store.appendHistory('smtp.example.com', port, { at, class: cls, usable });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: (env: Record<string, string | undefined>) => ({
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      env: { CHECK_TIMEZONE: 'Europe/Paris', ...env },
      now: () => NOW,
    }),
  };
}

function expectPicture(file: string): void {
  const png = decodePng(readFileSync(file));
  expect(png.width).toBe(1000);
  // 11:00 UTC on 1 June, on the 25 row of a window from 31 May 00:00 (the watch began 30 May).
  const from = Date.parse('2025-05-30T00:00:00.000Z');
  const x = Math.round(
    216 + ((Date.parse('2025-06-01T11:00:00.000Z') - from) / (NOW.getTime() - from)) * 640,
  );
  expect(png.rgb(x, 116 + 14 + 22)).toEqual(VERMILLION);
}

describe('smtp-check history', () => {
  test('reads the JSON data file without writing it, prints the facts and writes the picture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-check-history-'));
    const dataFile = join(dir, 'data.json');
    const store = await openLowdbWatchStore(dataFile);
    await seed(store);
    await store.close();
    const before = statSync(dataFile).mtimeMs;
    const { out, err, io } = capture();
    const png = join(dir, 'history.png');
    expect(await runHistoryCommand(['smtp.example.com', '--png', png], io({ DATA_FILE: dataFile }))).toBe(0);
    expect(err).toEqual([]);
    const text = out.join('');
    expect(text).toContain('History of smtp.example.com, 3 days to 2 Jun 02:00 (Europe/Paris)');
    expect(text).toContain('25: usable 96.8% of the time · 1 incident (2 h 14 min from 1 Jun 12:00)');
    expect(text).toContain('587: usable 100% of the time · no incidents');
    expect(text).toContain(`picture written to ${png}`);
    expectPicture(png);
    expect(statSync(dataFile).mtimeMs).toBe(before);
  });

  test('a host that is not watched, a missing data file and a bad option are usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-check-history-'));
    const { err, io } = capture();
    expect(await runHistoryCommand(['nowhere.example'], io({ DATA_FILE: join(dir, 'none.json') }))).toBe(2);
    expect(err.join('')).toContain('does not exist: nothing is watched yet, or DATA_FILE points elsewhere');
    const dataFile = join(dir, 'data.json');
    const store = await openLowdbWatchStore(dataFile);
    await seed(store);
    await store.close();
    expect(await runHistoryCommand(['other.example'], io({ DATA_FILE: dataFile }))).toBe(2);
    expect(err.join('')).toContain('`other.example` is not watched, so it has no history');
    expect(await runHistoryCommand(['smtp.example.com', '--svg'], io({ DATA_FILE: dataFile }))).toBe(2);
    expect(err.join('')).toContain('unknown option --svg');
  });

  test.skipIf(skip)('reads PostgreSQL when DATABASE_URL is set', async () => {
    const db = await database();
    const store = await openPgWatchStore(db.url);
    await seed(store);
    await store.close();
    const dir = mkdtempSync(join(tmpdir(), 'smtp-check-history-'));
    const png = join(dir, 'history.png');
    const { out, io } = capture();
    expect(await runHistoryCommand(['smtp.example.com', `--png=${png}`], io({ DATABASE_URL: db.url }))).toBe(
      0,
    );
    expect(out.join('')).toContain('25: usable 96.8% of the time · 1 incident (2 h 14 min from 1 Jun 12:00)');
    expectPicture(png);
  });
});
