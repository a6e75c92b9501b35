import type { PortProbe } from '../probe/types.js';
import type { Port25Evidence } from './transport-types.js';

// Our port-25 probe of an MX host, reduced to what the transport checks compare: the names it
// gave, whether STARTTLS completed, the certificate. The probe is the existing engine's (it waits
// for the greeting, as real MTAs demand), so a slow greeting is never taken for a wrong one.

/** Host names are at most 253 characters; a longer first word is not a name. */
const MAX_NAME = 253;

/** The first word of a reply line (`mx.example.com ESMTP ready` → `mx.example.com`), or null. */
export function nameOf(line: string | null | undefined): string | null {
  const word = line?.trim().split(/\s+/)[0] ?? '';
  return word.length > 0 && word.length <= MAX_NAME ? word : null;
}

/** The greeting's first line without its `220 ` / `220-` code. */
function greetingLine(greeting: string | null): string | null {
  const first = greeting?.split('\n')[0];
  return first === undefined ? null : first.replace(/^\d{3}[ -]?/, '');
}

export function port25EvidenceOf(exchange: string, probe: PortProbe): Port25Evidence {
  const tls = probe.tls !== null && probe.certificate !== null;
  return {
    exchange,
    address: probe.address,
    port: probe.port,
    class: probe.class,
    greetingName: nameOf(greetingLine(probe.greeting)),
    ehloName: nameOf(probe.ehloGreeting),
    tls,
    certificate: probe.certificate,
    ...(probe.failure ? { problem: probe.failure.message } : {}),
  };
}

/** Evidence for an MX host that was not dialled, and why. */
export function notProbed(exchange: string, port: number, problem: string): Port25Evidence {
  return {
    exchange,
    address: null,
    port,
    class: 'not-probed',
    greetingName: null,
    ehloName: null,
    tls: false,
    certificate: null,
    problem,
  };
}

/**
 * The server itself answered SMTP and did not give us TLS: no STARTTLS offered, or a handshake that
 * failed. A port we could not reach (blocked on our side, filtered, intercepted) says nothing about
 * the server's TLS, so it never counts here.
 */
export function serverRefusedTls(evidence: Port25Evidence): boolean {
  return evidence.class === 'no-starttls' || evidence.class === 'tls-handshake-failed';
}

/** The probe received a certificate to judge. */
export function sawCertificate(evidence: Port25Evidence): boolean {
  return evidence.tls && evidence.certificate !== null;
}
