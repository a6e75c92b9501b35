import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cloneWorkingCommit,
  INSTALL_TIMEOUT_MS,
  mustRun,
  NPM_QUIET,
  type Ran,
  run,
} from './package-helpers.js';

// The README's production install: build once where the dev tools are (`npm ci`), then
// `npm ci --omit=dev` on a copy that has dist/ but no TypeScript or esbuild, and `npm start`.

let work: string;
let production: string;
let productionInstall: Ran;
let builtAt: number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'smtp-check-production-'));
  const clone = join(work, 'clone');
  cloneWorkingCommit(clone);
  await mustRun('npm', ['ci', ...NPM_QUIET], { cwd: clone, timeoutMs: INSTALL_TIMEOUT_MS });
  production = join(work, 'production');
  // What an operator copies to the server: the built folder, without the dev install.
  cpSync(clone, production, {
    recursive: true,
    filter: (source) =>
      !source.startsWith(join(clone, 'node_modules')) && !source.startsWith(join(clone, '.git')),
  });
  builtAt = statSync(join(production, 'dist/main.js')).mtimeMs;
  productionInstall = await run('npm', ['ci', '--omit=dev', ...NPM_QUIET], {
    cwd: production,
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
}, INSTALL_TIMEOUT_MS * 2);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm ci --omit=dev with a dist/ built before', () => {
  test('installs without the dev tools and says it keeps the build', () => {
    expect(productionInstall.stderr + productionInstall.stdout).toContain('not building');
    expect(productionInstall.exitCode).toBe(0);
    expect(existsSync(join(production, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(production, 'node_modules/@slack/bolt'))).toBe(true);
  });

  test('npm start runs the built bot: the console answers help and ends with its input', async () => {
    const started = await run('npm', ['start', '--silent'], {
      cwd: production,
      input: 'help\n',
      timeoutMs: 60_000,
    });
    expect(started.stdout).toContain('*What to type*');
    expect(started.stdout).toContain('/smtp-check watch <host>');
    expect(started.stderr).toContain('console mode: no Slack settings given');
    expect(started.exitCode).toBe(0);
    // It ran what was built, and built nothing.
    expect(statSync(join(production, 'dist/main.js')).mtimeMs).toBe(builtAt);
  }, 90_000);
});
