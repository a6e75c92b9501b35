import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { TestCertificate } from './certs.js';

export interface ScriptedServer {
  port: number;
  /** Every line the clients sent, in order, across connections (inside TLS too). */
  received: string[];
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Reads a client's lines one at a time; `next()` is null once the client is gone. */
export class LineReader {
  #buffer = '';
  readonly #lines: string[] = [];
  #ended = false;
  #wake: (() => void) | null = null;
  readonly #stream: Duplex;
  readonly #received: string[];
  readonly #onData = (chunk: Buffer) => {
    this.#buffer += chunk.toString('latin1');
    let newline = this.#buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.#buffer.slice(0, newline).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(newline + 1);
      this.#lines.push(line);
      this.#received.push(line);
      newline = this.#buffer.indexOf('\n');
    }
    this.#wake?.();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake?.();
  };

  constructor(stream: Duplex, received: string[]) {
    this.#stream = stream;
    this.#received = received;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onEnd);
    stream.on('error', this.#onEnd);
  }

  async next(): Promise<string | null> {
    while (this.#lines.length === 0 && !this.#ended) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
    return this.#lines.shift() ?? null;
  }

  /** Stops reading (before a TLS upgrade takes the socket over). */
  detach(): void {
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('close', this.#onEnd);
    this.#stream.off('error', this.#onEnd);
  }
}

export type Script = (socket: Socket, lines: LineReader, received: string[]) => void | Promise<void>;

export interface ScriptedTls extends TestCertificate {
  requestCert?: boolean;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * A hand-scripted server on 127.0.0.1 (or ::1), port 0, for what a real MTA would never do:
 * masked banners, endless replies, TLS where plain text is expected, HTTP or SSH on a mail port.
 * With `tls`, every connection is TLS from the first byte.
 */
export async function startScriptedServer(
  script: Script,
  /** listenPort is for namespaces only, where the real SMTP ports are free; elsewhere port 0. */
  options: { tls?: ScriptedTls; host?: string; listenPort?: number } = {},
): Promise<ScriptedServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const handle = (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    Promise.resolve(script(socket, new LineReader(socket, received), received)).catch(() => socket.destroy());
  };
  let server: Server;
  if (options.tls) {
    const tlsServer = createTlsServer(
      {
        key: options.tls.key,
        cert: options.tls.cert,
        requestCert: options.tls.requestCert ?? false,
        rejectUnauthorized: options.tls.requestCert ?? false,
        ...(options.tls.maxVersion ? { maxVersion: options.tls.maxVersion } : {}),
      },
      handle,
    );
    tlsServer.on('tlsClientError', () => {});
    server = tlsServer;
  } else {
    server = createServer(handle);
  }
  await new Promise<void>((resolve) =>
    server.listen(options.listenPort ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  return {
    port: (server.address() as AddressInfo).port,
    received,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface MtaOptions {
  /** Raw greeting lines, CRLF added. */
  greeting?: string[];
  /** The server's own delay before greeting (a greet pause), not a test wait. */
  greetDelayMs?: number;
  /** Raw EHLO reply lines before TLS (or in implicit TLS). */
  ehlo?: string[];
  /** Raw HELO reply lines. */
  helo?: string[];
  /** Offer a real STARTTLS upgrade with this certificate. */
  starttls?: TestCertificate & {
    /** Bytes written in the same write as "220 Ready to start TLS" (plaintext injection). */
    injected?: string;
    /** Answer the client's TLS hello with plain text instead of a handshake. */
    garbage?: boolean;
    /** Raw EHLO reply lines inside TLS. */
    ehlo?: string[];
  };
}

function reply(socket: Duplex, lines: string[]): void {
  socket.write(lines.map((line) => `${line}\r\n`).join(''));
}

/** A minimal, scriptable MTA: greeting, EHLO/HELO, optional STARTTLS, QUIT; 502 to anything else. */
export function mtaScript(options: MtaOptions): Script {
  const converse = async (stream: Duplex, lines: LineReader, ehlo: string[], received: string[]) => {
    for (let line = await lines.next(); line !== null; line = await lines.next()) {
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO') reply(stream, ehlo);
      else if (verb === 'HELO') reply(stream, options.helo ?? ['250 hello']);
      else if (verb === 'QUIT') {
        reply(stream, ['221 bye']);
        stream.end();
        return;
      } else if (verb === 'STARTTLS' && options.starttls && !(stream instanceof TLSSocket)) {
        const { injected = '', garbage, key, cert } = options.starttls;
        stream.write(`220 Ready to start TLS\r\n${injected}`);
        lines.detach();
        if (garbage) {
          stream.once('data', () => stream.write('this is not TLS, just text\r\n'));
          return;
        }
        const secure = new TLSSocket(stream as Socket, { isServer: true, key, cert });
        secure.on('error', () => {});
        await converse(
          secure,
          new LineReader(secure, received),
          options.starttls.ehlo ?? ['250 tls'],
          received,
        );
        return;
      } else reply(stream, ['502 5.5.2 command not recognised']);
    }
  };
  return async (socket, lines, received) => {
    if (options.greetDelayMs) await delay(options.greetDelayMs);
    reply(socket, options.greeting ?? ['220 mail.example.test ESMTP']);
    await converse(socket, lines, options.ehlo ?? ['250 mail.example.test'], received);
  };
}

/** A port with nothing listening: bound once, then released. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
