import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import { type SecureContext, type TLSSocket, connect, createSecureContext, rootCertificates } from 'node:tls';
import { firstBytesOf, quote } from './reply-reader.js';
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
const TAP_BYTES = 120;
// Reply codes, like the reader's check: an SMTP server that answered our hello in plain text.
const SMTP_START = /^\d{3}(?:[ -]|\r|\n|$)/;

/**
 * A socket seen through a Duplex that keeps the first bytes the server sends. TLS reads a net
 * Socket's handle directly, so the bytes a server answers a hello with (`HTTP/1.1 400 Bad Request`)
 * never surface; through this wrapper they do, and they — not OpenSSL's "wrong version number" —
 * are the evidence when the handshake fails.
 */
class Tap extends Duplex {
  readonly #inner: Socket;
  heard: Buffer = Buffer.alloc(0);

  constructor(inner: Socket) {
    super();
    this.#inner = inner;
    inner.on('data', (chunk: Buffer) => {
      if (this.heard.length < TAP_BYTES) {
        this.heard = Buffer.concat([this.heard, chunk.subarray(0, TAP_BYTES - this.heard.length)]);
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => this.destroy());
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#inner.write(chunk, callback);
  }

  override _final(callback: () => void): void {
    this.#inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner.destroy();
    callback(error);
  }
}

/** The failure restated with what the server said, when it answered the hello with anything but TLS. */
function withPlainAnswer(failure: ProbeFailure, heard: Buffer): ProbeFailure {
  // 0x14–0x17: TLS record types (change_cipher_spec, alert, handshake, application data).
  if (heard.length === 0 || (heard[0]! >= 0x14 && heard[0]! <= 0x17)) return failure;
  const text = firstBytesOf(heard);
  return {
    ...failure,
    // Not SMTP at all is decided here; an SMTP reply is left to the caller (plain SMTP on a TLS port).
    kind: SMTP_START.test(text) ? failure.kind : 'not-smtp',
    message: `the server answered the TLS hello in plain text: ${quote(heard)}`,
    firstBytes: text,
  };
}

/**
 * Runs a TLS handshake over a connected socket. Verification is not enforced here
 * (`rejectUnauthorized: false`, no identity check): the certificate is judged afterwards, so a bad
 * certificate is a fact about the port rather than a failed connection.
 */
export function tlsHandshake(
  socket: Socket,
  options: {
    host: string;
    secureContext: SecureContext | undefined;
    timeoutMs: number;
    /** Keep the server's first bytes, to quote them if it answers in plain text (costs a stream copy). */
    captureAnswer?: boolean;
  },
): Promise<HandshakeResult> {
  const start = performance.now();
  const servername = sniFor(options.host);
  const tap = options.captureAnswer ? new Tap(socket) : null;
  return new Promise<HandshakeResult>((resolve) => {
    const tlsSocket = connect({
      socket: tap ?? socket,
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
      resolve(
        result.ok || !tap ? result : { ...result, failure: withPlainAnswer(result.failure, tap.heard) },
      );
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
