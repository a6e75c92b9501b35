import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SecureContext } from 'node:tls';
import { classifyAttempt, classifyRetry, shouldRetryOtherMode } from './classify.js';
import { PathEvidence, connectTcp } from './connect.js';
import { type Attempt, type SessionContext, newAttempt, recordTls, smtpSession } from './session.js';
import { secureContextFor, tlsHandshake } from './tls-handshake.js';
import {
  DEFAULT_LIMITS,
  type PortClass,
  type PortProbe,
  type PortProbeRequest,
  type ProbeLimits,
  type ProbeMode,
} from './types.js';

/** Shared by the ports of one host: what the path to the address has shown, and the trust store. */
export interface PortProbeContext {
  path?: PathEvidence;
  secureContext?: SecureContext;
}

async function runAttempt(
  request: PortProbeRequest,
  mode: ProbeMode,
  session: SessionContext,
  path: PathEvidence,
  attempt: Attempt = newAttempt(mode, request.address),
  onConnected?: (socket: Socket) => void,
): Promise<Attempt> {
  const remaining = session.deadlineAt - performance.now();
  const connected = await connectTcp(request.address, request.port, {
    timeoutMs: Math.min(session.limits.connectTimeoutMs, remaining),
    path,
  });
  attempt.timings.connect = connected.ms;
  if (!connected.ok) {
    attempt.failure = connected.failure;
    return attempt;
  }
  let socket = connected.socket;
  onConnected?.(socket);
  if (mode === 'implicit-tls') {
    const handshake = await tlsHandshake(socket, {
      host: request.host,
      secureContext: session.secureContext,
      timeoutMs: Math.min(session.limits.replyTimeoutMs, session.deadlineAt - performance.now()),
      captureAnswer: true,
    });
    attempt.timings['tls-handshake'] = handshake.ms;
    if (!handshake.ok) {
      attempt.failure = handshake.failure;
      socket.destroy();
      return attempt;
    }
    recordTls(attempt, handshake.socket, session);
    socket = handshake.socket;
  }
  await smtpSession(socket, attempt, session);
  return attempt;
}

function toPortProbe(
  request: PortProbeRequest,
  attempt: Attempt,
  verdict: PortClass,
  first: Attempt | null,
  durationMs: number,
): PortProbe {
  const inTls = attempt.mode === 'implicit-tls' || attempt.upgraded;
  const lastFacts = inTls ? attempt.ehloTlsFacts : attempt.ehloPlainFacts;
  return {
    port: request.port,
    mode: request.mode,
    observedMode: attempt.greeting || attempt.tls ? attempt.mode : null,
    class: verdict,
    address: request.address,
    timings: attempt.timings,
    durationMs,
    greeting: attempt.greeting ? attempt.greeting.raw.join('\n') : null,
    greetingCode: attempt.greeting?.reply.code ?? null,
    // After STARTTLS only what was said inside TLS counts (RFC 3207 §6); the plain EHLO stays evidence.
    ehlo: inTls ? (attempt.ehloInTls ?? []) : attempt.ehloBeforeTls,
    ehloBeforeTls: attempt.ehloBeforeTls,
    heloFallback: attempt.heloFallback,
    ehloGreeting: attempt.ehloGreeting,
    auth: { beforeTls: attempt.ehloPlainFacts?.auth ?? [], afterTls: attempt.ehloTlsFacts?.auth ?? [] },
    sizeLimit: lastFacts?.sizeLimit ?? null,
    tls: attempt.tls,
    certificate: attempt.certificate,
    failure: attempt.failure,
    truncated: attempt.truncated,
    firstAttempt: first?.failure ? { mode: first.mode, failure: first.failure } : null,
  };
}

/**
 * Probes one port at a vetted address: connect, [TLS], greeting, EHLO, STARTTLS, EHLO, QUIT, with
 * a timeout per stage and a deadline for the port. A port that stays silent (or answers a TLS hello
 * in plain text) is tried once more in the other TLS mode. Never throws for a network outcome.
 */
export async function probePort(
  request: PortProbeRequest,
  limits: ProbeLimits = DEFAULT_LIMITS,
  context: PortProbeContext = {},
): Promise<PortProbe> {
  const start = performance.now();
  const path = context.path ?? new PathEvidence();
  const session: SessionContext = {
    host: request.host,
    clientName: request.clientName ?? hostname(),
    limits,
    secureContext: context.secureContext ?? secureContextFor(request.extraCa),
    now: (request.now ?? (() => new Date()))(),
    deadlineAt: start + limits.portDeadlineMs,
  };
  if (request.mode === 'starttls') return probeStarttlsPort(request, session, path, start);
  const first = await runAttempt(request, request.mode, session, path);
  if (shouldRetryOtherMode(first) && session.deadlineAt - performance.now() > 0) {
    const retry = await runAttempt(request, 'starttls', session, path);
    const verdict = classifyRetry(first, retry, session.limits.slowBannerMs);
    return toPortProbe(request, retry, verdict, first, performance.now() - start);
  }
  const verdict = classifyAttempt(first, session.limits.slowBannerMs);
  return toPortProbe(request, first, verdict, null, performance.now() - start);
}

