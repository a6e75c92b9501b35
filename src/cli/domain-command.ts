import { parseDomainWords } from '../check/index.js';
import { createProbePort25 } from '../check/probe-port25.js';
import { ConfigError, loadProbeSettings, loadTerminalSettings, type ProbeSettings } from '../config.js';
import { createPostureDns } from '../posture/dns.js';
import { createTransportDeps } from '../posture/transport-deps.js';
import { probeHost } from '../probe/probe-host.js';
import type { PostureRequest } from '../posture/types.js';
import { createCheckDomain } from '../posture-report/check-domain.js';
import type { DomainReport } from '../posture-report/types.js';
import { domainReportJson } from '../render/domain-json.js';
import { renderDomainText } from '../render/domain-terminal.js';
import { escapeControls } from '../text/sanitize.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE } from '../util/exit-codes.js';

// `smtp-check domain example.com [--selector s1,s2] [--ip A] [--json]`: the domain's sending
// posture from DNS (SPF, DKIM, DMARC, BIMI, MX, the mailbox providers' rules), as a report or JSON.

export const DOMAIN_USAGE = `usage: smtp-check domain <domain> [--selector s1,s2] [--ip ADDRESS] [--json]

  The domain's sending posture from DNS: SPF (the whole include tree and its
  DNS-lookup count), DKIM keys, DMARC (and its report destinations), BIMI and
  MX, and which of Gmail's, Yahoo's and Outlook.com's sender rules they meet.

  <domain>             example.com (you@example.com means its domain)
  --selector, -s LIST  DKIM selectors to look up; default: the usual ones of
                       the providers SPF and MX point to, and common ones.
                       Only a message's DKIM-Signature (s=) names it for sure.
  --ip ADDRESS         the address mail is sent from: the SPF result for it,
                       and its reverse DNS
  --json               one JSON object on stdout instead of the report
  --no-color           plain text even on a terminal
  --no-probe           DNS only: do not connect to the MX hosts' port 25
                       (their certificates, for DANE and MTA-STS, go unseen)

  Also: MTA-STS and TLS-RPT, DNSSEC (DNSSEC_RESOLVER, a validating resolver),
  DANE against each MX host's certificate from port 25, reverse DNS of the
  MX addresses and --ip, and DNS blocklists (DNSBL_ZONES, DNSBL_RESOLVER).

  The DNS server asked: DNS_RESOLVER, else DNS_SERVERS, else the system's.

exit codes: 0 nothing critical; 1 a critical finding; 2 bad input or settings`;

export interface DomainCommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  now?: () => Date;
}

type Parsed =
  | { help: true }
  | { error: string }
  | { request: PostureRequest; json: boolean; color: boolean; probe: boolean };

function parse(argv: string[]): Parsed {
  const words: string[] = [];
  let json = false;
  let color = true;
  let probe = true;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const [name = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg];
    if (name === '--help' || name === '-h') return { help: true };
    if (name === '--json') json = true;
    else if (name === '--no-color') color = false;
    else if (name === '--no-probe') probe = false;
    else if (name === '--selector' || name === '--selectors' || name === '-s' || name === '--ip') {
      if (inline === undefined) index += 1;
      const value = inline ?? argv[index];
      if (value === undefined || value === '') {
        const example = name === '--ip' ? '--ip 203.0.113.5' : '--selector s1,s2';
        return { error: `${name} needs a value, as in ${example}` };
      }
      words.push(name === '--ip' ? 'ip' : 'selector', value);
    } else if (arg.startsWith('-') && arg !== '-')
      return { error: `unknown option ${arg} (see smtp-check domain --help)` };
    else words.push(arg);
  }
  const parsed = parseDomainWords(words);
  // The chat's words (`ip 203.0.113.5`, `selector s1`) said as this command's options.
  if ('error' in parsed) {
    return {
      error: parsed.error.replace(
        /\b(as in|with|\d) (ip|selector) |\b(ip|selector) (?=needs|takes)/g,
        (_, before, word, bare) => (bare ? `--${bare} ` : `${before} --${word} `),
      ),
    };
  }
  return { request: parsed.request, json, color, probe };
}

/** 0 when nothing is critical, 1 when something is. */
export function domainExitCode(report: DomainReport): number {
  return report.verdict === 'critical' ? EXIT_PROBLEM : EXIT_OK;
}

export async function runDomainCommand(argv: string[], io: DomainCommandIo): Promise<number> {
  const parsed = parse(argv);
  if ('help' in parsed) {
    io.stdout.write(`${DOMAIN_USAGE}\n`);
    return EXIT_OK;
  }
  if ('error' in parsed) {
    io.stderr.write(`smtp-check domain: ${escapeControls(parsed.error)}\n`);
    return EXIT_USAGE;
  }
  let settings: ProbeSettings;
  let noColor: boolean;
  try {
    settings = loadProbeSettings(io.env);
    noColor = loadTerminalSettings(io.env).noColor;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`smtp-check: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const now = io.now ?? (() => new Date());
  const servers = settings.postureDnsServers;
  const probePort25 = createProbePort25({
    probeHost,
    limits: settings.limits,
    now,
  });
  const checkDomain = createCheckDomain({
    dns: () => createPostureDns(servers.length > 0 ? { servers } : {}),
    transport: () =>
      createTransportDeps({
        ...settings.transport,
        probePort25,
        probeMx: settings.transport.probeMx && parsed.probe,
      }),
    now,
  });
  const waiting = !parsed.json && io.stderr.isTTY === true;
  if (waiting) io.stderr.write(`asking DNS about ${parsed.request.domain}…`);
  const report = await checkDomain(parsed.request);
  if (waiting) io.stderr.write('\r\u001b[2K');
  if (parsed.json) io.stdout.write(`${JSON.stringify(domainReportJson(report), null, 2)}\n`);
  else {
    const color = parsed.color && !noColor && io.stdout.isTTY === true;
    io.stdout.write(renderDomainText(report, { color, width: io.stdout.columns ?? 80 }));
  }
  return domainExitCode(report);
}
