import type { PortProbe } from '../../probe/types.js';
import { greetingLine, quote } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

/**
 * What refused the session. The class also covers a server that greeted with 220 and then refused
 * EHLO (or hung up on it): the evidence is then that reply, never the 220 greeting.
 */
function refusal(port: PortProbe): { said: string; code: number | null; atEhlo: boolean } {
  const failure = port.failure;
  if (failure && (failure.stage === 'ehlo' || failure.stage === 'tls-ehlo')) {
    const command = `${failure.stage === 'tls-ehlo' ? 'EHLO inside TLS' : 'EHLO'}${port.heloFallback ? ' and HELO' : ''}`;
    if (failure.kind === 'smtp-reply' && failure.replyCode !== undefined) {
      const text = failure.message.replace(/^\d{3}[ -]?/, '').trim();
      return {
        said: `greeted, then answered ${command} with ${failure.replyCode}${text ? ` ${quote(text)}` : ''}`,
        code: failure.replyCode,
        atEhlo: true,
      };
    }
    return {
      said: `greeted, then closed the connection at ${command} without a reply`,
      code: null,
      atEhlo: true,
    };
  }
  const code = port.greetingCode ?? failure?.replyCode ?? null;
  const text = greetingLine(port);
  return { said: `greeted with ${code ?? 'an error'}${text ? ` ${quote(text)}` : ''}`, code, atEhlo: false };
}

export const greetingRejected: PortRule = {
  id: 'greeting-rejected',
  check(port, scope) {
    if (port.class !== 'greeting-rejected') return [];
    const { said, code, atEhlo } = refusal(port);
    // 4xx is temporary (busy, rate limit); 5xx refuses this client, most often its IP address.
    if (code !== null && code >= 400 && code < 500) {
      return [
        finding(
          'greeting-rejected',
          'warning',
          port.port,
          `${port.port} ${said}: the server is busy or rate-limits this client, try later`,
          ['Wait and retry later; do not hammer the server (421 asks clients to back off).'],
        ),
      ];
    }
    // At EHLO the server may object to the name the client introduced itself with, not only its IP.
    const who = atEhlo
      ? 'the server refuses this client (its IP address, or the name it gave in EHLO)'
      : 'the server refuses the IP address this check runs from';
    return [
      finding(
        'greeting-rejected',
        classSeverity('greeting-rejected', scope.role),
        port.port,
        `${port.port} ${said}: ${who}`,
        [
          "Look the check's public IP address up on the blocklist the reply names (Spamhaus, Barracuda, …); the refusal is about that address, so a sender on another network may not be affected.",
          'If your sending servers share that address, request delisting, or relay through a provider.',
        ],
      ),
    ];
  },
};
