import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openLowdbWatchStore, type WatchStore } from '../../src/store/index.js';
import { describeDatabase, openPgWatchStore } from '../../src/store/pg/index.js';
import { requirePostgres } from '../helpers/postgres.js';
import { snapshot, testDatabases } from './pg-test-support.js';
import { VERSION_1_FILE, VERSION_1_WATCH } from './fixtures/version-1.js';
import { aState, anIncident, aWatch } from './watch-store-contract.js';
import { aDomainWatch } from './domain-watch-fixtures.js';

// `smtp-check store import`, as an operator runs it: the real command against a real database.

const skip = await requirePostgres();
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const database = testDatabases();

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function smtpCheck(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: REPO, env: { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smtp-check-import-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A data file as the bot writes it: three watches, one in trouble (incident and mute), history. */
async function aDataFile(): Promise<string> {
  const file = join(dir, 'smtp-check.json');
  const store = await openLowdbWatchStore(file);
  await store.saveWatch(aWatch({ host: 'c.example.test' }));
  await store.saveWatch(aWatch({ host: 'a.example.test', ports: [25] }));
  await store.saveWatch(aWatch({ channel: 'C0OTHER', host: 'a.example.test' }));
  await store.saveAlertStates('C0WATCH', 'c.example.test', { 25: aState(), 587: aState() });
  await store.saveAlertStates(
    'C0WATCH',
    'a.example.test',
    { 25: aState({ phase: 'blocked', class: 'filtered', usable: false, daysLeft: null, certBand: null }) },
    anIncident({ host: 'a.example.test', lastReminderAt: '2026-03-01T18:30:00.000Z' }),
  );
  await store.setMute('C0WATCH', 'a.example.test', {
    channel: 'C0WATCH',
    host: 'a.example.test',
    until: '2026-03-02T00:00:00.000Z',
    by: 'U0LEAD',
  });
  for (let i = 0; i < 5; i += 1) {
    const at = new Date(Date.parse('2026-03-01T12:00:00.000Z') + i * 900_000).toISOString();
    await store.appendHistory('a.example.test', 25, {
      at,
      class: i < 3 ? 'open-starttls' : 'filtered',
      usable: i < 3,
    });
    await store.appendHistory('2001:db8::25', 587, { at, class: 'open-starttls', usable: true });
  }
  await store.saveDomainWatch(aDomainWatch({ channel: 'C0WATCH', domain: 'example.test' }));
  await store.close();
  return file;
}

/** Everything a store answers about the watches and series of the data file. */
async function everything(store: WatchStore) {
  const watches = await store.listWatches();
  return {
    watches,
    perWatch: await Promise.all(
      watches.map(async (w) => ({
        states: await store.getAlertStates(w.channel, w.host),
        incident: await store.getIncident(w.channel, w.host),
        mute: await store.getMute(w.channel, w.host),
      })),
    ),
    incidents: await store.listIncidents(),
    history: [await store.getHistory('a.example.test', 25), await store.getHistory('2001:db8::25', 587)],
    domains: await store.listDomainWatches(),
  };
}

describe.skipIf(skip !== null)('smtp-check store import', () => {
  test('copies the data file into the database, which then answers exactly what the file did', async () => {
    const file = await aDataFile();
    const db = await database();
    const run = await smtpCheck(['store', 'import', file], { DATABASE_URL: db.url });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(
      `imported 3 watches (3 port alert states), 1 incident, 1 mute, 2 history series, 1 domain watch from ${file} into ${describeDatabase(db.url)}; 0 already present\n`,
    );

    const lowdb = await openLowdbWatchStore(file);
    const pg = await openPgWatchStore(db.url);
    try {
      const fromFile = await everything(lowdb);
      expect(fromFile.incidents).toHaveLength(1);
      expect(await everything(pg)).toEqual(fromFile);
    } finally {
      await lowdb.close();
      await pg.close();
    }
  });

  test('a watch from vantages comes across with each vantage’s states and history', async () => {
    const file = join(dir, 'vantages.json');
    const lowdb = await openLowdbWatchStore(file);
    await lowdb.saveWatch(aWatch({ vantages: ['office', 'aws-eu'] }));
    const blocked = aState({
      phase: 'blocked',
      class: 'filtered',
      usable: false,
      daysLeft: null,
      certBand: null,
    });
    await lowdb.saveAlertStates('C0WATCH', 'smtp.example.test', { 25: aState() }, undefined, {
      office: { 25: aState() },
      'aws-eu': { 25: blocked },
    });
    const sample = { at: '2026-03-01T12:00:00.000Z', class: 'filtered' as const, usable: false };
    await lowdb.appendHistory('smtp.example.test', 25, sample, 'aws-eu');
    await lowdb.close();
    const db = await database();
    const run = await smtpCheck(['store', 'import', file], { DATABASE_URL: db.url });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('imported 1 watch (3 port alert states)');
    const pg = await openPgWatchStore(db.url);
    try {
      expect(await pg.getWatch('C0WATCH', 'smtp.example.test')).toEqual(
        aWatch({ vantages: ['office', 'aws-eu'] }),
      );
      expect(await pg.getVantageStates('C0WATCH', 'smtp.example.test')).toEqual({
        office: { 25: aState() },
        'aws-eu': { 25: blocked },
      });
      expect((await pg.getHistory('smtp.example.test', 25, 'aws-eu'))?.samples).toBe('0');
      expect(await pg.getHistory('smtp.example.test', 25)).toBeNull();
    } finally {
      await pg.close();
    }
  });

  test('a second run changes nothing, says so, and keeps what the database learnt since', async () => {
    const file = await aDataFile();
    const db = await database();
    expect((await smtpCheck(['store', 'import', file], { DATABASE_URL: db.url })).exitCode).toBe(0);
    const pg = await openPgWatchStore(db.url);
    await pg.saveAlertStates('C0WATCH', 'a.example.test', { 25: aState() }, null);
    await pg.close();
    const before = await snapshot(db.name);

    const again = await smtpCheck(['store', 'import', file], { DATABASE_URL: db.url });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(
      `imported 0 watches (0 port alert states), 0 incidents, 0 mutes, 0 history series, 0 domain watches from ${file} into ${describeDatabase(db.url)}; already present and left as they are: 3 watches, 2 history series, 1 domain watch — nothing changed\n`,
    );
    expect(await snapshot(db.name)).toEqual(before);
  });

  test('imports a version 1 file as the bot would read it, and leaves the file as it is', async () => {
    const file = join(dir, 'old.json');
    const v1 = VERSION_1_FILE;
    await writeFile(file, v1);
    const db = await database();
    const run = await smtpCheck(['store', 'import', file], { DATABASE_URL: db.url });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /^imported 1 watch \(0 port alert states\), 0 incidents, 0 mutes, 0 history series, 0 domain watches /,
    );
    expect(await readFile(file, 'utf8')).toBe(v1);
    const pg = await openPgWatchStore(db.url);
    expect(await pg.listWatches()).toEqual([VERSION_1_WATCH]);
    await pg.close();
  });

  /** A data file of these watch entries (a good one by default) and history series. */
  const aFile = (watches: string[], history: string[] = []): string =>
    `{"version":2,"watches":{${watches.join(',')}},"history":{${history.join(',')}}}`;
  const STATE = '["ok",0,1772366400000,null,"open-starttls",1,1772366400000,90,1,null,null,"ok"]';
  const anEntry = (key: string, fields: { alerts?: string; host?: string; extra?: string } = {}): string =>
    `"${key}":{"channel":"C0","host":"${fields.host ?? 'h.test'}","ports":[25],"addedBy":"U0","addedAt":"2026-03-01T12:00:00.000Z","alerts":${fields.alerts ?? `{"25":${STATE}}`},"incident":null,"mute":null${fields.extra ?? ''}}`;
  const SERIES = '["1",1772366400,[[1772366400,"refused",0]]]';

  test.each([
    [
      'port 0 as an alert state’s key',
      aFile([anEntry('C0/g.test', { host: 'g.test' }), anEntry('C0/h.test', { alerts: `{"0":${STATE}}` })]),
      'cannot be imported: watch "C0/h.test", alert state of port "0": 0 is not a port (1–65535). Nothing was changed.',
    ],
    [
      'port 99999 as a vantage’s alert state key',
      aFile([
        anEntry('C0/h.test', {
          extra: `,"vantages":["office"],"vantageAlerts":{"office":{"25":${STATE},"99999":${STATE}}}`,
        }),
      ]),
      'watch "C0/h.test", vantage "office", alert state of port "99999": 99999 is not a port (1–65535)',
    ],
    [
      'one port twice among a watch’s alert states',
      aFile([anEntry('C0/h.test', { alerts: `{"25":${STATE},"025":${STATE}}` })]),
      'watch "C0/h.test", alert states "25" and "025": both are port 25, which has one state',
    ],
    [
      'the same channel and host twice among the watches',
      aFile([anEntry('C0/h.test'), anEntry('C0/h.test-copy')]),
      'watches "C0/h.test" and "C0/h.test-copy": both are channel "C0", host "h.test", which a channel watches once',
    ],
    [
      'a history series of port 99999',
      aFile([], [`"h.test:99999":${SERIES}`]),
      'history "h.test:99999": 99999 is not a port (1–65535)',
    ],
    [
      'the same history series twice',
      aFile([], [`"h.test:25":${SERIES}`, `"h.test:025":${SERIES}`]),
      'history "h.test:25" and "h.test:025": both are the series of port 25 of h.test',
    ],
    [
      'a NUL character, which PostgreSQL cannot store',
      aFile([anEntry('C0/h.test', { host: 'h\\u0000.test' })]),
      'watch "C0/h.test", field "host": holds a NUL character',
    ],
    [
      'a time PostgreSQL cannot store',
      aFile([anEntry('C0/h.test').replace('2026-03-01T12:00:00.000Z', '0000-01-01T00:00:00.000Z')]),
      'watch "C0/h.test", field "addedAt": 0000-01-01T00:00:00.000Z is not a time in the years 1–9999',
    ],
    [
      'a time no date can hold',
      aFile([], [`"h.test:25":["1",99999999999999,[]]`]),
      'history "h.test:25", field "lastAt": 99999999999999 is not a time in the years 1–9999',
    ],
    [
      'several problems: the first is named, the others counted',
      aFile([anEntry('C0/h.test', { alerts: `{"0":${STATE},"70000":${STATE}}` }), anEntry('C0/h.test-copy')]),
      'watch "C0/h.test", alert state of port "0": 0 is not a port (1–65535) (and 2 more problems). Nothing was changed.',
    ],
    [
      'an unknown class in an alert state',
      '{"version":2,"watches":{"C0/h.test":{"channel":"C0","host":"h.test","ports":[25],"addedBy":"U0","addedAt":"2026-03-01T12:00:00.000Z","alerts":{"25":["ok",0,1772366400000,null,"warp",1,1772366400000,90,1,null,null,"ok"]},"incident":null,"mute":null}},"history":{}}',
      'cannot be imported: watch "C0/h.test", alert state of port 25, field "class" is invalid (found "warp")',
    ],
    ['truncated JSON', '{"version":2,"watches":{"C0/h', 'is not valid JSON'],
    ['a newer version', '{"version":99,"watches":{},"history":{}}', 'written by a newer smtp-check'],
    [
      'a history series without a port',
      '{"version":2,"watches":{},"history":{"h.test":["1",1772366400,[[1772366400,"refused",0]]]}}',
      'cannot be imported: history "h.test" is not keyed "host:port"',
    ],
  ])('refuses %s, naming the problem, and changes nothing (exit 2)', async (_name, content, problem) => {
    const file = join(dir, 'bad.json');
    await writeFile(file, content);
    const db = await database();
    const run = await smtpCheck(['store', 'import', file], { DATABASE_URL: db.url });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(problem);
    expect(run.stderr).toMatch(/[Nn]othing was (changed|imported)\.\n$/);
    expect(run.stdout).toBe('');
    expect(await snapshot(db.name)).toEqual({});
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  test('a missing file is bad input (exit 2)', async () => {
    const db = await database();
    const run = await smtpCheck(['store', 'import', join(dir, 'nope.json')], { DATABASE_URL: db.url });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`cannot read ${join(dir, 'nope.json')}: ENOENT; nothing was imported.`);
  });

  test('without DATABASE_URL it says what to set (exit 2), before reading anything', async () => {
    const file = await aDataFile();
    const before = await stat(file);
    const run = await smtpCheck(['store', 'import', file], {});
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'smtp-check: DATABASE_URL is not set: `store import` copies the data file into PostgreSQL. Set it to the database the bot uses (postgres://user:password@host:5432/database).\n',
    );
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  test('an unreachable database is a failure (exit 1) named by host and database, never the password', async () => {
    const file = await aDataFile();
    const run = await smtpCheck(['store', 'import', file], {
      DATABASE_URL: 'postgres://bot:Imp0rt-secret@127.0.0.1:1/smtp_check',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /^smtp-check: PostgreSQL at 127\.0\.0\.1:1\/smtp_check is not reachable: ECONNREFUSED .* — check DATABASE_URL and that the server runs\. Nothing was imported\.\n$/,
    );
    expect(run.stderr).not.toContain('Imp0rt-secret');
  });

  test.each([
    [['store'], 'unknown store action ""'],
    [['store', 'export', 'x.json'], 'unknown store action "export"'],
    [['store', 'import'], 'give one data file'],
    [['store', 'import', 'a.json', 'b.json'], 'give one data file'],
  ])('%j is bad input (exit 2) with the store usage', async (args, problem) => {
    const run = await smtpCheck(args, { DATABASE_URL: 'postgres://bot@127.0.0.1:1/smtp_check' });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(problem);
    expect(run.stderr).toContain('usage: smtp-check store import <data file>');
  });

  test('--help names the command in the main usage, and store --help explains it', async () => {
    const main = await smtpCheck(['--help'], {});
    expect(main.stdout).toContain('smtp-check store import <data file>');
    const store = await smtpCheck(['store', '--help'], {});
    expect(store.exitCode).toBe(0);
    expect(store.stdout).toContain('Copies the bot');
  });
});
