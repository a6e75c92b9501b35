#!/usr/bin/env node
// Runs the CLI, bundled into one file by `npm run build` (`npm ci` builds through the `prepare`
// script): loading one file instead of about 150 modules saves most of a start-up.
import module from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Node 22 and later keep compiled code between runs; Node 20 has no such cache.
module.enableCompileCache?.();

const entry = new URL('../dist/cli-bundle/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'smtp-check is not built yet: run `npm ci` (or `npm run build`) in the repository first.\n',
  );
  process.exit(2);
}
await import(entry.href);
