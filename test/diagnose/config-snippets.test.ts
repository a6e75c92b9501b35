import { describe, expect, test } from 'vitest';
import { buildConfigSnippets } from '../../src/diagnose/index.js';

const submission = { authenticate: true, authMechanisms: ['PLAIN', 'LOGIN'] };

/** Runs the paste-able text the way a user would, with createTransport capturing its options. */
function evaluate(text: string): unknown {
  const body = text.replace(/^import .*$/m, '');
  const run = new Function('createTransport', `${body}\nreturn transporter;`);
  return run((options: unknown) => options);
}

describe('buildConfigSnippets()', () => {
  test('STARTTLS: secure false, requireTLS, SNI, auth placeholders', () => {
    const config = buildConfigSnippets({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      ...submission,
    });
    expect(config.nodemailer).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTLS: true,
      tls: { servername: 'smtp.example.com' },
      auth: { user: '<username>', pass: '<password>' },
    });
    expect(config.postfix.slice(0, 3)).toEqual([
      'relayhost = [smtp.example.com]:587',
      'smtp_tls_security_level = encrypt',
      'smtp_sasl_auth_enable = yes',
    ]);
    expect(config.postfix).not.toContain('smtp_tls_wrappermode = yes');
    expect(config.table).toEqual([
      { label: 'Host', value: 'smtp.example.com' },
      { label: 'Port', value: '587' },
      { label: 'Security', value: 'STARTTLS' },
      { label: 'Authentication', value: 'Username and password (PLAIN, LOGIN)' },
    ]);
  });

  test('implicit TLS: secure true and Postfix wrapper mode', () => {
    const config = buildConfigSnippets({
      host: 'smtp.example.com',
      port: 465,
      security: 'implicit-tls',
      ...submission,
    });
    expect(config.nodemailer).toMatchObject({ secure: true, requireTLS: false });
    expect(config.postfix).toContain('smtp_tls_wrappermode = yes');
    expect(config.postfix).toContain('smtp_tls_security_level = encrypt');
    expect(config.table[2]).toEqual({ label: 'Security', value: 'SSL/TLS' });
  });

  test.each(['starttls', 'implicit-tls', 'none'] as const)(
    'the %s JavaScript text builds the same options',
    (security) => {
      const config = buildConfigSnippets({ host: 'smtp.example.com', port: 2587, security, ...submission });
      expect(evaluate(config.nodemailerText)).toEqual(config.nodemailer);
      expect(config.nodemailerText).toMatch(/^import \{ createTransport \} from "nodemailer";/);
    },
  );

  test('an IP host gets no SNI; IPv6 is written the Postfix way', () => {
    const v4 = buildConfigSnippets({ host: '192.0.2.10', port: 587, security: 'starttls', ...submission });
    expect(v4.nodemailer.tls).toBeUndefined();
    const v6 = buildConfigSnippets({
      host: '2001:db8::25',
      port: 465,
      security: 'implicit-tls',
      ...submission,
    });
    expect(v6.postfix[0]).toBe('relayhost = [ipv6:2001:db8::25]:465');
  });

  test('host names with quotes cannot break out of the pasted JavaScript', () => {
    const config = buildConfigSnippets({ host: 'a"b\'c', port: 587, security: 'starttls', ...submission });
    expect(evaluate(config.nodemailerText)).toEqual(config.nodemailer);
  });
});
