import { greetingLine, quote } from '../evidence.js';
import { classSeverity } from '../knowledge/port-classes.js';
import { finding, type PortRule } from '../rule.js';

export const intercepted: PortRule = {
  id: 'intercepted',
  check(port, scope) {
    if (port.class !== 'intercepted') return [];
    const banner = greetingLine(port);
    return [
      finding(
        'intercepted',
        classSeverity('intercepted', scope.role),
        port.port,
        `${port.port} is answered by another SMTP server${banner ? ` (${quote(banner)})` : ''}, not ${scope.probe.host}: a transparent proxy on this network intercepts it`,
        [
          `ISPs, hotel networks and antivirus products redirect ${port.port} to their own server: submit through 587 or 465, or ask the network owner to stop intercepting ${port.port}.`,
        ],
      ),
    ];
  },
};
