// A client process of its own for the slash-command storm, so the latencies are neither distorted
// by the bench process (which runs the fake Slack API and the SMTP server the checks hit) nor by an
// HTTP client's own per-request work: every request is signed and serialised first, all connections
// are opened first, and then the 50 requests are written in the same tick. The ack time of each is
// from its write to the first byte of the bot's answer. Prints one JSON line.
import { connect, type Socket } from 'node:net';
import { sign } from '../test/helpers/slack-signed-request.js';

export interface StormResult {
  ackMs: number[];
  statuses: number[];
}

const [url, secret, countText, text, responseBase] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const count = Number(countText);
const target = new URL(url);

function request(i: number): Buffer {
  // The fields Slack sends with a slash command (see test/helpers/slack-signed-request.ts).
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'fake',
    channel_id: 'C0CHECKS',
    channel_name: 'checks',
    user_id: `U0USER${String(i).padStart(3, '0')}`,
    user_name: `user${i}`,
    command: '/smtp-check',
    text,
    api_app_id: 'A0APP',
    response_url: `${responseBase}cmd-${i}`,
    trigger_id: `1.2.${i}`,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const head = [
    `POST ${target.pathname} HTTP/1.1`,
    `Host: ${target.host}`,
    // Exactly this: Bolt answers 400 to a `; charset=…` suffix on forms.
    'Content-Type: application/x-www-form-urlencoded',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Slack-Request-Timestamp: ${timestamp}`,
    `X-Slack-Signature: ${sign(secret, timestamp, body)}`,
    'Connection: close',
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

const requests = Array.from({ length: count }, (_, i) => request(i));
const sockets = await Promise.all(
  requests.map(
    () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      }),
  ),
);

const answers = sockets.map(
  (socket, i) =>
    new Promise<{ ms: number; status: number }>((resolve, reject) => {
      let sent = 0;
      let first: number | null = null;
      let reply = '';
      socket.on('data', (chunk: Buffer) => {
        first ??= performance.now();
        reply += chunk.toString('latin1');
      });
      socket.once('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
        resolve({ ms: (first ?? performance.now()) - sent, status });
      });
      socket.once('error', reject);
      sent = performance.now();
      socket.write(requests[i]!);
    }),
);
const acks = await Promise.all(answers);
process.stdout.write(
  `${JSON.stringify({ ackMs: acks.map((a) => a.ms), statuses: acks.map((a) => a.status) } satisfies StormResult)}\n`,
);
