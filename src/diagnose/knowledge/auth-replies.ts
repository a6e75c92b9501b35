import { matchProvider } from './providers.js';

// What a failed SMTP login means, for the person who has to fix it. Each entry names the reply it
// recognises, where that reply text comes from, and the page that documents the fix. Pure: it sees
// the host, the user name, the server's reply and the EHLO facts, never the password.

export const AUTH_ADVICE_IDS = [
  'gmail-app-password-required',
  'gmail-bad-credentials',
  'm365-smtp-auth-disabled',
  'm365-bad-credentials',
  'ses-smtp-credentials',
  'sendgrid-user-must-be-apikey',
  'sendgrid-api-key-rejected',
  'mailgun-domain-credentials',
  'postmark-server-token',
  'oauth-only',
  'auth-requires-tls',
  'auth-not-offered',
  'auth-not-offered-mx',
  'mechanism-not-supported',
  'temporary-auth-failure',
  'bad-credentials',
  'unrecognised-reply',
] as const;
export type AuthAdviceId = (typeof AUTH_ADVICE_IDS)[number];

export interface AuthReply {
  code: number;
  /** RFC 3463 enhanced status code ("5.7.8"), when the reply carries one. */
  enhancedCode?: string;
  /** The whole reply text, lines joined with \n (hostile: the renderer escapes it). */
  text: string;
}

export interface AuthFailureFacts {
  host: string;
  port: number;
  user: string;
  /** The server's answer to AUTH; absent when no AUTH was attempted. */
  reply?: AuthReply;
  /** AUTH mechanisms of the session that would log in (after STARTTLS, or inside implicit TLS). */
  offeredMechanisms: string[];
  /** AUTH mechanisms offered in plain text before STARTTLS; null when the session started in TLS. */
  mechanismsBeforeTls: string[] | null;
}

export interface AuthAdvice {
  id: AuthAdviceId;
  /** What the reply means. */
  summary: string;
  /** What to do, addressed to whoever can do it. */
  fix: string;
  /** The documentation the advice is taken from. */
  sourceUrl: string;
}

/** Mechanisms that carry an OAuth token, not a password. */
const TOKEN_MECHANISMS = new Set(['XOAUTH2', 'OAUTHBEARER', 'XOAUTH']);

const GOOGLE_SMTP_ERRORS = 'https://support.google.com/a/answer/3726730';
const M365_SMTP_AUTH =
  'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission';
const RFC_4954_ERRORS = 'https://www.rfc-editor.org/rfc/rfc4954#section-6';

interface Entry {
  id: AuthAdviceId;
  applies(facts: AuthFailureFacts, context: Context): boolean;
  summary: string;
  fix(facts: AuthFailureFacts, context: Context): string;
  sourceUrl: string;
}

interface Context {
  providerId: string | null;
  code: number | null;
  enhanced: string | null;
  text: string;
}

function isGoogle(context: Context): boolean {
  return (
    context.providerId === 'gmail' ||
    context.providerId === 'gmail-relay' ||
    /support\.google\.com|gsmtp/i.test(context.text)
  );
}

function isMicrosoft(context: Context): boolean {
  return context.providerId === 'microsoft-365' || /outlook\.com|office365|aka\.ms\/smtp/i.test(context.text);
}

