import { createRequire } from 'node:module';

let cached: string | undefined;

/**
 * This smtp-check's version, from package.json at run time (two folders up from src/util,
 * dist/util and the CLI bundle alike), so a worker's heartbeat says what it runs.
 */
export function smtpCheckVersion(): string {
  if (cached === undefined) {
    try {
      const data = createRequire(import.meta.url)('../../package.json') as { version?: unknown };
      cached = typeof data.version === 'string' ? data.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
