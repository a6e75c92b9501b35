import type { SmtpReply } from './reply.js';

/**
 * What a send test's outcome means, from the stage that answered and its reply. Pure. The codes
 * follow RFC 5321 (reply codes) and RFC 3463 (enhanced codes); the reply texts quoted in comments
 * are what common servers send.
 */

export const SEND_OUTCOMES = [
  'queued',
  'relay-denied',
  'sender-not-allowed',
  'policy',
  'rate-limited',
  'too-many-recipients',
  'message-too-large',
  'greylisted',
  'auth-required',
  'auth-failed',
  // The login test's refusals, before any password is sent (see planLogin in test-credentials.ts).
  'oauth-only',
  'no-password-mechanism',
  'recipient-unknown',
  'rejected',
  'connection-failed',
  'several-recipients',
] as const;
export type SendOutcome = (typeof SEND_OUTCOMES)[number];

export const SEND_STAGES = ['connect', 'auth', 'mail', 'rcpt', 'data'] as const;
export type SendStage = (typeof SEND_STAGES)[number];

export interface SendExplanation {
  outcome: SendOutcome;
  explanation: string;
}

const POLICY_CODES = new Set(['5.7.23', '5.7.25', '5.7.26', '5.7.27', '5.7.509', '5.7.510']);

function enhanced(reply: SmtpReply): string {
  return reply.enhancedCode ?? '';
}

/** The outcome of a refusal (any 4xx/5xx reply) at a stage of the transaction. */
export function explainSendRefusal(stage: SendStage, reply: SmtpReply): SendExplanation {
  const { code, text } = reply;
  const x = enhanced(reply);
  if (
    /gr[ae]y ?list/i.test(text) ||
    ((code === 450 || code === 451) && x === '4.7.1' && !/\brate\b|limit|too many/i.test(text))
  ) {
    // Postfix postgrey: "450 4.2.0 <b@y>: Recipient address rejected: Greylisted, see http://postgrey…";
    // others: "451 4.7.1 Please try again later".
    return {
      outcome: 'greylisted',
      explanation:
        'The server greylisted this first attempt: it asks unknown senders to come back later. A real mail server retries after a few minutes and is then accepted; run the test again in 5 to 15 minutes.',
    };
  }
  if (
    code === 421 ||
    (code >= 400 && code < 500 && x.startsWith('4.7.')) ||
    /\brate\b|rate.?limit|too many (messages|connections)|throttl/i.test(text)
  ) {
    return {
      outcome: 'rate-limited',
      explanation:
        'The server is limiting you (too many messages or connections, or it is busy) and asks you to try later. Slow down, or check the sending quota of the account.',
    };
  }
  if (code === 452 || x === '4.5.3' || x === '5.5.3') {
    return {
      outcome: 'too-many-recipients',
      explanation:
        'The server refused more recipients in this transaction (or for now). Send to fewer recipients per message.',
    };
  }
  if (code === 552 || x === '5.3.4') {
    return {
      outcome: 'message-too-large',
      explanation:
        'The message is larger than the server accepts (see SIZE in its EHLO). Send smaller messages or raise the limit on the server.',
    };
  }
  if (POLICY_CODES.has(x) || /dmarc|spf|dkim/i.test(text)) {
    // Gmail: "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC
    // policy"; Microsoft: "550 5.7.509 Access denied, sending domain … does not pass DMARC verification".
    return {
      outcome: 'policy',
      explanation:
        "The receiving side refused the message by the sending domain's authentication policy (SPF, DKIM or DMARC). Publish SPF for this server, sign with DKIM, and align the From domain with them.",
    };
  }
  if (code === 530 || x === '5.7.57' || (x === '5.7.0' && /auth/i.test(text))) {
    // Microsoft 365: "530 5.7.57 Client not authenticated to send mail"; Gmail: "530 5.7.0 Authentication Required".
    return {
      outcome: 'auth-required',
      explanation:
        'The server takes mail only from clients that log in. Give a user name (--user) and log in over TLS.',
    };
  }
  if (code === 535 || code === 534 || stage === 'auth') {
    return {
      outcome: 'auth-failed',
      explanation: 'The login failed, so nothing was sent. See the login advice.',
    };
  }
  if (
    code === 553 ||
    x === '5.7.60' ||
    (stage === 'mail' && code >= 500) ||
    /sender|not owned|send as|from address/i.test(text)
  ) {
    // Postfix: "553 5.7.1 <a@x>: Sender address rejected: not owned by user alice"; Microsoft 365:
    // "550 5.7.60 SMTP; Client does not have permissions to send as this sender".
    return {
      outcome: 'sender-not-allowed',
      explanation:
        'The server does not let this login send from this address. Send from an address the account owns, or have the owner allow it to send as this address.',
    };
  }
  if (x === '5.1.1' || /user unknown|no such user|does not exist|mailbox unavailable/i.test(text)) {
    return {
      outcome: 'recipient-unknown',
      explanation: 'The recipient does not exist on the receiving server. Check the address.',
    };
  }
  if (stage === 'rcpt' && (x === '5.7.1' || code === 554 || code === 550 || /relay/i.test(text))) {
    // Postfix: "554 5.7.1 <b@y>: Relay access denied"; Exim: "550 relay not permitted".
    return {
      outcome: 'relay-denied',
      explanation:
        "The server does not relay for you: it takes mail for its own domains only. Log in (--user) to send to other domains, or deliver to the recipient domain's MX instead.",
    };
  }
  return {
    outcome: 'rejected',
    explanation: `The server refused the message at ${stage === 'data' ? 'the end of DATA' : `the ${stage.toUpperCase()} step`}; its reply says why.`,
  };
}

/** Pulls the queue id out of a 250 reply to DATA; null when the server does not name one. */
export function queueIdFrom(reply: SmtpReply): string | null {
  const patterns = [
    // Postfix: "250 2.0.0 Ok: queued as 4F8Jb52Yhqz9sWx"
    /queued as\s+([A-Za-z0-9.@_-]+)/i,
    // Exim: "250 OK id=1t2Abc-000123-Xy"
    /\bid=([A-Za-z0-9._-]+)/i,
    // Sendmail: "250 2.0.0 4B2N1x0A012345 Message accepted for delivery"
    /^250[ -]\d\.\d\.\d\s+([A-Za-z0-9]{8,})\s+Message accepted/i,
    // smtp-server, Amazon SES and others: "250 Ok: <id>" / "250 Ok 0100018…"
    /^250[ -](?:\d\.\d\.\d\s+)?(?:ok|queued)[:\s]+<?([A-Za-z0-9][A-Za-z0-9.@_-]{5,})>?/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(reply.text);
    if (match) return match[1]!;
  }
  return null;
}
