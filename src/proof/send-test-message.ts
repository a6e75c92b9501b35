import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { Transport } from 'nodemailer/lib/mailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { type AuthAdvice, explainAuthFailure } from '../diagnose/knowledge/auth-replies.js';
import { type Failure, describeFailure } from './describe-failure.js';
import { type SendOutcome, type SendStage, explainSendRefusal, queueIdFrom } from './explain-send.js';
import { nodemailerVersion } from './nodemailer-version.js';
import { type SmtpReply, parseReply } from './reply.js';
import { secretForms } from './secrets.js';
import { type SessionStep, reportSteps } from './session-step.js';
import { type LoginRefusal, planLogin, tlsFor } from './test-credentials.js';
import {
  type TranscriptCollector,
  type TranscriptLine,
  authMechanisms,
  createTranscriptCollector,
} from './transcript.js';
import { type ProofLimits, type ShownTlsOptions, sessionTimeouts } from './verify-transport.js';

/**
 * A send test, like `swaks --to`: one small message, clearly labelled as a smtp-check test, sent
 * through the host with nodemailer, with the whole SMTP transaction kept as a transcript (AUTH lines
 * redacted) and the outcome explained: queued (with the server's queue id), or why it was refused.
 *
 * One recipient only: a diagnostic must not become a way to send mail to many people. With
 * credentials the session must be encrypted (requireTLS) and the certificate valid, so the password
 * never crosses the network in clear; without them nodemailer upgrades when the server offers
 * STARTTLS, and `requireTLS` makes that mandatory.
 *
 * nodemailer composes the message (Mail), and its SMTPConnection carries the session as its SMTP
 * transport would, with one difference: the login follows the login test's rule (`planLogin`),
 * decided from the encrypted session's EHLO before the password is sent. nodemailer's own
 * transport, offered only XOAUTH2, falls back to PLAIN and sends the password anyway.
 */

export interface SendTestOptions {
  host: string;
  port: number;
  /** true: TLS from the first byte; false: plain start, upgraded with STARTTLS when offered. */
  secure: boolean;
  /** Fail rather than send in clear (always on when a password is given). Default true. */
  requireTLS?: boolean;
  /** Connect to this resolved address while the certificate is checked against `host`. */
  address?: string;
  from: string;
  /** Exactly one address. */
  to: string;
  user?: string;
  password?: string;
  tls?: Omit<ShownTlsOptions, 'rejectUnauthorized'>;
  limits: ProofLimits;
  /** Called as the session reaches each step (connect, STARTTLS, AUTH, MAIL…), for a live display. */
  onStep?: (step: SessionStep) => void;
}

export interface SendTestDeps {
  now?: () => Date;
}

export interface SendTestResult {
  by: 'nodemailer';
  version: string;
  ok: boolean;
  outcome: SendOutcome;
  /** One or two sentences: what happened and what to do. */
  explanation: string;
  /** The step that answered last. */
  stage: SendStage;
  /** The reply that settled it (250 after DATA, or the refusal). */
  reply?: SmtpReply;
  /** The server's id for the queued message, from its 250 reply. */
  queueId?: string;
  /** The Message-ID we gave the test message. */
  messageId: string;
  /** Login advice when the login failed. */
  advice?: AuthAdvice;
  error?: string;
  failure?: Failure;
  /** Every command and reply, AUTH lines redacted. */
  transcript: TranscriptLine[];
}

const SUBJECT = 'smtp-check test message';

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at === -1 ? '' : address.slice(at + 1).replace(/[^A-Za-z0-9.-]/g, '');
  return domain.length > 0 ? domain : 'smtp-check.invalid';
}

/** A single plain address: no lists, no display names, no groups. */
export function isSingleAddress(value: string): boolean {
  return /^[^\s,;<>()"@]+@[^\s,;<>()"@]+$/.test(value.trim());
}

