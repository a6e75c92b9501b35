import { greetingLine, quote } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

export const starttlsStripped: PortRule = {
  id: 'starttls-stripped',
  check(port, scope) {
    if (port.class !== 'starttls-stripped') return [];
    const banner = greetingLine(port);
    const masked = port.ehlo.find((line) => /^X{4,}/.test(line));
    const evidence = [
      banner ? `banner ${quote(banner)}` : null,
      masked ? `EHLO shows ${quote(masked)}` : null,
    ]
      .filter((part) => part !== null)
      .join(', ');
    return [
      finding(
        'starttls-stripped',
        classSeverity('starttls-stripped', scope.role),
        port.port,
        `a middlebox rewrites SMTP on ${port.port}${evidence ? ` (${evidence})` : ''}: STARTTLS was removed, so mail and credentials would cross in clear`,
        [
          'Disable ESMTP inspection on the firewall in between (Cisco ASA/PIX: `no inspect esmtp` in the global policy), or exempt this traffic from it.',
          'Until then, use implicit TLS on 465: a middlebox cannot strip TLS that starts with the first byte.',
        ],
      ),
    ];
  },
};
