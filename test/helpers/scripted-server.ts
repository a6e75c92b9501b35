import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { type TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { TestCertificate } from './certs.js';

export interface ScriptedServer {
  port: number;
  /** Every line the clients sent, in order, across connections. */
  received: string[];
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export type Script = (socket: Socket, lines: AsyncIterable<string>) => void | Promise<void>;

/** Yields the client's lines (without CRLF) as they arrive; ends when the socket ends. */
async function* linesOf(socket: Socket, received: string[]): AsyncGenerator<string> {
  let buffer = '';
  for await (const chunk of socket) {
    buffer += (chunk as Buffer).toString('latin1');
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      received.push(line);
      yield line;
      newline = buffer.indexOf('\n');
    }
  }
}

/**
 * A hand-scripted server on 127.0.0.1 (or ::1), port 0, for what a real MTA would never do:
 * masked banners, endless replies, TLS where plain text is expected, HTTP or SSH on a mail port.
 * With `tls`, every connection is TLS from the first byte.
 */
export async function startScriptedServer(
  script: Script,
  options: {
    tls?: TestCertificate & { requestCert?: boolean; maxVersion?: 'TLSv1.2' | 'TLSv1.3' };
    host?: string;
  } = {},
): Promise<ScriptedServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const handle = (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    Promise.resolve(script(socket, linesOf(socket, received))).catch(() => socket.destroy());
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
      (socket: TLSSocket) => handle(socket),
    );
    tlsServer.on('tlsClientError', () => {});
    server = tlsServer;
  } else {
    server = createServer(handle);
  }
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
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

/** A port with nothing listening: bound once, then released. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