/** The login test refused to send the password in this session; nothing was sent. */
class PasswordWithheld extends Error {
  constructor(
    readonly outcome: Exclude<LoginRefusal, 'auth-not-offered'>,
    readonly advice: AuthAdvice,
  ) {
    super(advice.summary);
  }
}

interface SessionLogin {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
}

type SendInfo = SMTPConnection.SentMessageInfo;

/**
 * A nodemailer transport for one message over one SMTPConnection: connect, log in by the login
 * test's rule, send. Like nodemailer's SMTP transport, a session that offers no AUTH sends without
 * logging in (the server then decides whether it relays).
 */
function sessionTransport(
  connectionOptions: SMTPConnection.Options,
  login: SessionLogin | null,
  collector: TranscriptCollector,
): Transport<SendInfo> {
  return {
    name: 'SMTP',
    version: `${nodemailerVersion()}[smtp-check]`,
    supportsAbortSignal: true,
    send(mail, callback) {
      const connection = new SMTPConnection(connectionOptions);
      const signal = mail.data.signal;
      let returned = false;
      const finish = (error: Error | null, info?: SendInfo) => {
        if (returned) return;
        returned = true;
        signal?.removeEventListener('abort', onAbort);
        if (error || !info) {
          connection.close();
          callback(error ?? new Error('no answer to the message'));
        } else {
          connection.quit();
          callback(null, info);
        }
      };
      function onAbort() {
        finish(Object.assign(new Error('the send test did not finish in time'), { code: 'ETIMEDOUT' }));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      // As in nodemailer's SMTP transport: a close that matters comes as an error or as a command's
      // own error (a 421 ends the session before its command's callback runs); the signal is the end.
      // The listener stays: an error after the end (during QUIT) must not go unhandled.
      connection.on('error', (error: Error) => finish(error));
      const deliver = () => {
        connection.send(mail.message.getEnvelope(), mail.message.createReadStream(), (error, info) =>
          finish(error ?? null, info),
        );
      };
      connection.connect((connectError) => {
        if (connectError) return finish(connectError);
        if (!login) return deliver();
        if (!connection.secure) {
          // requireTLS makes nodemailer fail first; this is the belt to its braces.
          return finish(
            Object.assign(new Error('the session is not encrypted: the password was not sent'), {
              code: 'ETLS',
            }),
          );
        }
        const plan = planLogin({
          host: login.host,
          port: login.port,
          secure: login.secure,
          user: login.user,
          ehloReplies: collector.ehloReplies(),
          allowsAuth: connection.allowsAuth,
        });
        if (plan.mechanism === null) {
          if (plan.refusal.outcome === 'auth-not-offered') return deliver();
          return finish(new PasswordWithheld(plan.refusal.outcome, plan.refusal.advice));
        }
        connection.login({ user: login.user, pass: login.password, method: plan.mechanism }, (loginError) =>
          loginError ? finish(loginError) : deliver(),
        );
      });
    },
  };
}

function stageOf(command: unknown): SendStage {
  const text = typeof command === 'string' ? command.toUpperCase() : '';
  if (text.startsWith('AUTH')) return 'auth';
  if (text.startsWith('MAIL')) return 'mail';
  if (text.startsWith('RCPT')) return 'rcpt';
  if (text.startsWith('DATA') || text === '.') return 'data';
  return 'connect';
}

/** Sends one labelled test message and explains the outcome. Never throws for a network or server outcome. */
export async function sendTestMessage(
  options: SendTestOptions,
  deps: SendTestDeps = {},
): Promise<SendTestResult> {
  const now = deps.now ?? (() => new Date());
  const messageId = `<smtp-check.${randomUUID()}@${domainOf(options.from)}>`;
  const base = { by: 'nodemailer' as const, version: nodemailerVersion(), messageId };
  if (!isSingleAddress(options.to)) {
    return {
      ...base,
      ok: false,
      outcome: 'several-recipients',
      stage: 'connect',
      explanation: 'A send test goes to exactly one plain address (name@domain); nothing was sent.',
      transcript: [],
    };
  }
  const user = options.user;
  const password = options.password ?? '';
  const forms = secretForms({ user: user ?? '', password });
  const collector = createTranscriptCollector(forms, reportSteps(options.onStep));
  const withLogin = user !== undefined;
  const { timeoutMs } = options.limits;
  const transport = createTransport(
    sessionTransport(
      {
        host: options.address ?? options.host,
        port: options.port,
        secure: options.secure,
        requireTLS: withLogin || (options.requireTLS ?? true),
        tls: tlsFor(options.host, options.address, options.tls),
        ...sessionTimeouts(timeoutMs),
        logger: collector.logger,
        transactionLog: true,
      },
      user !== undefined
        ? { host: options.host, port: options.port, secure: options.secure, user, password }
        : null,
      collector,
    ),
  );
  const sentAt = now().toISOString();
  const context = {
    host: options.host,
    port: options.port,
    secure: options.secure,
    checkedName: options.tls?.servername ?? options.host,
    secretForms: forms,
    redact: collector.redact,
  };
  try {
    const info = await transport.sendMail({
      from: options.from,
      to: options.to,
      subject: SUBJECT,
      messageId,
      text: [
        'This is a test message sent by smtp-check, a tool that checks SMTP servers.',
        `It was sent through ${options.host} port ${options.port} at ${sentAt} to check that the server accepts mail from ${options.from} for ${options.to}.`,
        'It needs no reply and can be deleted.',
      ].join('\n'),
      headers: { 'X-Smtp-Check': 'test message' },
      // An overall end for a server that trickles its replies just fast enough to dodge socketTimeout.
      signal: AbortSignal.timeout(timeoutMs * 6),
    });
    const reply = parseReply(collector.redact(info.response)) ?? undefined;
    const queueId = info.serverMessageId ?? (reply ? queueIdFrom(reply) : null);
    return {
      ...base,
      ok: true,
      outcome: 'queued',
      stage: 'data',
      explanation: `The server accepted the message for delivery${queueId ? ` (queue id ${queueId})` : ''}. Whether it arrives now depends on the receiving side; look for the subject "${SUBJECT}".`,
      ...(reply ? { reply } : {}),
      ...(queueId ? { queueId } : {}),
      transcript: collector.lines(),
    };
  } catch (error) {
    const transcript = collector.lines();
    if (error instanceof PasswordWithheld) {
      // Explained as the login test explains it: the same outcome and the same advice.
      return {
        ...base,
        ok: false,
        outcome: error.outcome,
        explanation: `${error.advice.summary} The message was not sent.`,
        stage: 'auth',
        advice: error.advice,
        transcript,
      };
    }
    const e = error as { command?: unknown; response?: unknown; code?: unknown };
    const stage = e.code === 'EAUTH' ? 'auth' : stageOf(e.command);
    // Redacted as the transcript redacts it: a server may echo the password in its answer to AUTH.
    const reply = parseReply(typeof e.response === 'string' ? collector.redact(e.response) : e.response);
    if (reply && reply.code >= 400) {
      const { outcome, explanation } = explainSendRefusal(stage, reply);
      const advice =
        stage === 'auth'
          ? explainAuthFailure({
              host: options.host,
              port: options.port,
              user: user ?? '',
              reply,
              offeredMechanisms: authMechanisms(collector.lastEhlo()),
              mechanismsBeforeTls: null,
            })
          : undefined;
      return {
        ...base,
        ok: false,
        outcome,
        explanation,
        stage,
        reply,
        ...(advice ? { advice } : {}),
        transcript,
      };
    }
    const failure = describeFailure(error, context);
    return {
      ...base,
      ok: false,
      outcome: 'connection-failed',
      stage,
      explanation: `Nothing was sent: ${failure.reason}.`,
      error: failure.reason,
      failure,
      ...(reply ? { reply } : {}),
      transcript,
    };
  }
}
