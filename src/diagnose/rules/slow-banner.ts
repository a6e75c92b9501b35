import { formatMs } from '../evidence.js';
import { finding, type PortRule } from '../rule.js';
import { classSeverity } from '../knowledge/port-classes.js';

/** A greet pause is deliberate anti-spam practice (postscreen, Exim, Kerio), so it is information. */
export const slowBanner: PortRule = {
  id: 'slow-banner',
  check(port, scope) {
    if (port.class !== 'slow-banner') return [];
    const failure = port.failure;
    // The class also covers a server that greets and then never answers EHLO (a tarpit): the
    // greeting was not the slow part, and the session carried nothing.
    if (failure?.kind === 'timeout' && (failure.stage === 'ehlo' || failure.stage === 'tls-ehlo')) {
      const greeted = port.timings.greeting === undefined ? '' : ` in ${formatMs(port.timings.greeting)}`;
      const waited = port.timings[failure.stage];
      const command = failure.stage === 'tls-ehlo' ? 'EHLO inside TLS' : 'EHLO';
      return [
        finding(
          'slow-banner',
          classSeverity('slow-banner', scope.role),
          port.port,
          `${port.port} greeted${greeted}, then gave no answer to ${command}${waited === undefined ? '' : ` within ${formatMs(waited)}`}: a tarpit or an overloaded server`,
          [
            "Retry later; if it persists, ask the server's admin: tarpits of this kind are usually aimed at the client's IP address, and clients give up at their own timeout.",
          ],
        ),
      ];
    }
    const after = port.timings.greeting === undefined ? 'late' : `after ${formatMs(port.timings.greeting)}`;
    return [
      finding(
        'slow-banner',
        'info',
        port.port,
        `${port.port} greeted only ${after}: a greet pause (anti-spam), not a fault`,
        [
          'Give clients a greeting timeout longer than the pause (nodemailer greetingTimeout, 30 s by default); RFC 5321 allows 5 minutes.',
        ],
      ),
    ];
  },
};
