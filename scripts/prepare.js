// `npm ci` and `npm install` in a checkout run this (the `prepare` script): with the dev tools
// installed it builds dist/; a production install (`npm ci --omit=dev`) has no TypeScript or
// esbuild, so it keeps the dist/ built before — and fails here, with what to do, when there is none,
// rather than at the first `npm start`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// What `npm start` (the bot) and `smtp-check` (the CLI bundle) load.
const BUILT = ['dist/main.js', 'dist/cli-bundle/main.js'];
const BUILD_TOOLS = ['typescript', 'esbuild'];

function installed(name) {
  try {
    createRequire(`${root}package.json`).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function runBuild() {
  // npm names its own entry point to the scripts it runs; `npm` itself is a .cmd on Windows,
  // which only a shell can start.
  const npmCli = process.env.npm_execpath;
  const [command, args, shell] = npmCli
    ? [process.execPath, [npmCli, 'run', '--silent', 'build'], false]
    : ['npm', ['run', '--silent', 'build'], process.platform === 'win32'];
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const missingTools = BUILD_TOOLS.filter((name) => !installed(name));
if (missingTools.length === 0) {
  process.exit(runBuild());
}

const missingFiles = BUILT.filter((file) => !existsSync(`${root}${file}`));
if (missingFiles.length > 0) {
  process.stderr.write(
    `smtp-check: cannot build: ${missingTools.join(' and ')} ${missingTools.length === 1 ? 'is' : 'are'} not installed ` +
      `(a production install, npm ci --omit=dev), and there is no ${missingFiles.join(' or ')} built before.\n` +
      'smtp-check: build first, where the dev tools are installed (npm ci, or npm run build), then copy ' +
      'dist/ here and run npm ci --omit=dev again.\n',
  );
  process.exit(1);
}
process.stderr.write(
  `smtp-check: not building (${missingTools.join(' and ')} not installed, as in npm ci --omit=dev): ` +
    'npm start runs the dist/ built before.\n',
);
