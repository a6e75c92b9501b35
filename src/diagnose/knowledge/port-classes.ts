import type { PortClass } from '../../probe/types.js';
import type { PortRole, Severity } from '../types.js';
import { severityForRole } from './ports.js';

/**
 * What a port class is worth for sending mail, before certificates are weighed:
 * - `tls`: a TLS session came up; usable if its certificate holds (see usability).
 * - `after-greeting`: the server greeted; worth what the session after the greeting was.
 * - `plain`: plain SMTP only; fine for relay, never for submission (`why` says what is missing).
 * - `never`: no mail goes through a port in this class.
 */
export type ClassUsability =
  | { kind: 'tls' }
  | { kind: 'after-greeting' }
  | { kind: 'plain'; why: string }
  | { kind: 'never' };

/**
 * The broad outcome, for icons and timelines: it works, it works with something to fix, something
 * answered and refused or broke the session, nothing answered at all, or the bot did not try.
 */
export type ClassGroup = 'usable' | 'degraded' | 'blocked' | 'no-answer' | 'not-probed';

/**
 * Where the troubleshooting checklist brings a class up, in the order a person would try things:
 * the host itself, the firewall, the TLS mode, the TLS offer, a middlebox rewriting the session,
 * then what answered but is not a working mail server. null: nothing to troubleshoot.
 */
export type ChecklistSection = 'host' | 'firewall' | 'tls-mode' | 'tls' | 'middlebox' | 'answer';

export interface PortClassInfo {
  /** A short label for port tables and verdict lines. */
  label: string;
  /** The same in the words a support engineer would say in Slack. */
  phrase: string;
  group: ClassGroup;
  /**
   * The severity of the class's own finding on a submission port, where the port is one the server
   * should offer; relay on 25 tolerates more (see severityForRole).
   */
  severity: Severity;
  usability: ClassUsability;
  checklist: ChecklistSection | null;
  /** One sentence saying what was observed. */
  description: string;
}

/**
 * Everything the diagnosis and the renderers know about a port class, in one place. The
 * `satisfies` makes the compiler refuse a class without an entry. The entry order is the order
 * the checklist lists classes of the same section in.
 */
