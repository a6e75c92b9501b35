import { parseArgs } from 'node:util';
import { type CheckRequest, parseCheckRequest, parsePorts } from '../check/index.js';

export const USAGE = `usage: smtp-check <host> [--ports 25,465,587,2525] [--json] [--timeout-ms N] [--mx]

  <host>            host name, IP address, host:port, or user@domain (checks the domain's MX hosts)
  --ports, -p LIST  comma-separated ports (default 25,465,587,2525 plus the provider's alternates)
  --json            print one JSON object on stdout instead of the report
  --timeout-ms N    timeout for every stage (connect, greeting, each reply), in milliseconds
  --mx              probe the domain's MX hosts instead of the name itself
  --no-color        plain text even on a terminal
  --help, -h        this text

exit codes: 0 a submission port is usable and nothing is critical; 1 a critical finding or no usable
port; 2 bad input or settings`;

export type CliArgs =
  | { kind: 'help' }
  | { kind: 'check'; request: CheckRequest; json: boolean; color: boolean }
  | { kind: 'error'; message: string };

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length === 0) return { kind: 'error', message: 'no host given' };
  if (positionals.length > 1) {
    return {
      kind: 'error',
      message: `one host per run (got ${positionals.join(' ')}); use --ports for ports`,
    };
  }

  const target = parseCheckRequest(positionals[0] ?? '');
  if (!target.ok) return { kind: 'error', message: target.error };
  const request: CheckRequest = { ...target.request };
  if (values.ports !== undefined) {
    const ports = parsePorts(values.ports);
    if ('error' in ports) return { kind: 'error', message: `--ports: ${ports.error}` };
    if (ports.ports.length === 0) return { kind: 'error', message: '--ports needs at least one port' };
    request.ports = [...new Set([...request.ports, ...ports.ports])];
  }
  if (values.mx) request.mx = 'force';
  if (values['timeout-ms'] !== undefined) {
    const text = values['timeout-ms'];
    const timeout = Number(text);
    if (!/^\d+$/.test(text) || timeout < 100 || timeout > 300_000) {
      return {
        kind: 'error',
        message: `--timeout-ms must be a whole number of milliseconds from 100 to 300000`,
      };
    }
    request.timeoutMs = timeout;
  }
  return { kind: 'check', request, json: values.json === true, color: values['no-color'] !== true };
}

const OPTIONS = {
  ports: { type: 'string', short: 'p' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  mx: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
