import { isIP } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import {
  type AuthAdvice,
  type AuthFailureFacts,
  authOnlyAfterTlsNote,
  explainAuthFailure,
} from '../diagnose/knowledge/auth-replies.js';
import { type Failure, describeFailure } from './describe-failure.js';
import { nodemailerVersion } from './nodemailer-version.js';
import { type SmtpReply, parseReply } from './reply.js';
import { secretForms } from './secrets.js';
import { type SessionStep, reportSteps } from './session-step.js';
import { type TranscriptLine, authMechanisms, createTranscriptCollector } from './transcript.js';
import { type ProofLimits, type ShownTlsOptions, sessionTimeouts } from './verify-transport.js';

/**
 * A login test, like `swaks --auth`: connect with nodemailer's SMTP client exactly as a transport
 * would (TLS from the first byte, or STARTTLS which is then required), read which AUTH mechanisms
 * the encrypted session offers, and log in once with the first password mechanism offered (PLAIN,
 * LOGIN, CRAM-MD5), or the one asked for.
 *
 * nodemailer's SMTPConnection is used rather than transport.verify() because verify() skips AUTH
 * when the server does not advertise it and, offered only XOAUTH2, sends the password with PLAIN
 * anyway; here the EHLO is read first, so the password is only ever sent inside TLS and only to a
 * server that offers a mechanism for it.
 *
 * The password never appears in the result: the transcript is redacted by AUTH state, the server's
 * answer to AUTH is scrubbed for every encoding of the password, and error texts repeating it are
 * redacted the same way (see transcript.ts and secrets.ts).
 */

export const PASSWORD_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const;
export type PasswordMechanism = (typeof PASSWORD_MECHANISMS)[number];

export const CREDENTIAL_OUTCOMES = [
  'accepted',
  'rejected',
  'oauth-only',
  'auth-not-offered',
  'no-password-mechanism',
  'connection-failed',
] as const;
export type CredentialOutcome = (typeof CREDENTIAL_OUTCOMES)[number];

export interface CredentialTestOptions {
  host: string;
  port: number;
  /** true: TLS from the first byte (465); false: STARTTLS, required before anything is sent. */
  secure: boolean;
  user: string;
  password: string;
  tls?: Omit<ShownTlsOptions, 'rejectUnauthorized'>;
  /**
   * The address to connect to, when the caller already resolved `host` (the probe did): the session
   * goes to that address while the certificate is checked against `host` and the provider is
   * recognised from it.
   */
  address?: string;
  /** Log in with this mechanism instead of the first one offered. */
  mechanism?: PasswordMechanism;
  limits: ProofLimits;
  /** Called as the session reaches each step (connect, STARTTLS, AUTH…), for a live display. */
  onStep?: (step: SessionStep) => void;
}

export interface CredentialTestResult {
  by: 'nodemailer';
  version: string;
  ok: boolean;
  outcome: CredentialOutcome;
  host: string;
  port: number;
  security: 'implicit-tls' | 'starttls';
  /** The mechanism that logged in (accepted) or was tried (rejected). */
  mechanism?: string;
  /** AUTH mechanisms of the encrypted session. */
  offeredMechanisms: string[];
  /** The server's answer to the login, when there was one. */
  reply?: SmtpReply;
  /** What the failure means and what to do (from the provider knowledge). */
  advice?: AuthAdvice;
  /** Short reason for connection-failed. */
  error?: string;
  failure?: Failure;
  /** Things worth knowing even on success ("AUTH is offered only after STARTTLS"). */
  notes: string[];
  /** Every command and reply, AUTH lines redacted. */
  transcript: TranscriptLine[];
}

/** The certificate is checked against the host name even when the session goes to a resolved address. */
export function tlsFor(
  host: string,
  address: string | undefined,
  tls: Omit<ShownTlsOptions, 'rejectUnauthorized'> | undefined,
): ShownTlsOptions {
  const servername = tls?.servername ?? (address !== undefined && isIP(host) === 0 ? host : undefined);
  // Credentials only go to a server whose certificate checks out, whatever the caller passed.
  return { ...tls, ...(servername ? { servername } : {}), rejectUnauthorized: true };
}

