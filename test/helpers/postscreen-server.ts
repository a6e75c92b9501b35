import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { mtaScript } from './scripted-server.js';
import { LineReader } from './scripted-server.js';

// A stand-in for Postfix's postscreen: it sends the first line of a multi-line greeting (`220-`)
// at once, keeps the client waiting for its greet wait, and only then sends the final `220 ` line.
// Any byte a client sends before that final line is a PREGREET protocol violation: postscreen logs
// it against the client's address and, with `postscreen_greet_action = drop`, answers 521 and
// hangs up. This server does the same and records every such byte, so a test can prove a prober
// never talked before the greeting.

export interface PostscreenServer {
  port: number;
  /** Connections accepted. */
  readonly connections: number;
  /** Bytes received before the final greeting line, per connection, in connection order. */
  pregreet: Buffer[];
  /** postscreen-style log lines: `PREGREET 22 after 2.5 from [127.0.0.1]:40000: …`. */
  log: string[];
  close(): Promise<void>;
}

export async function startPostscreenServer(options: {
  /** postscreen_greet_wait: time between the `220-` line and the final `220 ` line. */
  greetWaitMs: number;
  name?: string;
  /** For namespaces only, where the real SMTP ports are free; elsewhere always port 0. */
  listenPort?: number;
  /** After the greeting, offer STARTTLS with this certificate (as a real MTA on 25 does). */
  starttls?: { key: string; cert: string };
}): Promise<PostscreenServer> {
  const name = options.name ?? 'mail.example.test';
  const sockets = new Set<Socket>();
  const pregreet: Buffer[] = [];
  const log: string[] = [];
  const state = { connections: 0 };
  const mta = mtaScript(
    options.starttls
      ? {
          greeting: [],
          ehlo: [`250-${name}`, '250 STARTTLS'],
          starttls: { ...options.starttls, ehlo: [`250 ${name}`] },
        }
      : { greeting: [] },
  );
  const server: Server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const index = pregreet.push(Buffer.alloc(0)) - 1;
    const connectedAt = performance.now();
    const early = (chunk: Buffer) => {
      pregreet[index] = Buffer.concat([pregreet[index]!, chunk]);
    };
    socket.on('data', early);
    socket.write(`220-${name} ESMTP postscreen\r\n`);
    const timer = setTimeout(() => {
      socket.off('data', early);
      const bytes = pregreet[index]!;
      if (bytes.length > 0) {
        const seconds = ((performance.now() - connectedAt) / 1_000).toFixed(2);
        log.push(
          `PREGREET ${bytes.length} after ${seconds} from [${socket.remoteAddress}]:${socket.remotePort}: ${JSON.stringify(bytes.subarray(0, 40).toString('latin1'))}`,
        );
        socket.end('521 5.5.1 Protocol error\r\n');
        return;
      }
      socket.write(`220 ${name} ESMTP\r\n`);
      void mta(socket, new LineReader(socket, []), []);
    }, options.greetWaitMs);
    socket.once('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(options.listenPort ?? 0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    pregreet,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
