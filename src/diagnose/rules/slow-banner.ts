import { formatMs } from '../evidence.js';
import { finding, type PortRule } from '../rule.js';

/** A greet pause is deliberate anti-spam practice (postscreen, Exim, Kerio), so it is information. */
export const slowBanner: PortRule = {
  id: 'slow-banner',
  check(port) {
    if (port.class !== 'slow-banner') return [];
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
