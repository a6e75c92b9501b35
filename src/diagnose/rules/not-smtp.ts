import { greetingLine, quote } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

// Services a mail port is commonly mistaken for, known by their first bytes (nmap's service
// probes match the same openings).
const SERVICES: Array<[RegExp, string]> = [
  [/^HTTP\/\d/, 'an HTTP server'],
  [/^SSH-\d/, 'an SSH server'],
  [/^\* (?:OK|PREAUTH|BYE)/i, 'an IMAP server'],
  [/^\+OK/, 'a POP3 server'],
  [/^[\x15\x16]\x03/, 'a TLS server'],
];

/** "an HTTP server", from the first bytes a port sent; null when they name nothing known. */
export function serviceFromFirstBytes(firstBytes: string): string | null {
  return SERVICES.find(([pattern]) => pattern.test(firstBytes))?.[1] ?? null;
}

export const notSmtp: PortRule = {
  id: 'not-smtp',
  check(port, scope) {
    if (port.class !== 'not-smtp') return [];
    // What the server said is the evidence: its first line, never a TLS library's error text.
    const failure =
      port.failure?.firstBytes !== undefined ? port.failure : (port.firstAttempt?.failure ?? null);
    const firstBytes = failure?.firstBytes;
    const said =
      firstBytes === undefined
        ? (greetingLine(port) ?? port.failure?.message ?? null)
        : firstBytes.split(/\r?\n/)[0]!;
    const service = firstBytes === undefined ? null : serviceFromFirstBytes(firstBytes);
    // It answered only once spoken to: say so, so the quote is not taken for a greeting.
    const prompted =
      failure?.stage === 'tls-handshake' ? ' (its answer to a TLS hello; it sent nothing before)' : '';
    const quoted = said ? quote(said, 80) : null;
    return [
      finding(
        'not-smtp',
        classSeverity('not-smtp', scope.role),
        port.port,
        service
          ? `${service} answers on ${port.port}${quoted ? `: ${quoted}` : ''}${prompted}`
          : `${port.port} answers, but not in SMTP${quoted ? `: ${quoted}` : ''}${prompted}`,
        [
          `${service ? `This is not a mail server: ${service} holds ${port.port}` : `Another service (HTTP, SSH, …) holds ${port.port}`}. Check the host and port, or the port forwarding in front of it.`,
        ],
      ),
    ];
  },
};