function chooseMechanism(offered: string[], wanted?: PasswordMechanism): PasswordMechanism | null {
  if (wanted) return offered.includes(wanted) ? wanted : null;
  return PASSWORD_MECHANISMS.find((mechanism) => offered.includes(mechanism)) ?? null;
}

/** What an encrypted session allows, read from its EHLO replies before anything secret is sent. */
export interface LoginSession {
  host: string;
  port: number;
  /** true: TLS from the first byte, so there is no EHLO before TLS to compare with. */
  secure: boolean;
  user: string;
  /** The session's EHLO replies in order (before and after STARTTLS). */
  ehloReplies: string[];
  /** nodemailer's `allowsAuth`: the last EHLO offers AUTH. */
  allowsAuth: boolean;
  /** The mechanism the caller asked for, if any. */
  mechanism?: PasswordMechanism;
}

/** Why the password is not sent in a session. */
export type LoginRefusal = 'auth-not-offered' | 'oauth-only' | 'no-password-mechanism';

/** What the session offers, read from its EHLO replies. */
export interface LoginOffer {
  /** AUTH mechanisms of the encrypted session. */
  offered: string[];
  /** AUTH mechanisms offered in plain text before STARTTLS; null in implicit TLS. */
  mechanismsBeforeTls: string[] | null;
  /** Things worth knowing whatever happens next. */
  notes: string[];
}

/** The mechanism to send the password with, or why the password must not be sent at all. */
export type LoginPlan = LoginOffer &
  (
    | { mechanism: PasswordMechanism; refusal?: undefined }
    | { mechanism: null; refusal: { outcome: LoginRefusal; advice: AuthAdvice } }
  );

/**
 * The login test's rule, shared with the send test: the password goes only with a password
 * mechanism the encrypted session offers. A server offering only XOAUTH2/OAUTHBEARER gets no
 * password at all, where nodemailer alone would fall back to PLAIN and send it.
 */
export function planLogin(session: LoginSession): LoginPlan {
  const ehlo = session.ehloReplies;
  const offered = authMechanisms(ehlo.at(-1) ?? null);
  const mechanismsBeforeTls = session.secure ? null : ehlo.length >= 2 ? authMechanisms(ehlo[0]!) : null;
  const facts: AuthFailureFacts = {
    host: session.host,
    port: session.port,
    user: session.user,
    offeredMechanisms: offered,
    mechanismsBeforeTls,
  };
  const notes = [authOnlyAfterTlsNote(facts)].filter((note): note is string => note !== null);
  const plan = { offered, mechanismsBeforeTls, notes };
  if (!session.allowsAuth || offered.length === 0) {
    return {
      ...plan,
      mechanism: null,
      refusal: { outcome: 'auth-not-offered', advice: explainAuthFailure(facts) },
    };
  }
  const mechanism = chooseMechanism(offered, session.mechanism);
  if (mechanism) return { ...plan, mechanism };
  const advice = explainAuthFailure(facts);
  const oauthOnly = !session.mechanism && advice.id === 'oauth-only';
  return {
    ...plan,
    mechanism: null,
    refusal: { outcome: oauthOnly ? 'oauth-only' : 'no-password-mechanism', advice },
  };
}

