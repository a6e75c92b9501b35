// Reads a dotenv file (`./.env` for `npm start`) the way Node's own parser does, so a value means the
// same with `process.loadEnvFile()`, `node --env-file` and this loader.

import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export type EnvFileResult =
  | { kind: 'missing' }
  | { kind: 'loaded'; path: string; applied: string[] }
  | { kind: 'unreadable'; path: string; message: string };

/**
 * Copies the file's settings into env, except those env already has (even when empty): what the
 * shell or the service manager sets wins over the file, as with dotenv and `node --env-file`.
 * Implemented on util.parseEnv rather than process.loadEnvFile so the precedence is ours, not the
 * Node version's, and so the caller learns which settings came from the file.
 */
export function loadEnvFile(path: string, env: Record<string, string | undefined>): EnvFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', path, message: (error as Error).message };
  }
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (name in env) continue;
    env[name] = value;
    applied.push(name);
  }
  return { kind: 'loaded', path, applied };
}
