import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type SecureContext, type TLSSocket, connect, createSecureContext, rootCertificates } from 'node:tls';
import { socketFailure } from './socket-failure.js';
import type { ProbeFailure } from './types.js';

export type HandshakeResult =
  | { ok: true; socket: TLSSocket; ms: number }
  | { ok: false; failure: ProbeFailure; ms: number };

const contexts = new Map<string, SecureContext>();
const MAX_CONTEXTS = 8;

/**
 * The trust store for the chain check. Without extra CAs, Node's default store (which includes
 * NODE_EXTRA_CA_CERTS). With them, a `ca` list replaces that store, so Node's bundled roots are
 * added back explicitly (NODE_EXTRA_CA_CERTS is then not included: the caller passes what it needs).
 * Parsing ~150 roots costs milliseconds, so contexts are cached per CA set.
 */
export function secureContextFor(extraCa: string[] | undefined): SecureContext | undefined {
  if (!extraCa || extraCa.length === 0) return undefined;
  const key = extraCa.join('\n');
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, ...extraCa] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(key, context);
  }
  return context;
}

/** SNI carries a host name only, never an IP address (RFC 6066 §3). */
export function sniFor(host: string): string | null {
  return isIP(host) === 0 ? host : null;
}

const noop = () => {};

/**
 * Runs a TLS handshake over a connected socket. Verification is not enforced here
 * (`rejectUnauthorized: false`, no identity check): the certificate is judged afterwards, so a bad
 * certificate is a fact about the port rather than a failed connection.
 */
export function tlsHandshake(
  socket: Socket,
  options: { host: string; secureContext: SecureContext | undefined; timeoutMs: number },
): Promise<HandshakeResult> {
  const start = performance.now();
  const servername = sniFor(options.host);
  return new Promise<HandshakeResult>((resolve) => {
    const tlsSocket = connect({
      socket,
      ...(servername ? { servername } : {}),
      ...(options.secureContext ? { secureContext: options.secureContext } : {}),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    tlsSocket.on('error', noop);
    let settled = false;
    const finish = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tlsSocket.off('secureConnect', onSecure);
      tlsSocket.off('error', onError);
      tlsSocket.off('close', onClose);
      if (!result.ok) tlsSocket.destroy();
      resolve(result);
    };
    const ms = () => performance.now() - start;
    const onSecure = () => finish({ ok: true, socket: tlsSocket, ms: ms() });
    const onError = (error: Error) => {
      const failure = socketFailure(error);
      finish({ ok: false, failure: { stage: 'tls-handshake', ...failure }, ms: ms() });
    };
    const onClose = () =>
      finish({
        ok: false,
        failure: {
          stage: 'tls-handshake',
          kind: 'closed',
          message: 'the server closed the connection during the TLS handshake',
        },
        ms: ms(),
      });
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          failure: {
            stage: 'tls-handshake',
            kind: 'timeout',
            message: `no TLS handshake within ${options.timeoutMs} ms`,
          },
          ms: ms(),
        }),
      Math.max(0, options.timeoutMs),
    );
    tlsSocket.once('secureConnect', onSecure);
    tlsSocket.on('error', onError);
    tlsSocket.once('close', onClose);
  });
}