/*
 * A STARTTLS port that accepts and stays silent is either greeting slowly (a greet pause of a few
 * seconds is normal anti-spam practice) or speaking something that waits for the client: implicit
 * TLS, HTTP, HTTPS. Two rules keep the probe from talking out of turn:
 *
 * - A server that has sent anything — even one `220-` line of a multi-line greeting, which is how
 *   Postfix's postscreen opens before its greet pause — is answering in SMTP. It gets no second
 *   connection: postscreen logs any byte a client sends before the final greeting line as a
 *   PREGREET violation, and sites that drop or ban on it would block the prober's address.
 * - A port that has sent not one byte for `otherModeAfterMs` (6 s, as long as nmap's NULL probe
 *   waits) gets a second connection that speaks first, with a TLS hello, while the first keeps
 *   waiting for a greeting. Its answer decides the port when it cannot come from an SMTP server:
 *   a TLS handshake (plain SMTP servers cannot complete one), a TLS alert, or plain text that is
 *   not SMTP (`HTTP/1.1 400 Bad Request`: an HTTP server answering bytes it cannot parse). Then the
 *   first connection is abandoned and the verdict comes about 6 s after connecting, not after the
 *   15 s greeting timeout. Inside TLS the greeting gets only max(500 ms, 4 × RTT): the port has had
 *   6 s already, and an SMTP server greets as soon as TLS is up, about one round trip after our
 *   side of the handshake is done.
 *
 * A server that starts a line and does not finish it within the same 6 s (a trickle) is judged on
 * the bytes it sent (see ReplyReader.read). The server sees at most one extra connection, the same
 * one a sequential retry would have made.
 */
const TLS_GREETING_AFTER_SILENCE_MS = 500;
const TLS_GREETING_RTT_FACTOR = 4;

/** Whether the implicit-TLS attempt proves the port is not a plain SMTP server that greets late. */
function settlesPort(retry: Attempt): boolean {
  if (retry.tls) return true;
  const failure = retry.failure;
  if (failure?.stage !== 'tls-handshake') return false;
  return failure.kind === 'not-smtp' || failure.kind === 'tls-alert';
}

async function probeStarttlsPort(
  request: PortProbeRequest,
  session: SessionContext,
  path: PathEvidence,
  start: number,
): Promise<PortProbe> {
  const limits = session.limits;
  const first = newAttempt('starttls', request.address);
  let firstSocket: Socket | null = null;
  let retrySocket: Socket | null = null;
  let retryRun: Promise<Attempt> | null = null;
  let abandonedFirst = false;
  let retryCancelled = false;
  // Computed when the retry starts: by then the plain connect has measured the round trip.
  const retrySession = (): SessionContext => ({
    ...session,
    limits: {
      ...limits,
      greetingTimeoutMs: Math.min(
        limits.greetingTimeoutMs,
        Math.max(TLS_GREETING_AFTER_SILENCE_MS, TLS_GREETING_RTT_FACTOR * (path.rttMs ?? 0)),
      ),
    },
  });

  const startRetry = (): Promise<Attempt> =>
    runAttempt(request, 'implicit-tls', retrySession(), path, undefined, (socket) => {
      retrySocket = socket;
      // The plain attempt may have been decided while this one was still connecting.
      if (retryCancelled) socket.destroy();
    }).then((retry) => {
      if (!retryCancelled && !first.spoke && settlesPort(retry)) {
        abandonedFirst = true;
        firstSocket?.destroy();
      }
      return retry;
    });

  let timer: NodeJS.Timeout | undefined;
  const firstRun = runAttempt(request, 'starttls', session, path, first, (socket) => {
    firstSocket = socket;
    timer = setTimeout(() => {
      if (!first.spoke && !first.failure) retryRun = startRetry();
    }, limits.otherModeAfterMs);
  });
  await firstRun;
  clearTimeout(timer);

  if (abandonedFirst) {
    const silentMs = Math.round(performance.now() - start);
    const retry = await retryRun!;
    first.failure = {
      stage: 'greeting',
      kind: 'timeout',
      message: retry.greeting
        ? `no greeting in plain text after ${silentMs} ms, while implicit TLS greeted`
        : `not a byte in plain text after ${silentMs} ms`,
    };
    const verdict = classifyRetry(first, retry, limits.slowBannerMs);
    return toPortProbe(request, retry, verdict, first, performance.now() - start);
  }
  if (first.greeting) {
    retryCancelled = true;
    (retrySocket as Socket | null)?.destroy();
    const verdict = classifyAttempt(first, limits.slowBannerMs);
    return toPortProbe(request, first, verdict, null, performance.now() - start);
  }
  if (shouldRetryOtherMode(first) && session.deadlineAt - performance.now() > 0) {
    const retry = await (retryRun ?? startRetry());
    const verdict = classifyRetry(first, retry, limits.slowBannerMs);
    return toPortProbe(request, retry, verdict, first, performance.now() - start);
  }
  retryCancelled = true;
  (retrySocket as Socket | null)?.destroy();
  const verdict = classifyAttempt(first, limits.slowBannerMs);
  return toPortProbe(request, first, verdict, null, performance.now() - start);
}
