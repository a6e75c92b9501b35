import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

// The Socket Mode side of Slack: a WebSocket server on 127.0.0.1 that greets with `hello`, sends
// envelopes and collects the app's acks. Like Slack with several replicas connected, it gives each
// envelope to one connection: the latest, or the one a test names.

export interface SocketModeServer {
  url: string;
  /** Resolves once the app has connected and been greeted. */
  connected(): Promise<void>;
  /** Connections open now, in the order they came. */
  connections(): number;
  /**
   * Sends an envelope to one connection (the latest unless `connection` names one by its place in
   * connection order); resolves with the ack the app sent back for it.
   */
  send(
    type: string,
    payload: Record<string, unknown>,
    timeoutMs?: number,
    connection?: number,
  ): Promise<{ envelope_id: string; payload?: unknown; at: number }>;
  close(): Promise<void>;
}

export async function startSocketModeServer(): Promise<SocketModeServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  let greeted: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    greeted = resolve;
  });
  const acks = new Map<string, (ack: { envelope_id: string; payload?: unknown; at: number }) => void>();
  let counter = 0;

  server.on('connection', (connection) => {
    sockets.push(connection);
    connection.on('close', () => sockets.splice(sockets.indexOf(connection), 1));
    connection.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (message.envelope_id)
        acks.get(message.envelope_id)?.({
          envelope_id: message.envelope_id,
          payload: message.payload,
          at: Date.now(),
        });
    });
    connection.send(
      JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' } }),
    );
    greeted();
  });

  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`,
    connected: () => ready,
    connections: () => sockets.length,
    send(type, payload, timeoutMs = 5_000, connection) {
      counter += 1;
      const envelopeId = `envelope-${counter}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${envelopeId}`)), timeoutMs);
        acks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
        const socket = connection === undefined ? sockets.at(-1) : sockets[connection];
        if (!socket) throw new Error('the app is not connected');
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            accepts_response_payload: type !== 'events_api',
            payload,
          }),
        );
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
