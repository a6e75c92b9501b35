#!/usr/bin/env node
// Runs the bot (`npm start` in a checkout, `npx smtp-check-bot` where the package is installed):
// Slack, or the local console when no Slack settings are given. It runs dist/ as built — it never
// builds — so a production install needs no dev tools and starts at once.
import module from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Node 22 and later keep compiled code between runs; Node 20 has no such cache.
module.enableCompileCache?.();

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'smtp-check: the bot is not built yet (no dist/main.js): run `npm run build` (or `npm ci`) in the repository first.\n',
  );
  process.exit(2);
}
await import(entry.href);
