import type { PortClass } from '../probe/types.js';
import { assertNever } from '../util/assert-never.js';

/** A short human label for a port class, for port tables and verdict lines. */
export function describePortClass(portClass: PortClass): string {
  switch (portClass) {
    case 'open-starttls':
      return 'STARTTLS works';
    case 'open-implicit-tls':
      return 'implicit TLS works';
    case 'no-starttls':
      return 'plain SMTP, no STARTTLS';
    case 'starttls-stripped':
      return 'STARTTLS stripped by a middlebox';
    case 'filtered':
      return 'filtered (no answer)';
    case 'refused':
      return 'connection refused';
    case 'unreachable':
      return 'unreachable (ICMP)';
    case 'no-banner':
      return 'connected, no greeting';
    case 'slow-banner':
      return 'slow greeting';
    case 'greeting-rejected':
      return 'greeting rejected';
    case 'tls-handshake-failed':
      return 'TLS handshake failed';
    case 'implicit-tls-on-starttls-port':
      return 'implicit TLS (expected STARTTLS)';
    case 'plaintext-on-implicit-tls-port':
      return 'plain SMTP (expected implicit TLS)';
    case 'not-smtp':
      return 'not SMTP';
    case 'intercepted':
      return 'intercepted (transparent proxy)';
    case 'oversized-response':
      return 'oversized response';
    case 'dns-failed':
      return 'name does not resolve';
    case 'denied-by-policy':
      return 'not allowed by policy';
    default:
      return assertNever(portClass);
  }
}
