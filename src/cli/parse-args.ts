import { type CheckRequest, parseCheckWords } from '../check/index.js';
import { splitVantageWords, type VantageSelection } from '../chat/use-cases/vantage-words.js';

export const USAGE = `usage: smtp-check <host> [ports] [--ports LIST] [--json] [--timeout-ms N]
       smtp-check domain <domain> [--selector s1,s2] [--ip A] [--json]
       smtp-check store import <data file>  (the JSON file into DATABASE_URL)
       smtp-check health                    (DATABASE_URL up, schema current)
       smtp-check worker --vantage NAME     (a probe worker in another network)
       smtp-check worker-role ROLE --vantage NAME  (a role bound to one vantage)
       smtp-check history <host> [--png FILE]  (a watched host's history)
       Each of these takes --help.

  <host>            host name, IP address, host:port, [IPv6]:port,
                    smtp://host:587 (STARTTLS), smtps://host:465 (implicit TLS),
                    or user@domain (checks the domain's MX hosts)
  [ports]           ports after the host: smtp-check smtp.example.com 25,587
  --ports, -p LIST  comma-separated ports (default 25,465,587,2525 plus the
                    provider's alternates); at most 12 ports however named
  --json            print one JSON object on stdout instead of the report
  --timeout-ms N    timeout for every stage (connect, greeting, each reply), ms
  --mx              probe the domain's MX hosts instead of the name itself
  --user NAME       log in on the recommended port (or the ports given) with
                    nodemailer; the password comes from a prompt on a terminal,
                    or from SMTP_PASSWORD
  --from ADDRESS    with --to: send one labelled test message and show the SMTP
  --to ADDRESS      transcript (one recipient; AUTH lines redacted); with
                    --user it logs in first
  --from NAMES      probe from these vantages too (aws-eu,office or all): the
                    bot's workers in other networks answer through
                    DATABASE_URL; with --json they are in vantages[]
  --no-color        plain text even on a terminal
  --help, -h        this text

exit codes: 0 a submission port is usable and nothing is critical; 1 a critical
finding, no usable port, or a failed login or send test; 2 bad input or
settings; 3 otherwise fine, but a vantage asked with --from gave no verdict
(no worker, no answer in time, refused or failed)`;

export type CliArgs =
  | { kind: 'help' }
  | {
      kind: 'check';
      request: CheckRequest;
      json: boolean;
      color: boolean;
      /** The credential test's user name (`--user`). */
      user?: string;
      /** The send test's envelope (`--from ADDRESS` and `--to`). */
      send?: { from: string; to: string };
      /** The vantages to probe from as well (`--from NAMES`: no @ in it). */
      vantages?: VantageSelection;
    }
  | { kind: 'error'; message: string };

type OptionName = 'ports' | 'json' | 'timeout-ms' | 'mx' | 'no-color' | 'help' | 'user' | 'from' | 'to';

const OPTIONS: Record<OptionName, { takesValue: boolean; short?: string; example?: string }> = {
  ports: { takesValue: true, short: 'p', example: '--ports 25,587' },
  json: { takesValue: false },
  'timeout-ms': { takesValue: true, example: '--timeout-ms 5000' },
  mx: { takesValue: false },
  'no-color': { takesValue: false },
  help: { takesValue: false, short: 'h' },
  user: { takesValue: true, example: '--user alice@example.com' },
  from: { takesValue: true, example: '--from you@example.com' },
  to: { takesValue: true, example: '--to someone@example.net' },
};

/** A password on the command line would sit in shell history and in `ps` for every user to read. */
const PASSWORD_OPTION = /^--?(pass(word)?|pw|secret)(=|$)/i;

const isOptionName = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/**
 * Splits argv into options and words, in the project's own words. node:util's parseArgs was
 * not used: it refuses `--ports -1` with its own message about ambiguous dashes, where the
 * person needs to hear that -1 is not a port. A value option takes the next argument as it is.
 */
function splitArgv(
  argv: string[],
): { values: Partial<Record<OptionName, string | true>>; words: string[] } | { error: string } {
  const values: Partial<Record<OptionName, string | true>> = {};
  const words: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      words.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    if (PASSWORD_OPTION.test(arg)) {
      return {
        error:
          'passwords are never taken from the command line (shell history and ps would show it): set SMTP_PASSWORD, or run on a terminal and answer the prompt',
      };
    }
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const name = long
      ? long[1]
      : (Object.entries(OPTIONS).find(([, option]) => option.short === arg.slice(1, 2))?.[0] ?? null);
    if (
      name === null ||
      name === undefined ||
      !isOptionName(name) ||
      (!long && arg.length > 2 && !OPTIONS[name].takesValue)
    ) {
      return { error: `unknown option ${arg.replace(/=.*$/s, '')}` };
    }
    const option = OPTIONS[name];
    let value: string | undefined = long ? long[2] : arg.length > 2 ? arg.slice(2) : undefined;
    if (!option.takesValue) {
      if (value !== undefined) return { error: `--${name} takes no value` };
      values[name] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined || value === '') {
      return { error: `--${name} needs a value, as in ${option.example}` };
    }
    values[name] = value;
  }
  return { values, words };
}

export function parseCliArgs(argv: string[]): CliArgs {
  const split = splitArgv(argv);
  if ('error' in split) return { kind: 'error', message: split.error };
  const { values, words } = split;
  if (values.help) return { kind: 'help' };

  const ports = values.ports;
  const parsed = parseCheckWords(words, {
    ...(typeof ports === 'string' ? { ports } : {}),
    mx: values.mx === true,
  });
  if (!parsed.ok) return { kind: 'error', message: parsed.error };
  const request: CheckRequest = { ...parsed.request };
  const text = values['timeout-ms'];
  if (typeof text === 'string') {
    const timeout = Number(text);
    if (!/^\d+$/.test(text) || timeout < 100 || timeout > 300_000) {
      return {
        kind: 'error',
        message: '--timeout-ms must be a whole number of milliseconds from 100 to 300000',
      };
    }
    request.timeoutMs = timeout;
  }
  const { user, to } = values;
  // `--from` is a sender address (it has an @) for the send test, or the vantages to probe from.
  let from = values.from;
  let vantages: VantageSelection | undefined;
  if (typeof from === 'string' && !from.includes('@')) {
    const split = splitVantageWords(['host', 'from', from]);
    if ('error' in split) return { kind: 'error', message: `--from: ${split.error.replaceAll('`', '')}` };
    vantages = split.selection ?? undefined;
    from = undefined;
  }
  if (vantages && typeof to === 'string') {
    return {
      kind: 'error',
      message:
        '--to needs the sender as --from ADDRESS (an address, with an @); a --from without an @ names vantages to probe from',
    };
  }
  if ((typeof from === 'string') !== (typeof to === 'string')) {
    return {
      kind: 'error',
      message:
        'a send test needs both --from and --to, as in --from you@example.com --to someone@example.net',
    };
  }
  for (const [flag, address] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (typeof address === 'string' && !/^[^\s@,<>]+@[^\s@,<>]+$/.test(address)) {
      return {
        kind: 'error',
        message: `${flag} ${address} is not one e-mail address (one recipient per send test)`,
      };
    }
  }
  return {
    kind: 'check',
    request,
    json: values.json === true,
    color: values['no-color'] !== true,
    ...(typeof user === 'string' ? { user } : {}),
    ...(typeof from === 'string' && typeof to === 'string' ? { send: { from, to } } : {}),
    ...(vantages ? { vantages } : {}),
  };
}
