import { greetingLine, quote } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

export const greetingRejected: PortRule = {
  id: 'greeting-rejected',
  check(port, scope) {
    if (port.class !== 'greeting-rejected') return [];
    const code = port.greetingCode ?? port.failure?.replyCode ?? null;
    const text = greetingLine(port);
    const said = `${code ?? 'an error'}${text ? ` ${quote(text)}` : ''}`;
    // 4xx is temporary (busy, rate limit); 5xx refuses this client, most often its IP address.
    if (code !== null && code >= 400 && code < 500) {
      return [
        finding(
          'greeting-rejected',
          'warning',
          port.port,
          `${port.port} greeted with ${said}: the server is busy or rate-limits this client, try later`,
          ['Wait and retry later; do not hammer the server (421 asks clients to back off).'],
        ),
      ];
    }
    return [
      finding(
        'greeting-rejected',
        severityForRole(scope.role, 'critical'),
        port.port,
        `${port.port} greeted with ${said}: the server refuses the IP address this check runs from`,
        [
          "Look the check's public IP address up on the blocklist the reply names (Spamhaus, Barracuda, …); the refusal is about that address, so a sender on another network may not be affected.",
          'If your sending servers share that address, request delisting, or relay through a provider.',
        ],
      ),
    ];
  },
};