const ENTRIES: readonly Entry[] = [
  {
    // Reply as Gmail sends it: "534-5.7.9 Application-specific password required. Learn more at
    // 534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor … - gsmtp" (Google's SMTP
    // error reference lists 534 5.7.9 as "Application-specific password required").
    id: 'gmail-app-password-required',
    applies: (_facts, c) => c.code === 534 && c.enhanced === '5.7.9' && isGoogle(c),
    summary:
      'Google wants an app password: the account has 2-Step Verification, so its normal password cannot log in over SMTP.',
    fix: () =>
      'Create an app password for this Google account (Google Account > Security > App passwords; it needs 2-Step Verification) and use it as the SMTP password, without spaces. Or switch to OAuth2.',
    sourceUrl: 'https://support.google.com/accounts/answer/185833',
  },
  {
    // Reply as Gmail sends it: "535-5.7.8 Username and Password not accepted. Learn more at
    // 535 5.7.8 https://support.google.com/mail/?p=BadCredentials … - gsmtp" (listed in Google's
    // SMTP error reference).
    id: 'gmail-bad-credentials',
    applies: (_facts, c) => c.code === 535 && c.enhanced === '5.7.8' && isGoogle(c),
    summary: 'Google did not accept the user name and password.',
    fix: (facts) =>
      `Use the full Google address as the user name${facts.user.includes('@') ? '' : ` (not "${facts.user}")`} and an app password as the password: Google no longer takes the account password from SMTP clients. A Workspace admin may also have turned app passwords or SMTP access off.`,
    sourceUrl: GOOGLE_SMTP_ERRORS,
  },
  {
    // Replies as Exchange Online sends them (quoted in Microsoft's SMTP AUTH article and in public
    // transcripts): "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled
    // for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.";
    // "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security
    // defaults policy. Contact your administrator."; "535 5.7.139 Authentication unsuccessful, the
    // request did not meet the criteria to be authenticated successfully. Contact your administrator."
    id: 'm365-smtp-auth-disabled',
    applies: (_facts, c) => c.code === 535 && c.enhanced === '5.7.139',
    summary: 'Microsoft 365 has SMTP AUTH switched off for this sign-in.',
    fix: (_facts, c) => {
      if (/disabled for the tenant/i.test(c.text)) {
        return "A Microsoft 365 admin must turn SMTP AUTH on for the organisation (Exchange admin center > Settings > Mail flow, or Set-TransportConfig -SmtpClientAuthenticationDisabled $false), then for the mailbox (Authenticated SMTP in the mailbox's email apps).";
      }
      if (/security defaults/i.test(c.text)) {
        return "The tenant's security defaults block SMTP AUTH with a password. An admin must replace security defaults with Conditional Access policies that allow it for this mailbox, or the application must use OAuth2.";
      }
      return 'A Microsoft 365 admin must allow SMTP AUTH for this mailbox (Authenticated SMTP in its email apps; Set-CASMailbox -SmtpClientAuthenticationDisabled $false) and check Conditional Access; or the application must use OAuth2.';
    },
    sourceUrl: M365_SMTP_AUTH,
  },
  {
    // "535 5.7.3 Authentication unsuccessful [<server>.PROD.OUTLOOK.COM …]" — Microsoft's SMTP NTLM
    // specification (MS-SMTPNTLM 2.2.1.4) defines 535 5.7.3 as a wrong user name or password.
    id: 'm365-bad-credentials',
    applies: (_facts, c) => c.code === 535 && c.enhanced === '5.7.3' && isMicrosoft(c),
    summary: 'Microsoft 365 did not accept the user name and password.',
    fix: (facts) =>
      `Use the mailbox's full sign-in address (UPN) as the user name${facts.user.includes('@') ? '' : ` (not "${facts.user}")`} and its password, or an app password when the account uses MFA. If they are right, SMTP AUTH may be off for the mailbox or blocked by Conditional Access.`,
    sourceUrl: M365_SMTP_AUTH,
  },
  {
    // Amazon SES answers "535 Authentication Credentials Invalid" (quoted in AWS's re:Post and
    // Stack Overflow threads about key rotation).
    id: 'ses-smtp-credentials',
    applies: (_facts, c) => c.code === 535 && c.providerId === 'amazon-ses',
    summary: 'Amazon SES did not accept these SMTP credentials.',
    fix: (facts) =>
      `SES SMTP credentials are not IAM access keys: create SMTP credentials in the SES console for this region, or derive the SMTP password from the secret access key for this region (${facts.host}); a password derived for another region fails here.${/^A[KS]IA[A-Z0-9]{12,}$/.test(facts.user) ? ' The user name is the access key ID of the IAM user the SMTP password was derived for.' : ''}`,
    sourceUrl: 'https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html',
  },
  {
    // SendGrid: "Set your username to the string apikey. This setting is the exact string "apikey"
    // and not the API key itself."
    id: 'sendgrid-user-must-be-apikey',
    applies: (facts, c) => c.providerId === 'sendgrid' && c.code !== null && facts.user !== 'apikey',
    summary: 'SendGrid logins use the literal user name "apikey".',
    fix: (facts) =>
      `Set the user name to the word apikey (not "${facts.user}", not the key itself) and the password to an API key with Mail Send permission.`,
    sourceUrl:
      'https://www.twilio.com/docs/sendgrid/for-developers/sending-email/integrating-with-the-smtp-api',
  },
  {
    id: 'sendgrid-api-key-rejected',
    applies: (facts, c) => c.providerId === 'sendgrid' && c.code === 535 && facts.user === 'apikey',
    summary: 'SendGrid did not accept the API key.',
    fix: () =>
      'Use a current API key with at least Mail Send permission as the password, copied without line breaks or spaces; a revoked or restricted key fails like a wrong password.',
    sourceUrl:
      'https://www.twilio.com/docs/sendgrid/for-developers/sending-email/integrating-with-the-smtp-api',
  },
  {
    // Mailgun: "You have an SMTP username and password for each domain you have at Mailgun. To send
    // mail from a particular domain, use the proper credentials." (SMTP relay guide; its Postfix
    // example logs in as postmaster@mydomain.com).
    id: 'mailgun-domain-credentials',
    applies: (_facts, c) => c.providerId === 'mailgun' && c.code === 535,
    summary: 'Mailgun did not accept these SMTP credentials; they exist per sending domain.',
    fix: (facts) =>
      `Log in with an SMTP credential of the sending domain, e.g. postmaster@<your sending domain>${facts.user.includes('@') ? '' : ` (a full address, not "${facts.user}")`}, and that credential's password (not the account password or an API key). Domains in the EU region use smtp.eu.mailgun.org.`,
    sourceUrl: 'https://documentation.mailgun.com/docs/mailgun/user-manual/smtp-protocol/smtp-relay',
  },
  {
    // Postmark: "The Server API Token acts as the Username and Password."
    id: 'postmark-server-token',
    applies: (_facts, c) => c.providerId === 'postmark' && c.code === 535,
    summary: 'Postmark did not accept these credentials.',
    fix: () =>
      'Use the Server API token (Server > API Tokens) as both the user name and the password, or the SMTP token pair of the message stream (Access Key as user, Secret Key as password).',
    sourceUrl:
      'https://postmarkapp.com/support/article/811-what-are-the-smtp-details-api-tokens-i-should-be-using',
  },
  {
    // RFC 3207 servers answer AUTH in plain text with "530 5.7.0 Must issue a STARTTLS command
    // first" (Postfix, Gmail); RFC 4954 defines "538 5.7.11 Encryption required for requested
    // authentication mechanism".
    id: 'auth-requires-tls',
    applies: (_facts, c) => c.code === 538 || (c.code === 530 && /starttls|tls/i.test(c.text)),
    summary: 'The server takes logins only after the connection is encrypted.',
    fix: () =>
      'Upgrade first: STARTTLS on 587 (nodemailer secure: false, requireTLS: true) or TLS from the first byte on 465 (secure: true), then log in.',
    sourceUrl: RFC_4954_ERRORS,
  },
  {
    id: 'oauth-only',
    applies: (facts, c) =>
      !c.code &&
      facts.offeredMechanisms.length > 0 &&
      facts.offeredMechanisms.every((mechanism) => TOKEN_MECHANISMS.has(mechanism)),
    summary: 'Password login is off: the server offers only OAuth (XOAUTH2), so no password was sent.',
    fix: () =>
      'Use OAuth2 (nodemailer auth type "OAuth2" with a token), or have the provider allow password logins (for Google and Microsoft 365 that means an app password and SMTP AUTH enabled for the account).',
    sourceUrl: 'https://nodemailer.com/smtp/oauth2/',
  },
  {
    id: 'auth-not-offered-mx',
    applies: (facts, c) => !c.code && facts.offeredMechanisms.length === 0 && facts.port === 25,
    summary:
      'Port 25 here offers no AUTH: it is a mail exchanger (MX) that receives mail for its own domains, not a submission server.',
    fix: () =>
      'Log in on the submission port instead (587 with STARTTLS, or 465 with TLS); port 25 only takes mail addressed to the domains it hosts, or relays for addresses it trusts without a login.',
    sourceUrl: 'https://www.rfc-editor.org/rfc/rfc6409#section-3',
  },
  {
    id: 'auth-not-offered',
    applies: (facts, c) => !c.code && facts.offeredMechanisms.length === 0,
    summary: 'This port offers no AUTH, so there is nothing to log in to.',
    fix: () =>
      'Check the port: submission is 587 (STARTTLS) or 465 (TLS). If this server relays without a login (by client address), leave the credentials out.',
    sourceUrl: 'https://www.rfc-editor.org/rfc/rfc4954#section-3',
  },
  {
    id: 'mechanism-not-supported',
    // Reached without a reply only when AUTH is offered but with no mechanism that takes a password.
    applies: (facts, c) => c.code === 504 || (!c.code && facts.offeredMechanisms.length > 0),
    summary: 'The server does not accept a password mechanism this client can use.',
    fix: (facts) =>
      `The server offers ${facts.offeredMechanisms.join(', ') || 'no mechanism'}; password logins need PLAIN, LOGIN or CRAM-MD5. Ask the server owner which login it expects.`,
    sourceUrl: RFC_4954_ERRORS,
  },
  {
    // RFC 4954: "454 4.7.0 Temporary authentication failure".
    id: 'temporary-auth-failure',
    applies: (_facts, c) => c.code === 454 || (c.code !== null && c.code >= 400 && c.code < 500),
    summary: 'The server could not check the credentials just now (a temporary failure).',
    fix: () => "Try again in a few minutes; if it persists, the server's authentication backend is down.",
    sourceUrl: RFC_4954_ERRORS,
  },
  {
    // RFC 4954: "535 5.7.8 Authentication credentials invalid".
    id: 'bad-credentials',
    applies: (_facts, c) => c.code === 535 || c.code === 534,
    summary: 'The server did not accept the user name and password.',
    fix: (facts) =>
      `Check the user name ("${facts.user}"; many servers want the full address) and the password; some providers need an app password or a separate SMTP credential.`,
    sourceUrl: RFC_4954_ERRORS,
  },
];

