import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseUrl } from './postgres.js';

// A stand-in for a PostgreSQL server that goes away: a Unix socket in a folder of its own,
// forwarding to the test server's socket. stop() closes every connection and the socket, as a
// server stopping does; start() brings it back. The shared test server itself is never touched.
// Connections arrive at the server from this process, so peer authentication accepts them.

const SERVER_SOCKET_DIR = process.env['PGTEST_SOCKET_DIR'] ?? '/var/run/postgresql';
const SOCKET_NAME = '.s.PGSQL.5432';

export interface PostgresProxy {
  /** A URL of the database, through the proxy. */
  url(database: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createPostgresProxy(): Promise<PostgresProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'smtp-check-pg-proxy-'));
  const sockets = new Set<Socket>();
  let server: Server | null = null;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const start = async (): Promise<void> => {
    if (server !== null) return;
    const listening = createServer((client) => {
      const upstream = createConnection(join(SERVER_SOCKET_DIR, SOCKET_NAME));
      track(client);
      track(upstream);
      // Either side failing ends both, like a connection to a server that stopped.
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(join(dir, SOCKET_NAME), () => resolve());
    });
    server = listening;
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (running === null) return;
    server = null;
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  await start();
  return {
    url: (database) => testDatabaseUrl(database).replace(/host=[^&]*/, `host=${encodeURIComponent(dir)}`),
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