/** Logs in once and reports what happened. Never throws for a network or server outcome. */
export function testCredentials(options: CredentialTestOptions): Promise<CredentialTestResult> {
  const forms = secretForms({ user: options.user, password: options.password });
  const collector = createTranscriptCollector(forms, reportSteps(options.onStep));
  const security = options.secure ? 'implicit-tls' : 'starttls';
  const base = {
    by: 'nodemailer' as const,
    version: nodemailerVersion(),
    host: options.host,
    port: options.port,
    security: security as CredentialTestResult['security'],
  };
  const { timeoutMs } = options.limits;
  const connection = new SMTPConnection({
    host: options.address ?? options.host,
    port: options.port,
    secure: options.secure,
    // Never log in over plain text: a STARTTLS session must upgrade or fail.
    requireTLS: !options.secure,
    tls: tlsFor(options.host, options.address, options.tls),
    ...sessionTimeouts(timeoutMs),
    logger: collector.logger,
    transactionLog: true,
  });
  const context = {
    host: options.host,
    port: options.port,
    secure: options.secure,
    checkedName: options.tls?.servername ?? options.host,
    secretForms: forms,
    redact: collector.redact,
  };

  return new Promise<CredentialTestResult>((resolve) => {
    let settled = false;
    let offered: string[] = [];
    let mechanismsBeforeTls: string[] | null = null;
    let tried: string | undefined;
    let notes: string[] = [];
    const finish = (
      result: Omit<CredentialTestResult, keyof typeof base | 'transcript' | 'offeredMechanisms' | 'notes'> & {
        notes?: string[];
      },
    ) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({
        ...base,
        ...result,
        offeredMechanisms: offered,
        notes: result.notes ?? notes,
        transcript: collector.lines(),
      });
      if (result.ok) connection.quit();
      else connection.close();
    };
    const failed = (error: unknown) => {
      const failure = describeFailure(error, context);
      const response = (error as { response?: unknown }).response;
      // Redacted as the transcript redacts it: a server may echo the password in its answer to AUTH.
      const reply = parseReply(typeof response === 'string' ? collector.redact(response) : response);
      // A reply to AUTH is a login answer to decode; anything else is a connection failure.
      if (tried !== undefined && reply) {
        const facts: AuthFailureFacts = {
          host: options.host,
          port: options.port,
          user: options.user,
          reply,
          offeredMechanisms: offered,
          mechanismsBeforeTls,
        };
        finish({
          ok: false,
          outcome: 'rejected',
          mechanism: tried,
          reply,
          advice: explainAuthFailure(facts),
        });
        return;
      }
      finish({
        ok: false,
        outcome: 'connection-failed',
        ...(tried ? { mechanism: tried } : {}),
        ...(reply ? { reply } : {}),
        error: failure.reason,
        failure,
      });
    };
    // The server's and nodemailer's own timers end a stuck session first; this only guarantees an end.
    const deadline = setTimeout(() => {
      failed(Object.assign(new Error('the login did not finish in time'), { code: 'ETIMEDOUT' }));
    }, timeoutMs * 4);
    connection.on('error', failed);
    connection.once('end', () =>
      failed(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })),
    );

    connection.connect((connectError) => {
      if (connectError) return failed(connectError);
      if (!connection.secure) {
        // requireTLS makes nodemailer fail first; this is the belt to its braces.
        finish({
          ok: false,
          outcome: 'connection-failed',
          error: 'the session is not encrypted: the password was not sent',
        });
        return;
      }
      const plan = planLogin({
        host: options.host,
        port: options.port,
        secure: options.secure,
        user: options.user,
        ehloReplies: collector.ehloReplies(),
        allowsAuth: connection.allowsAuth,
        ...(options.mechanism ? { mechanism: options.mechanism } : {}),
      });
      offered = plan.offered;
      mechanismsBeforeTls = plan.mechanismsBeforeTls;
      notes = plan.notes;
      if (plan.mechanism === null) {
        finish({ ok: false, outcome: plan.refusal.outcome, advice: plan.refusal.advice, notes });
        return;
      }
      const { mechanism } = plan;
      tried = mechanism;
      connection.login({ user: options.user, pass: options.password, method: mechanism }, (loginError) => {
        if (loginError) return failed(loginError);
        finish({
          ok: true,
          outcome: 'accepted',
          mechanism: collector.authenticatedMechanism() ?? mechanism,
          notes,
        });
      });
    });
  });
}
