import { greetingLine, quote } from '../evidence.js';
import { severityForRole } from '../knowledge/ports.js';
import { finding, type PortRule } from '../rule.js';

export const notSmtp: PortRule = {
  id: 'not-smtp',
  check(port, scope) {
    if (port.class !== 'not-smtp') return [];
    const said = greetingLine(port) ?? port.failure?.message ?? null;
    return [
      finding(
        'not-smtp',
        severityForRole(scope.role, 'critical'),
        port.port,
        `${port.port} answers, but not in SMTP${said ? ` (${quote(said, 80)})` : ''}`,
        [
          `Another service (HTTP, SSH, …) holds ${port.port}: check the host and port, or the port forwarding in front of it.`,
        ],
      ),
    ];
  },
};
