import { execFile, execFileSync } from 'node:child_process';

// nmap is the reference an engineer would run instead. The bench compares with it on the same host
// in the same namespace; without it the ratio column says "not run".

export const NMAP_SCRIPTS = 'smtp-commands,ssl-cert';

/**
 * Makes sure nmap is installed, with apt-get when it is missing (saying so). Returns the version
 * line, or null with the reason when it cannot be had.
 */
export function ensureNmap(log: (line: string) => void): { version: string } | { missing: string } {
  const version = (): string | null => {
    try {
      return execFileSync('nmap', ['--version'], { stdio: 'pipe' }).toString().split('\n')[0]!.trim();
    } catch {
      return null;
    }
  };
  const found = version();
  if (found) return { version: found };
  log('nmap is not installed: running `apt-get install -y nmap`');
  try {
    execFileSync('apt-get', ['install', '-y', 'nmap'], { stdio: 'pipe', timeout: 300_000 });
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return { missing: `apt-get install -y nmap failed: ${detail.split('\n').at(-1)}` };
  }
  const installed = version();
  return installed ? { version: installed } : { missing: 'nmap still not found after apt-get' };
}

export interface NmapRun {
  ms: number;
  /** `25/tcp filtered smtp`-style port lines, to show nmap saw what we saw. */
  portLines: string[];
}

/**
 * `nmap -sT -Pn -n -p… --script smtp-commands,ssl-cert <address>`, timed from spawn to exit.
 * `-n` (no reverse DNS) only makes nmap faster; inside a loopback-only namespace there is no DNS.
 */
export function runNmap(address: string, ports: number[]): Promise<NmapRun> {
  const args = ['-sT', '-Pn', '-n', `-p${ports.join(',')}`, '--script', NMAP_SCRIPTS, address];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('nmap', args, { timeout: 120_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const ms = performance.now() - started;
      if (error) {
        reject(new Error(`nmap ${args.join(' ')} failed: ${stderr || error.message}`));
        return;
      }
      const portLines = stdout.split('\n').filter((line) => /^\d+\/tcp\s/.test(line));
      resolve({ ms, portLines: portLines.map((line) => line.replace(/\s+/g, ' ').trim()) });
    });
  });
}