export const PORT_CLASS_TABLE = {
  'open-starttls': {
    label: 'STARTTLS works',
    phrase: 'STARTTLS upgrade worked',
    group: 'usable',
    severity: 'info',
    usability: { kind: 'tls' },
    checklist: null,
    description: 'The server greeted in plain text and upgraded to TLS with STARTTLS.',
  },
  'open-implicit-tls': {
    label: 'implicit TLS works',
    phrase: 'implicit TLS worked',
    group: 'usable',
    severity: 'info',
    usability: { kind: 'tls' },
    checklist: null,
    description: 'The server spoke TLS from the first byte and greeted inside it.',
  },
  'dns-failed': {
    label: 'name does not resolve',
    phrase: 'name does not resolve',
    group: 'blocked',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'host',
    description: 'The host name has no address, so no port could be tried.',
  },
  'denied-by-policy': {
    label: 'not allowed by policy',
    phrase: 'not allowed by the bot’s target policy',
    group: 'not-probed',
    severity: 'warning',
    usability: { kind: 'never' },
    checklist: 'host',
    description: 'The target policy does not allow this address or port, so it was not dialled.',
  },
  filtered: {
    label: 'filtered (no answer)',
    phrase: 'no answer (filtered)',
    group: 'no-answer',
    severity: 'warning',
    usability: { kind: 'never' },
    checklist: 'firewall',
    description: 'The connection attempt got no answer at all, the mark of a firewall that drops packets.',
  },
  refused: {
    label: 'connection refused',
    phrase: 'connection refused',
    group: 'blocked',
    severity: 'warning',
    usability: { kind: 'never' },
    checklist: 'firewall',
    description: 'The host answered the connection with a reset: nothing listens, or a firewall rejects it.',
  },
  unreachable: {
    label: 'unreachable (ICMP)',
    phrase: 'network unreachable',
    group: 'blocked',
    severity: 'warning',
    usability: { kind: 'never' },
    checklist: 'firewall',
    description: 'A router or firewall on the way answered with ICMP unreachable.',
  },
  'implicit-tls-on-starttls-port': {
    label: 'implicit TLS (expected STARTTLS)',
    phrase: 'speaks implicit TLS, STARTTLS expected',
    group: 'degraded',
    severity: 'warning',
    usability: { kind: 'tls' },
    checklist: 'tls-mode',
    description: 'A port that by convention starts plain spoke TLS from the first byte.',
  },
  'plaintext-on-implicit-tls-port': {
    label: 'plain SMTP (expected implicit TLS)',
    phrase: 'speaks plain SMTP, implicit TLS expected',
    group: 'degraded',
    severity: 'critical',
    usability: { kind: 'after-greeting' },
    checklist: 'tls-mode',
    description: 'A port that by convention speaks TLS from the first byte greeted in plain text.',
  },
  'no-starttls': {
    label: 'plain SMTP, no STARTTLS',
    phrase: 'plain SMTP only, no STARTTLS',
    group: 'degraded',
    severity: 'critical',
    usability: { kind: 'plain', why: 'no STARTTLS' },
    checklist: 'tls',
    description: 'The server speaks SMTP but offers no STARTTLS, so everything crosses in clear.',
  },
  'tls-handshake-failed': {
    label: 'TLS handshake failed',
    phrase: 'TLS handshake failed',
    group: 'blocked',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'tls',
    description: 'The TLS handshake did not complete, so no mail can be sent securely.',
  },
  'starttls-stripped': {
    label: 'STARTTLS stripped by a middlebox',
    phrase: 'STARTTLS removed by a middlebox',
    group: 'degraded',
    severity: 'critical',
    usability: { kind: 'plain', why: 'STARTTLS stripped by a middlebox' },
    checklist: 'middlebox',
    description: 'Something between here and the server removed STARTTLS from the server’s offer.',
  },
  intercepted: {
    label: 'intercepted (transparent proxy)',
    phrase: 'answered by another server (intercepted)',
    group: 'degraded',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'answer',
    description: 'Another server answered in the server’s place: a transparent proxy on the way.',
  },
  'greeting-rejected': {
    label: 'greeting rejected',
    phrase: 'greeting refused the session',
    group: 'blocked',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'answer',
    description: 'The server answered with an error instead of welcoming this client.',
  },
  'slow-banner': {
    label: 'slow greeting',
    phrase: 'greeting came late',
    group: 'degraded',
    severity: 'warning',
    usability: { kind: 'after-greeting' },
    checklist: 'answer',
    description: 'The server greeted, but later than clients are patient for.',
  },
  'no-banner': {
    label: 'connected, no greeting',
    phrase: 'connected, but no greeting',
    group: 'no-answer',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'answer',
    description: 'The connection opened but the server never said hello.',
  },
  'not-smtp': {
    label: 'not SMTP',
    phrase: 'not an SMTP server',
    group: 'blocked',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'answer',
    description: 'Whatever answered does not speak SMTP.',
  },
  'oversized-response': {
    label: 'oversized response',
    phrase: 'reply too large, reading stopped',
    group: 'degraded',
    severity: 'critical',
    usability: { kind: 'never' },
    checklist: 'answer',
    description: 'The server sent a reply beyond the limits of RFC 5321, so reading stopped.',
  },
} as const satisfies Record<PortClass, PortClassInfo>;

export function portClassInfo(portClass: PortClass): PortClassInfo {
  return PORT_CLASS_TABLE[portClass];
}

/** The classes a checklist section brings up, in table order. */
export function classesInSection(section: ChecklistSection): PortClass[] {
  return (Object.keys(PORT_CLASS_TABLE) as PortClass[]).filter(
    (portClass) => PORT_CLASS_TABLE[portClass].checklist === section,
  );
}

/** Whether a port of this class can carry mail at all (certificates and role decide the rest). */
export function canBeUsable(portClass: PortClass): boolean {
  return PORT_CLASS_TABLE[portClass].usability.kind !== 'never';
}

/** The severity of a class's own finding for a port's role (relay tolerates more). */
export function classSeverity(portClass: PortClass, role: PortRole): Severity {
  return severityForRole(role, PORT_CLASS_TABLE[portClass].severity);
}
