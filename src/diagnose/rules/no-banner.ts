import { formatMs, quote } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

export const noBanner: PortRule = {
  id: 'no-banner',
  check(port, scope) {
    if (port.class !== 'no-banner') return [];
    const severity = classSeverity('no-banner', scope.role);
    const connected = port.timings.connect === undefined ? '' : ` in ${formatMs(port.timings.connect)}`;
    const plain = port.firstAttempt?.mode === 'starttls' ? port.firstAttempt.failure : port.failure;
    // A line begun and never finished: the bytes it sent are the evidence.
    if (plain?.stage === 'greeting' && plain.firstBytes !== undefined) {
      return [
        finding(
          'no-banner',
          severity,
          port.port,
          `${port.port} began a line and never finished it: all it sent was ${quote(plain.firstBytes, 80)}`,
          [
            `A server that sends its greeting a byte at a time is a tarpit or a broken proxy: check what listens on ${port.port} and the logs of the mail server behind it.`,
          ],
        ),
      ];
    }
    // A TLS handshake worked and then nothing was said inside TLS either: a TLS service, not SMTP.
    if (port.tls && port.greeting === null) {
      const subject = port.certificate?.subject
        ? ` (certificate ${quote(port.certificate.subject, 80)})`
        : '';
      return [
        finding(
          'no-banner',
          severity,
          port.port,
          `${port.port} said nothing in plain text, completed a TLS handshake${subject}, and said nothing inside TLS either: a TLS service that waits for its client (HTTPS behaves so), not an SMTP server`,
          [
            `Check the host and port: ${port.port} is held by something other than a mail server, or by a proxy that forwards nowhere.`,
          ],
        ),
      ];
    }
    // An SMTP reply to a TLS hello after a long silence: an SMTP server that greets very late.
    const hello = port.failure?.stage === 'tls-handshake' ? port.failure.firstBytes : undefined;
    if (hello !== undefined) {
      return [
        finding(
          'no-banner',
          severity,
          port.port,
          `${port.port} accepted the connection${connected} and sent no greeting, then answered a TLS hello in plain SMTP: ${quote(hello.split(/\r?\n/)[0]!, 80)}`,
          [
            `An SMTP server holds ${port.port} but greets later than clients wait: check its greet delay (postscreen_greet_wait, smtp_banner delays) and its load.`,
          ],
        ),
      ];
    }
    const waited = port.timings.greeting === undefined ? '' : ` after ${formatMs(port.timings.greeting)}`;
    return [
      finding(
        'no-banner',
        severity,
        port.port,
        `${port.port} accepted the connection${connected} but said nothing${waited}, with or without TLS`,
        [
          `Something listens on ${port.port} but does not speak SMTP first: check the mail server's logs and that no load balancer or proxy holds the connection.`,
        ],
      ),
    ];
  },
};
