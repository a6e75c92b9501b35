import { isIP } from 'node:net';
import type { ConfigSnippets, Security } from './types.js';

export interface ConfigChoice {
  host: string;
  port: number;
  security: Security;
  /** Whether to log in; relay without AUTH does not. */
  authenticate: boolean;
  /** AUTH mechanisms the port offered, for the table. */
  authMechanisms: string[];
  /** Set when the server's greeting is slower than client defaults allow for. */
  greetingTimeoutMs?: number;
}

const USER = '<username>';
const PASS = '<password>';

const SECURITY_LABELS: Record<Security, string> = {
  'implicit-tls': 'SSL/TLS',
  starttls: 'STARTTLS',
  none: 'None',
};

function nodemailerOptions(choice: ConfigChoice): Record<string, unknown> {
  const options: Record<string, unknown> = {
    host: choice.host,
    port: choice.port,
    // secure means TLS from the first byte; STARTTLS ports start plain, so secure stays false there.
    secure: choice.security === 'implicit-tls',
    // Without requireTLS nodemailer silently stays in plain text when STARTTLS is missing or stripped.
    requireTLS: choice.security === 'starttls',
  };
  // SNI and the certificate check need the name; an IP address is not allowed in SNI (RFC 6066).
  if (choice.security !== 'none' && isIP(choice.host) === 0) options.tls = { servername: choice.host };
  if (choice.greetingTimeoutMs !== undefined) options.greetingTimeout = choice.greetingTimeoutMs;
  if (choice.authenticate) options.auth = { user: USER, pass: PASS };
  return options;
}

const COMMENTS: Record<string, (choice: ConfigChoice) => string | null> = {
  secure: (choice) =>
    choice.security === 'implicit-tls'
      ? 'TLS from the first byte (implicit TLS)'
      : choice.security === 'starttls'
        ? 'starts plain, upgrades with STARTTLS'
        : 'no TLS offered: relay only',
  requireTLS: (choice) => (choice.security === 'starttls' ? 'fail rather than send in clear' : null),
  greetingTimeout: () => 'the server pauses before greeting',
};

function literal(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, inner]) => `${key}: ${literal(inner)}`,
  );
  return `{ ${entries.join(', ')} }`;
}

function nodemailerText(options: Record<string, unknown>, choice: ConfigChoice): string {
  const lines = Object.entries(options).map(([key, value]) => {
    const comment = COMMENTS[key]?.(choice);
    return `  ${key}: ${literal(value)},${comment ? ` // ${comment}` : ''}`;
  });
  return [
    'import { createTransport } from "nodemailer";',
    '',
    'const transporter = createTransport({',
    ...lines,
    '});',
  ].join('\n');
}

function postfixLines(choice: ConfigChoice): string[] {
  // Postfix writes IPv6 next hops as [ipv6:…].
  const host = isIP(choice.host) === 6 ? `ipv6:${choice.host}` : choice.host;
  const next = `[${host}]:${choice.port}`;
  const lines = [
    `relayhost = ${next}`,
    `smtp_tls_security_level = ${choice.security === 'none' ? 'may' : 'encrypt'}`,
  ];
  if (choice.security === 'implicit-tls') lines.push('smtp_tls_wrappermode = yes');
  if (choice.authenticate) {
    lines.push(
      'smtp_sasl_auth_enable = yes',
      'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd',
      'smtp_sasl_security_options = noanonymous',
      'smtp_sasl_tls_security_options = noanonymous',
      `# /etc/postfix/sasl_passwd: ${next} ${USER}:${PASS}  (then: postmap /etc/postfix/sasl_passwd)`,
    );
  }
  return lines;
}

function authenticationLabel(choice: ConfigChoice): string {
  if (!choice.authenticate) return 'None (relay)';
  const mechanisms = choice.authMechanisms.length > 0 ? ` (${choice.authMechanisms.join(', ')})` : '';
  return `Username and password${mechanisms}`;
}

/** The ready-to-paste configuration for one host, port and security choice. */
export function buildConfigSnippets(choice: ConfigChoice): ConfigSnippets {
  const options = nodemailerOptions(choice);
  return {
    nodemailer: options,
    nodemailerText: nodemailerText(options, choice),
    postfix: postfixLines(choice),
    table: [
      { label: 'Host', value: choice.host },
      { label: 'Port', value: String(choice.port) },
      { label: 'Security', value: SECURITY_LABELS[choice.security] },
      { label: 'Authentication', value: authenticationLabel(choice) },
    ],
  };
}

/** "STARTTLS", "implicit TLS", "no TLS", for sentences. */
export function describeSecurity(security: Security): string {
  return security === 'implicit-tls' ? 'implicit TLS' : security === 'starttls' ? 'STARTTLS' : 'no TLS';
}