function parseEnhanced(reply: AuthReply | undefined): string | null {
  if (!reply) return null;
  if (reply.enhancedCode) return reply.enhancedCode;
  return /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(reply.text)?.[1] ?? null;
}

/** The advice for a failed (or impossible) login. Always returns an answer. */
export function explainAuthFailure(facts: AuthFailureFacts): AuthAdvice {
  const context: Context = {
    providerId: matchProvider(facts.host)?.id ?? null,
    code: facts.reply?.code ?? null,
    enhanced: parseEnhanced(facts.reply),
    text: facts.reply?.text ?? '',
  };
  const entry = ENTRIES.find((candidate) => candidate.applies(facts, context));
  if (!entry) {
    return {
      id: 'unrecognised-reply',
      summary: 'The server refused the login with a reply this tool does not know.',
      fix: "Read the server's reply below; its enhanced status code (5.7.x) says which policy refused the login.",
      sourceUrl: RFC_4954_ERRORS,
    };
  }
  return { id: entry.id, summary: entry.summary, fix: entry.fix(facts, context), sourceUrl: entry.sourceUrl };
}

/** A note for a session where AUTH appears only after STARTTLS: clients must upgrade before they log in. */
export function authOnlyAfterTlsNote(
  facts: Pick<AuthFailureFacts, 'offeredMechanisms' | 'mechanismsBeforeTls'>,
): string | null {
  if (facts.mechanismsBeforeTls === null) return null;
  if (facts.mechanismsBeforeTls.length > 0 || facts.offeredMechanisms.length === 0) return null;
  return 'AUTH is offered only after STARTTLS: a client must upgrade first (nodemailer secure: false with requireTLS: true), or it finds no login at all.';
}
