import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireInfrastructure } from './postgres.js';

// pyspf, an independent SPF implementation, run against the same local DNS server as the code
// under test. Debian's python3 has it; the python3 first on PATH may be another one without it.

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pyspf-check.py', import.meta.url));
const run = promisify(execFile);

export interface PyspfCheck {
  ip: string;
  sender: string;
  helo: string;
}

export interface PyspfAnswer {
  result: string;
  lookups: number;
  void_lookups: number;
  explanation: string;
}

async function pyspfUnavailable(): Promise<string | null> {
  try {
    await run(PYTHON, ['-c', 'import spf'], { timeout: 10_000 });
    return null;
  } catch (error) {
    return `${PYTHON} cannot import spf (install python3-spf): ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Null when pyspf can be used; otherwise see requireInfrastructure(). */
export async function requirePyspf(): Promise<string | null> {
  return requireInfrastructure('pyspf', await pyspfUnavailable());
}

/** pyspf's answers for each check, asking only the DNS server at `server` (`127.0.0.1:<port>`). */
export async function pyspfCheck(server: string, checks: PyspfCheck[]): Promise<PyspfAnswer[]> {
  const port = server.slice(server.lastIndexOf(':') + 1);
  const { stdout } = await run(PYTHON, [SCRIPT, port, JSON.stringify(checks)], { timeout: 60_000 });
  return JSON.parse(stdout) as PyspfAnswer[];
}
