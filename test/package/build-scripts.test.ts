import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { REPO, run, userEnv } from './package-helpers.js';

// The two scripts behind "build once, run many", each copied into a folder of its own: what they
// do with and without the dev tools and a dist/, in a second instead of an npm install.

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'smtp-check-scripts-'));
  for (const file of ['scripts/prepare.js', 'bin/smtp-check-bot.js']) {
    mkdirSync(join(folder, file, '..'), { recursive: true });
    copyFileSync(join(REPO, file), join(folder, file));
  }
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({
      name: 'smtp-check',
      type: 'module',
      scripts: { build: `node -e "require('node:fs').writeFileSync('built', 'yes')"` },
    }),
  );
});

afterEach(() => rmSync(folder, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(join(folder, file, '..'), { recursive: true });
  writeFileSync(join(folder, file), text);
}

const prepare = () => run(process.execPath, ['scripts/prepare.js'], { cwd: folder });

describe('scripts/prepare.js (npm ci runs it)', () => {
  test('builds when TypeScript and esbuild are installed', async () => {
    write('node_modules/typescript/package.json', '{"name":"typescript"}');
    write('node_modules/esbuild/package.json', '{"name":"esbuild"}');
    const prepared = await prepare();
    expect(prepared.exitCode).toBe(0);
    expect(readFileSync(join(folder, 'built'), 'utf8')).toBe('yes');
  });

  test('without the dev tools, keeps a dist/ built before and says so', async () => {
    write('dist/main.js', '');
    write('dist/cli-bundle/main.js', '');
    const prepared = await prepare();
    expect(prepared.stderr).toContain('not building');
    expect(prepared.stderr).toContain('npm start runs the dist/ built before');
    expect(prepared.exitCode).toBe(0);
    expect(existsSync(join(folder, 'built'))).toBe(false);
  });

  test('without the dev tools and without dist/, fails and says to build first', async () => {
    write('dist/main.js', '');
    const prepared = await prepare();
    expect(prepared.stderr).toContain('no dist/cli-bundle/main.js built before');
    expect(prepared.stderr).toContain('build first');
    expect(prepared.exitCode).toBe(1);
  });
});

describe('bin/smtp-check-bot.js (npm start)', () => {
  test('runs dist/main.js as built', async () => {
    write('dist/main.js', "process.stdout.write('the built bot\\n');");
    const started = await run(process.execPath, ['bin/smtp-check-bot.js'], { cwd: folder, env: userEnv() });
    expect(started.stdout).toBe('the built bot\n');
    expect(started.exitCode).toBe(0);
  });

  test('without a build, says to run npm run build (exit 2)', async () => {
    const started = await run(process.execPath, ['bin/smtp-check-bot.js'], { cwd: folder, env: userEnv() });
    expect(started.stderr).toContain('run `npm run build`');
    expect(started.exitCode).toBe(2);
  });
});
