import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

// A TCP front for a real SMTP server that holds every connection until the test opens the gate:
// the check is then provably still running (its greeting has not arrived) while the test looks at
// what Slack has seen. No sleeps: the test decides when the server may speak.

export interface GatedProxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  readonly isOpen: boolean;
  open(): void;
  close(): Promise<void>;
}

export async function startGatedProxy(upstreamPort: number, upstreamHost = '127.0.0.1'): Promise<GatedProxy> {
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  const state = { connections: 0, open: false };
  const server = createServer((client) => {
    state.connections += 1;
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    client.pause();
    const forward = (): void => {
      const upstream = connect(upstreamPort, upstreamHost);
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.end();
      });
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    };
    if (state.open) forward();
    else held.push(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    get isOpen() {
      return state.open;
    },
    open() {
      state.open = true;
      for (const forward of held.splice(0)) forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
