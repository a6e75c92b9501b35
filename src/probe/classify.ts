import { hasMaskedKeyword, isMaskedBanner } from './ehlo.js';
import type { Attempt } from './session.js';
import { isPlaintextAnswer } from './socket-failure.js';
import type { PortClass, ProbeFailure } from './types.js';

function connectClass(failure: ProbeFailure): PortClass {
  switch (failure.kind) {
    case 'timeout':
      return 'filtered';
    case 'refused':
    case 'reset':
      return 'refused';
    default:
      return 'unreachable';
  }
}

function isTlsFailure(failure: ProbeFailure): boolean {
  return failure.kind === 'tls-alert' || failure.kind === 'tls-error' || failure.stage === 'tls-handshake';
}

/**
 * The verdict for one attempt, most telling evidence first: a failed connect, a reply that broke
 * the caps, foreign bytes, a refusing greeting, a masking middlebox (it explains what follows),
 * a TLS failure, then how the session went.
 */
export function classifyAttempt(attempt: Attempt, slowBannerMs: number): PortClass {
  const { failure, greeting } = attempt;
  if (failure?.stage === 'connect') return connectClass(failure);
  if (failure?.kind === 'oversized') return 'oversized-response';
  if (failure?.kind === 'not-smtp') return 'not-smtp';
  if (greeting && (greeting.reply.code < 200 || greeting.reply.code >= 300)) return 'greeting-rejected';
  // A masked banner shows a middlebox; it is `starttls-stripped` only when TLS did not come up
  // past it. When the upgrade worked, the session is sound and the mask is a finding on top.
  if (greeting && isMaskedBanner(greeting.reply.lines) && !attempt.upgraded) return 'starttls-stripped';
  if (hasMaskedKeyword(attempt.ehloBeforeTls)) return 'starttls-stripped';
  if (failure) {
    if (isTlsFailure(failure)) return 'tls-handshake-failed';
    switch (failure.stage) {
      case 'greeting':
        return 'no-banner';
      case 'starttls':
        // STARTTLS was offered and then refused (454) or never answered: the upgrade failed.
        return 'tls-handshake-failed';
      case 'ehlo':
      case 'tls-ehlo':
        // A greeting came, then the session broke. A refusing reply refuses the session; silence is
        // a tarpit; a close right after a TLS 1.3 handshake is how servers reject the handshake late.
        if (failure.kind === 'smtp-reply') return 'greeting-rejected';
        if (failure.kind === 'timeout') return 'slow-banner';
        return failure.stage === 'tls-ehlo' ? 'tls-handshake-failed' : 'greeting-rejected';
      default:
        break;
    }
  }
  if (greeting && greeting.ms > slowBannerMs) return 'slow-banner';
  if (attempt.mode === 'implicit-tls') return 'open-implicit-tls';
  return attempt.upgraded ? 'open-starttls' : 'no-starttls';
}

/** Whether an attempt stayed silent (or answered a TLS hello in plain text), so the other TLS mode is worth a try. */
export function shouldRetryOtherMode(attempt: Attempt): boolean {
  const failure = attempt.failure;
  if (!failure || attempt.greeting) return false;
  // A server that has said anything is never sent a TLS hello it did not ask for (see probePort).
  if (attempt.mode === 'starttls')
    return failure.stage === 'greeting' && failure.kind === 'timeout' && !attempt.spoke;
  // Plain text that is not SMTP (an HTTP server) already names the port; retrying plain would only
  // wait out the greeting timeout on a server that waits for a request.
  if (failure.kind === 'not-smtp') return false;
  return failure.stage === 'tls-handshake' && (failure.kind === 'timeout' || isPlaintextAnswer(failure));
}

/**
 * The verdict after a retry in the other mode. A 2xx greeting in the other mode names the mismatch.
 * Silence in plain text plus a plain-text answer to a TLS hello (or the other way round) is a
 * server that speaks, but never greets: not SMTP (HTTP servers do exactly this).
 */
export function classifyRetry(first: Attempt, retry: Attempt, slowBannerMs: number): PortClass {
  const code = retry.greeting?.reply.code;
  if (code !== undefined && code >= 200 && code < 300) {
    return first.mode === 'starttls' ? 'implicit-tls-on-starttls-port' : 'plaintext-on-implicit-tls-port';
  }
  const failure = retry.failure;
  if (failure && !retry.greeting && failure.stage !== 'connect') {
    if (retry.mode === 'implicit-tls' && failure.stage === 'tls-handshake') {
      if (failure.kind === 'not-smtp') return 'not-smtp';
      // An SMTP reply to the hello: an SMTP server after all, that had not greeted in plain text.
      if (isPlaintextAnswer(failure)) return failure.firstBytes === undefined ? 'not-smtp' : 'no-banner';
      return failure.kind === 'tls-alert' || failure.kind === 'tls-error'
        ? 'tls-handshake-failed'
        : 'no-banner';
    }
    if (retry.mode === 'starttls' && failure.stage === 'greeting' && failure.kind === 'timeout') {
      return first.failure && isPlaintextAnswer(first.failure) ? 'not-smtp' : 'no-banner';
    }
  }
  return classifyAttempt(retry, slowBannerMs);
}
