import { createRequire } from 'node:module';

let cached: string | undefined;

/**
 * The installed nodemailer's version, read from its package.json at run time, so a result says which
 * nodemailer actually checked it (an upgrade changes the answer without a change here).
 */
export function nodemailerVersion(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    const data = require('nodemailer/package.json') as { version?: unknown };
    cached = typeof data.version === 'string' ? data.version : 'unknown';
  }
  return cached;
}
