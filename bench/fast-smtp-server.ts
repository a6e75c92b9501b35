import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TestCertificate } from '../test/helpers/certs.js';
import { LineReader, mtaScript } from '../test/helpers/scripted-server.js';

// A scripted MTA that greets at once, on a chosen address and port. smtp-server holds its banner
// back for 100 ms by design; against this one the healthy-host figure is our own overhead alone.

const EHLO = ['250-mail.bench.test', '250-SIZE 36700160', '250-8BITMIME', '250-PIPELINING'];

export interface FastServer {
  close(): Promise<void>;
}

export async function startFastSmtpServer(options: {
  host: string;
  port: number;
  implicitTls: boolean;
  certificate: TestCertificate;
}): Promise<FastServer> {
  const { key, cert } = options.certificate;
  const script = options.implicitTls
    ? mtaScript({ ehlo: [...EHLO, '250 AUTH PLAIN LOGIN'] })
    : mtaScript({
        ehlo: [...EHLO, '250 STARTTLS'],
        starttls: { key, cert, ehlo: [...EHLO, '250 AUTH PLAIN LOGIN'] },
      });
  const sockets = new Set<Socket>();
  const handle = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const received: string[] = [];
    Promise.resolve(script(socket, new LineReader(socket, received), received)).catch(() => socket.destroy());
  };
  let server: Server;
  if (options.implicitTls) {
    const tlsServer = createTlsServer({ key, cert }, handle);
    tlsServer.on('tlsClientError', () => {});
    server = tlsServer;
  } else {
    server = createServer(handle);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
