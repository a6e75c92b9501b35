import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { loadEnvFile } from '../src/env-file.js';
import { validateSchedule } from '../src/watch/index.js';

// .env.example is copied to .env and loaded either by `npm start` (Node's dotenv parser) or by a
// shell (`set -a; . ./.env`). Both must give the defaults the code uses when nothing is set.

const EXAMPLE = fileURLToPath(new URL('../.env.example', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'smtp-check-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const validators = {
  validateSchedule: (expression: string) => {
    const check = validateSchedule(expression);
    return check.ok ? null : check.error;
  },
};

/** The variables a shell exports after sourcing the file, in a folder with files a glob would match. */
function sourcedByShell(file: string): Record<string, string> {
  copyFileSync(file, join(dir, '.env'));
  for (const name of ['a-file', 'another-file']) writeFileSync(join(dir, name), '');
  const before = execFileSync('env', ['-i', 'bash', '-c', 'env -0'], { cwd: dir, encoding: 'utf8' });
  const after = execFileSync('env', ['-i', 'bash', '-c', 'set -a; . ./.env; set +a; env -0'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const parse = (text: string) =>
    Object.fromEntries(
      text
        .split('\0')
        .filter((entry) => entry !== '')
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  const shellOwn = parse(before);
  return Object.fromEntries(Object.entries(parse(after)).filter(([name]) => !(name in shellOwn)));
}

describe('.env.example', () => {
  const byNode = parseEnv(readFileSync(EXAMPLE, 'utf8')) as Record<string, string>;

  test('Node and a shell read every value the same', () => {
    const byShell = sourcedByShell(EXAMPLE);
    expect(Object.keys(byNode).length).toBeGreaterThan(20);
    expect(byShell).toEqual(byNode);
    expect(byShell['CHECK_SCHEDULE']).toBe('*/15 * * * *');
  });

  test('loaded either way, it gives the defaults the code uses with nothing set', () => {
    // The target policy is a closure built from allowTargets, which is compared as data.
    const settings = (env: Record<string, string>) => {
      const { policy: _policy, ...rest } = loadConfig(env, validators);
      return rest;
    };
    const defaults = settings({});
    expect(settings(byNode)).toEqual(defaults);
    expect(settings(sourcedByShell(EXAMPLE))).toEqual(defaults);
  });
});

describe('loadEnvFile()', () => {
  test('fills in what the environment lacks; what it already has wins, even when empty', () => {
    const file = join(dir, 'precedence.env');
    writeFileSync(file, "A=from-file\nB=from-file\nC='*/5 * * * *'\n# a comment\n");
    const env: Record<string, string | undefined> = { A: 'from-env', B: '' };
    expect(loadEnvFile(file, env)).toEqual({ kind: 'loaded', path: file, applied: ['C'] });
    expect(env).toEqual({ A: 'from-env', B: '', C: '*/5 * * * *' });
  });

  test('a missing file is not an error; an unreadable one is reported', () => {
    expect(loadEnvFile(join(dir, 'nope.env'), {})).toEqual({ kind: 'missing' });
    expect(loadEnvFile(dir, {})).toMatchObject({ kind: 'unreadable', path: dir });
  });
});
