import { describe, expect, test } from 'vitest';
import {
  type AuthFailureFacts,
  authOnlyAfterTlsNote,
  explainAuthFailure,
} from '../../src/diagnose/knowledge/auth-replies.js';

function facts(extra: Partial<AuthFailureFacts>): AuthFailureFacts {
  return {
    host: 'mail.example.com',
    port: 587,
    user: 'alice@example.com',
    offeredMechanisms: ['PLAIN', 'LOGIN'],
    mechanismsBeforeTls: [],
    ...extra,
  };
}

describe('explainAuthFailure()', () => {
  test.each([
    [
      'no AUTH on port 25: an MX, not a submission server',
      facts({ port: 25, offeredMechanisms: [] }),
      'auth-not-offered-mx',
    ],
    ['no AUTH on 587', facts({ offeredMechanisms: [] }), 'auth-not-offered'],
    ['only XOAUTH2 and OAUTHBEARER', facts({ offeredMechanisms: ['XOAUTH2', 'OAUTHBEARER'] }), 'oauth-only'],
    ['only GSSAPI', facts({ offeredMechanisms: ['GSSAPI'] }), 'mechanism-not-supported'],
    [
      'AUTH in plain text answered by Postfix',
      facts({
        reply: { code: 530, enhancedCode: '5.7.0', text: '530 5.7.0 Must issue a STARTTLS command first' },
      }),
      'auth-requires-tls',
    ],
    [
      'encryption required (RFC 4954)',
      facts({
        reply: { code: 538, text: '538 5.7.11 Encryption required for requested authentication mechanism' },
      }),
      'auth-requires-tls',
    ],
    [
      'temporary failure',
      facts({ reply: { code: 454, text: '454 4.7.0 Temporary authentication failure' } }),
      'temporary-auth-failure',
    ],
    [
      'SendGrid with the right user name but a bad key',
      facts({
        host: 'smtp.sendgrid.net',
        user: 'apikey',
        reply: { code: 535, text: '535 Authentication failed: Bad username / password' },
      }),
      'sendgrid-api-key-rejected',
    ],
    [
      'Gmail 535 5.7.8 recognised by its text on a custom host name',
      facts({
        host: 'smtp.example.com',
        reply: {
          code: 535,
          text: '535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials x - gsmtp',
        },
      }),
      'gmail-bad-credentials',
    ],
    [
      'a 535 from an unknown server',
      facts({ reply: { code: 535, text: '535 5.7.8 Error: authentication failed' } }),
      'bad-credentials',
    ],
    ['a reply nobody knows', facts({ reply: { code: 500, text: '500 what' } }), 'unrecognised-reply'],
  ])('%s', (_name, input, id) => {
    const advice = explainAuthFailure(input);
    expect(advice.id).toBe(id);
    expect(advice.fix.length).toBeGreaterThan(20);
    expect(advice.sourceUrl).toMatch(/^https:\/\//);
  });

  test('an IAM access key ID as the SES user name gets the region hint', () => {
    const advice = explainAuthFailure(
      facts({
        host: 'email-smtp.us-east-1.amazonaws.com',
        user: 'AKIAIOSFODNN7EXAMPLE',
        reply: { code: 535, text: '535 Authentication Credentials Invalid' },
      }),
    );
    expect(advice.id).toBe('ses-smtp-credentials');
    expect(advice.fix).toMatch(/email-smtp\.us-east-1\.amazonaws\.com/);
    expect(advice.fix).toMatch(/access key ID/);
  });
});

describe('authOnlyAfterTlsNote()', () => {
  test.each([
    [{ offeredMechanisms: ['PLAIN'], mechanismsBeforeTls: [] }, true],
    [{ offeredMechanisms: ['PLAIN'], mechanismsBeforeTls: ['PLAIN'] }, false],
    [{ offeredMechanisms: ['PLAIN'], mechanismsBeforeTls: null }, false],
    [{ offeredMechanisms: [], mechanismsBeforeTls: [] }, false],
  ])('%o → %s', (input, expected) => {
    expect(authOnlyAfterTlsNote(input) !== null).toBe(expected);
  });
});
