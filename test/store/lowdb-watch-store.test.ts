import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openLowdbWatchStore, SCHEMA_VERSION, StoreError } from '../../src/store/index.js';
import { VERSION_1_FILE, VERSION_1_WATCH } from './fixtures/version-1.js';
import { aState, anIncident, aWatch, watchStoreContract } from './watch-store-contract.js';

let dir: string;
let counter = 0;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smtp-check-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

watchStoreContract('openLowdbWatchStore()', () => {
  counter += 1;
  return openLowdbWatchStore(join(dir, `contract-${counter}`, 'data.json'));
});

/** A stored watch entry whose port 25 alert state has the given class (JSON text). */
function watchEntry(portClass: string): string {
  const state = `["ok",0,1772366400000,null,${portClass},1,1772366400000,90,1,null,null,"ok"]`;
  return `{"channel":"C0","host":"h.test","ports":[25],"addedBy":"U0","addedAt":"2026-03-01T12:00:00.000Z","alerts":{"25":${state}},"incident":null,"mute":null}`;
}

async function refusal(path: string): Promise<StoreError> {
  const error = await openLowdbWatchStore(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

/**
 * Makes a directory unwritable. chmod does not stop root, so as root the directory is made
 * immutable with chattr +i (ext4/xfs/btrfs honour it for root too); otherwise chmod 0555.
 */
function makeReadOnly(path: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', path]);
    return () => execFileSync('chattr', ['-i', path]);
  }
  execFileSync('chmod', ['0555', path]);
  return () => execFileSync('chmod', ['0755', path]);
}

describe('openLowdbWatchStore()', () => {
  test('a file written before vantages is read as watches from the bot’s own network; vantages persist', async () => {
    const file = join(dir, 'before-vantages.json');
    await writeFile(
      file,
      `{"version":2,"watches":{"C0/h.test":${watchEntry('"open-starttls"')}},"history":{}}`,
    );
    const first = await openLowdbWatchStore(file);
    expect(await first.getWatch('C0', 'h.test')).not.toHaveProperty('vantages');
    expect(Object.keys(await first.getAlertStates('C0', 'h.test'))).toEqual(['25']);
    expect(await first.getVantageStates('C0', 'h.test')).toEqual({});
    await first.saveWatch({ ...(await first.getWatch('C0', 'h.test'))!, vantages: ['aws-eu'] });
    await first.saveAlertStates('C0', 'h.test', {}, undefined, { 'aws-eu': { 25: aState() } });
    await first.appendHistory(
      'h.test',
      25,
      { at: '2026-03-01T12:00:00.000Z', class: 'refused', usable: false },
      'aws-eu',
    );
    await first.close();
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(saved.history)).toEqual(['h.test:25@aws-eu']);
    const second = await openLowdbWatchStore(file);
    expect((await second.getWatch('C0', 'h.test'))?.vantages).toEqual(['aws-eu']);
    expect(await second.getVantageStates('C0', 'h.test')).toEqual({ 'aws-eu': { 25: aState() } });
    expect((await second.getHistory('h.test', 25, 'aws-eu'))?.samples).toBe('0');
    await second.close();
  });

  test('starts empty when the file is missing, creating its directory and the file', async () => {
    const file = join(dir, 'nested', 'deeper', 'smtp-check.json');
    const store = await openLowdbWatchStore(file);
    expect(await store.listWatches()).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: SCHEMA_VERSION,
      watches: {},
      history: {},
    });
    await store.close();
  });

  test('round-trips everything through the file', async () => {
    const file = join(dir, 'data.json');
    const first = await openLowdbWatchStore(file);
    await first.saveWatch(aWatch());
    await first.saveAlertStates(
      'C0WATCH',
      'smtp.example.test',
      { 25: aState({ phase: 'suspect', streak: 1 }) },
      anIncident(),
    );
    const mute = {
      channel: 'C0WATCH',
      host: 'smtp.example.test',
      until: '2026-03-02T00:00:00.000Z',
      by: 'U0LEAD',
    };
    await first.setMute('C0WATCH', 'smtp.example.test', mute);
    await first.appendHistory('smtp.example.test', 25, {
      at: '2026-03-01T12:00:00.000Z',
      class: 'filtered',
      usable: false,
    });
    await first.close();

    const second = await openLowdbWatchStore(file);
    expect(await second.listWatches()).toEqual([aWatch()]);
    expect(await second.getAlertStates('C0WATCH', 'smtp.example.test')).toEqual({
      25: aState({ phase: 'suspect', streak: 1 }),
    });
    expect(await second.getIncident('C0WATCH', 'smtp.example.test')).toEqual(anIncident());
    expect(await second.getMute('C0WATCH', 'smtp.example.test')).toEqual(mute);
    expect(await second.getHistory('smtp.example.test', 25)).toMatchObject({
      samples: '0',
      changes: [{ class: 'filtered' }],
    });
    await second.close();
  });

  test('is one instance per file per process', async () => {
    const file = join(dir, 'data.json');
    const store = await openLowdbWatchStore(file);
    expect((await refusal(file)).message).toMatch(/already open in this process/);
    await store.close();
    await (await openLowdbWatchStore(file)).close();
  });

  test('migrates a version 1 file and keeps a backup of it', async () => {
    const file = join(dir, 'data.json');
    const v1 = VERSION_1_FILE;
    await writeFile(file, v1);
    const store = await openLowdbWatchStore(file);
    expect(await store.listWatches()).toEqual([VERSION_1_WATCH]);
    await store.close();
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(SCHEMA_VERSION);
    expect(await readFile(`${file}.v1.bak`, 'utf8')).toBe(v1);
  });

  test.each([
    ['truncated JSON', '{"version":2,"watches":{"C0/h":{"chan', /is not valid JSON/],
    ['not an object', '[1,2,3]', /top level is not a JSON object/],
    // Valid JSON that is not a store: lowdb keeps its default for a falsy value, so these were
    // once accepted as an empty store and overwritten at the first watch.
    ['JSON null', 'null', /holds null, not smtp-check's watch data/],
    ['JSON false', 'false', /holds false, not smtp-check's watch data/],
    ['an empty list', '[]', /holds a list, not smtp-check's watch data/],
    [
      "another program's data",
      '{"name":"other-app","version":"1.2.0","dependencies":{}}',
      /no valid "version"/,
    ],
    ['no version', '{"watches":{}}', /no valid "version"/],
    ['a newer version', '{"version":99,"watches":{},"history":{}}', /newer smtp-check/],
    [
      'a malformed watch',
      '{"version":2,"watches":{"x":{"host":1}},"history":{}}',
      /watch "x", field "channel" is invalid: .*expected string/,
    ],
    // A class this version does not know once crashed later, when a message was drawn from it.
    [
      'an unknown class in an alert state',
      `{"version":2,"watches":{"C0/h.test":${watchEntry('"bogus-class"')}},"history":{}}`,
      /watch "C0\/h.test", alert state of port 25, field "class" is invalid \(found "bogus-class"\): .*expected one of/,
    ],
    [
      'an unknown class in history',
      '{"version":2,"watches":{},"history":{"h.test:25":["10",1772366400,[[1772366400,"warp",1]]]}}',
      /history "h.test:25", field "changes", change 1, item 2 is invalid \(found "warp"\)/,
    ],
    [
      'a version 1 watch without ports',
      '{"version":1,"watches":[{"channel":"C0","host":"h.test","user":"U0","createdAt":"2025-12-01T00:00:00.000Z"}]}',
      /schema version 1: watch 1, field "ports" is invalid/,
    ],
  ])('refuses %s without touching the file', async (_name, content, reason) => {
    const file = join(dir, 'data.json');
    await writeFile(file, content);
    const before = await stat(file);
    const error = await refusal(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(
      /left untouched: restore it from a backup, point DATA_FILE at another file, or move it away/,
    );
    expect(error.file).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(content);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    await expect(stat(join(dir, '.data.json.tmp'))).rejects.toThrow();
  });

  test('refuses a path whose parent is a file, naming it', async () => {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const error = await refusal(join(dir, 'not-a-dir', 'data.json'));
    expect(error.message).toMatch(
      /cannot create the directory .*not-a-dir\/data\.json: EEXIST.*path is a file/,
    );
  });

  test('reports a read-only directory at open and on write, leaving the previous file intact', async () => {
    const file = join(dir, 'data.json');
    const store = await openLowdbWatchStore(file);
    await store.saveWatch(aWatch());
    const before = await readFile(file, 'utf8');
    const undo = makeReadOnly(dir);
    try {
      const error = await store.saveWatch(aWatch({ host: 'new.example.test' })).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toMatch(
        new RegExp(`cannot write the data file ${file}: E(PERM|ACCES)`),
      );
      expect((error as StoreError).message).toMatch(/previous file is intact/);
      expect(await readFile(file, 'utf8')).toBe(before);
      // Memory was rolled back to what the file holds.
      expect(await store.getWatch('C0WATCH', 'new.example.test')).toBeNull();
      expect((await refusal(join(dir, 'other.json'))).message).toMatch(/other\.json/);
    } finally {
      undo();
    }
    await store.saveWatch(aWatch({ host: 'later.example.test' }));
    expect((await store.listWatches()).map((w) => w.host).sort()).toEqual([
      'later.example.test',
      'smtp.example.test',
    ]);
    await store.close();
  });

  test('reports a full disk with ENOSPC, leaving the previous file intact', async () => {
    const file = join(dir, 'data.json');
    const store = await openLowdbWatchStore(file);
    await store.saveWatch(aWatch());
    const before = await readFile(file, 'utf8');
    // lowdb writes a temp file next to the data file first; pointing it at /dev/full makes that write fail like a full disk.
    await symlink('/dev/full', join(dir, '.data.json.tmp'));
    await expect(store.saveWatch(aWatch({ host: 'new.example.test' }))).rejects.toThrow(
      new RegExp(`cannot write the data file ${file}: ENOSPC`),
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    await rm(join(dir, '.data.json.tmp'));
    await store.close();
  });
});

describe('openLowdbWatchStore() under kill -9', () => {
  const script = fileURLToPath(new URL('./fixtures/write-loop.ts', import.meta.url));

  async function runAndKill(file: string, first: number, killAfterMs: number): Promise<number[]> {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, file, String(first)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const committed: number[] = [];
    let buffered = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (/^\d+$/.test(line)) committed.push(Number(line));
        if (committed.length >= 20) resolve();
      });
    });
    // The kill moment is what varies between rounds; the test waits on events otherwise.
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    child.kill('SIGKILL');
    await exited;
    // Evidence of where the kill landed: a leftover temp file means inside a write.
    killedInsideWrite += existsSync(join(dir, `.${basename(file)}.tmp`)) ? 1 : 0;
    for (const line of buffered.split('\n')) if (/^\d+$/.test(line)) committed.push(Number(line));
    return committed;
  }

  let killedInsideWrite = 0;

  test('the file always parses and no committed watch is lost', async () => {
    const file = join(dir, 'crash.json');
    let next = 0;
    const committedHosts = new Set<string>();
    for (let round = 0; round < 5; round += 1) {
      const committed = await runAndKill(file, next, Math.floor(Math.random() * 80));
      for (const i of committed) committedHosts.add(`h${i}.example.test`);
      next = Math.max(next, ...committed) + 1;

      expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
      const store = await openLowdbWatchStore(file);
      const hosts = new Set((await store.listWatches()).map((w) => w.host));
      await store.close();
      for (const host of committedHosts) expect(hosts.has(host), `${host} lost in round ${round}`).toBe(true);
    }
    expect(committedHosts.size).toBeGreaterThanOrEqual(100);
    console.info(`kill -9 landed inside a write in ${killedInsideWrite} of 5 rounds`);
  });
});
