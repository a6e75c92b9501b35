import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SecureContext, TLSSocket } from 'node:tls';
import { certificateFacts, tlsFacts } from './certificate.js';
import { type EhloFacts, parseEhlo } from './ehlo.js';
import { type ReadResult, ReplyReader } from './reply-reader.js';
import { tlsHandshake } from './tls-handshake.js';
import type {
  CertificateFacts,
  ProbeFailure,
  ProbeLimits,
  ProbeMode,
  SmtpReply,
  Stage,
  StageTimings,
  TlsFacts,
} from './types.js';

/** Everything one connection attempt in one TLS mode learnt. */
export interface Attempt {
  mode: ProbeMode;
  address: string;
  timings: StageTimings;
  greeting: { reply: SmtpReply; raw: string[]; ms: number } | null;
  /** EHLO keywords of the plain-text session (evidence only once TLS is up). */
  ehloBeforeTls: string[];
  /** EHLO keywords inside TLS (implicit TLS, or after STARTTLS); null when no EHLO succeeded there. */
  ehloInTls: string[] | null;
  ehloPlainFacts: EhloFacts | null;
  ehloTlsFacts: EhloFacts | null;
  heloFallback: boolean;
  /** The first line of the last EHLO (or HELO) reply that succeeded, after its code: the server's name. */
  ehloGreeting: string | null;
  upgraded: boolean;
  tls: TlsFacts | null;
  certificate: CertificateFacts | null;
  failure: ProbeFailure | null;
  truncated: boolean;
  /** Whether the server sent any byte at all on this connection (inside TLS for implicit TLS). */
  spoke: boolean;
}

export interface SessionContext {
  host: string;
  clientName: string;
  limits: ProbeLimits;
  secureContext: SecureContext | undefined;
  now: Date;
  /** performance.now() value at which the whole port must be done. */
  deadlineAt: number;
}

const QUIT_TIMEOUT_MS = 2_000;

export function newAttempt(mode: ProbeMode, address: string): Attempt {
  return {
    mode,
    address,
    timings: {},
    greeting: null,
    ehloBeforeTls: [],
    ehloInTls: null,
    ehloPlainFacts: null,
    ehloTlsFacts: null,
    heloFallback: false,
    ehloGreeting: null,
    upgraded: false,
    tls: null,
    certificate: null,
    failure: null,
    truncated: false,
    spoke: false,
  };
}

/** Records the TLS session and its certificate on the attempt. */
export function recordTls(attempt: Attempt, socket: TLSSocket, context: SessionContext): void {
  attempt.tls = tlsFacts(socket, context.host);
  attempt.certificate = certificateFacts(socket, context.host, context.now);
}

function budget(context: SessionContext, stageMs: number): number {
  return Math.min(stageMs, context.deadlineAt - performance.now());
}

function readFailure(attempt: Attempt, stage: Stage, result: Exclude<ReadResult, { ok: true }>): void {
  attempt.failure = { stage, ...result.failure };
  attempt.truncated ||= result.truncated;
}

function replyFailure(stage: Stage, reply: SmtpReply): ProbeFailure {
  return {
    stage,
    kind: 'smtp-reply',
    replyCode: reply.code,
    message: `${reply.code} ${reply.lines.join(' ')}`,
  };
}

/**
 * The SMTP dialogue on a connected socket (already inside TLS for implicit TLS): greeting, EHLO
 * (HELO when EHLO is refused with 5xx), STARTTLS and EHLO again inside TLS, QUIT. Nothing else is
 * ever sent — no AUTH, MAIL, RCPT or DATA. Results and failures are written on the attempt.
 */
export async function smtpSession(socket: Socket, attempt: Attempt, context: SessionContext): Promise<void> {
  const { limits } = context;
  let current: Socket = socket;
  let reader = new ReplyReader(current, limits, () => {
    attempt.spoke = true;
  });
  const send = (line: string) => {
    if (current.writable) current.write(`${line}\r\n`);
  };

  const ehlo = async (stage: 'ehlo' | 'tls-ehlo'): Promise<string[] | null> => {
    const started = performance.now();
    send(`EHLO ${context.clientName}`);
    let result = await reader.read(budget(context, limits.replyTimeoutMs));
    if (result.ok && result.reply.code >= 500 && result.reply.code < 600) {
      attempt.heloFallback = true;
      send(`HELO ${context.clientName}`);
      result = await reader.read(budget(context, limits.replyTimeoutMs));
    }
    attempt.timings[stage] = performance.now() - started;
    if (!result.ok) {
      readFailure(attempt, stage, result);
      return null;
    }
    if (result.reply.code >= 400) {
      attempt.failure = replyFailure(stage, result.reply);
      return null;
    }
    attempt.ehloGreeting = result.reply.lines[0] ?? null;
    return attempt.heloFallback ? [] : result.reply.lines.slice(1);
  };

  try {
    const greetingStart = performance.now();
    const greeting = await reader.read(budget(context, limits.greetingTimeoutMs), limits.otherModeAfterMs);
    const greetingMs = performance.now() - greetingStart;
    attempt.timings.greeting = greetingMs;
    if (!greeting.ok) return readFailure(attempt, 'greeting', greeting);
    attempt.greeting = { reply: greeting.reply, raw: greeting.raw, ms: greetingMs };
    if (greeting.reply.code < 200 || greeting.reply.code >= 300) {
      attempt.failure = replyFailure('greeting', greeting.reply);
      return;
    }

    const inTls = attempt.mode === 'implicit-tls';
    const keywords = await ehlo('ehlo');
    if (keywords === null) return;
    const facts = parseEhlo(keywords);
    if (inTls) {
      attempt.ehloInTls = keywords;
      attempt.ehloTlsFacts = facts;
    } else {
      attempt.ehloBeforeTls = keywords;
      attempt.ehloPlainFacts = facts;
    }

    if (!inTls && facts.starttls) {
      const started = performance.now();
      send('STARTTLS');
      const ready = await reader.read(budget(context, limits.replyTimeoutMs));
      attempt.timings.starttls = performance.now() - started;
      if (!ready.ok) return readFailure(attempt, 'starttls', ready);
      if (ready.reply.code !== 220) {
        attempt.failure = replyFailure('starttls', ready.reply);
        return;
      }
      // Whatever arrived after "220 Ready to start TLS" is dropped with the reader (RFC 3207 §6).
      reader.detach();
      const handshake = await tlsHandshake(current, {
        host: context.host,
        secureContext: context.secureContext,
        timeoutMs: budget(context, limits.replyTimeoutMs),
      });
      attempt.timings['tls-handshake'] = handshake.ms;
      if (!handshake.ok) {
        attempt.failure = handshake.failure;
        return;
      }
      attempt.upgraded = true;
      current = handshake.socket;
      recordTls(attempt, handshake.socket, context);
      reader = new ReplyReader(current, limits);
      const tlsKeywords = await ehlo('tls-ehlo');
      if (tlsKeywords === null) return;
      attempt.ehloInTls = tlsKeywords;
      attempt.ehloTlsFacts = parseEhlo(tlsKeywords);
    }

    const quitStart = performance.now();
    send('QUIT');
    await reader.read(budget(context, Math.min(limits.replyTimeoutMs, QUIT_TIMEOUT_MS)));
    attempt.timings.quit = performance.now() - quitStart;
  } finally {
    current.destroy();
    socket.destroy();
  }
}
