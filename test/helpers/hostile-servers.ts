import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { createRunCheck } from '../../src/check/index.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { createTargetPolicy } from '../../src/policy/index.js';
import { probeHost } from '../../src/probe/index.js';
import type { PortClass, ProbeLimits, ProbeMode } from '../../src/probe/types.js';
import { createTestCa, type TestCa, type TestCertificate } from './certs.js';
import { type LineReader, mtaScript, type ScriptedServer, startScriptedServer } from './scripted-server.js';

// Servers that misbehave on purpose, each on 127.0.0.1 port 0. The probe must survive all of them
// (no throw, no crash, a verdict within the port deadline, bounded memory) and everything they say
// must reach Slack and the terminal defused. Their timers are their own behaviour (a tarpit drips
// bytes); tests never sleep on them.

/** Every kind of markup a server could use to ping, link or repaint, in one string. */
export const MARKUP =
  '<!channel> <!here> <@U123> <https://evil.example|click> \u001b[31mRED\u001b[0m ' +
  '\u001b]8;;https://evil.example\u0007osc-link\u001b]8;;\u0007';

export interface HostileContext {
  ca: TestCa;
  /** A certificate whose subject and every SAN carry MARKUP. */
  hostileLeaf: TestCertificate;
  /** A leaf followed by hundreds of CA certificates (~500 KB of chain). */
  hugeChain: TestCertificate;
}

export interface HostileServer {
  name: string;
  /** How the port is probed: implicit TLS or plain with STARTTLS. */
  mode: ProbeMode;
  /** Verdicts that are a correct reading of this server (the test accepts any of them). */
  expect: readonly PortClass[];
  start(context: HostileContext): Promise<ScriptedServer>;
}

export function createHostileContext(): HostileContext {
  const ca = createTestCa('smtp-check hostile CA');
  const hostileLeaf = ca.issue({
    commonName: `mx ${MARKUP}`,
    dnsNames: ['<!here>.evil.example', '<https://evil.example|click>', `x${MARKUP}y`],
  });
  const leaf = ca.issue({ commonName: 'mx.hostile.test' });
  return {
    ca,
    hostileLeaf,
    hugeChain: { key: leaf.key, cert: `${leaf.cert}${ca.cert.repeat(400)}` },
  };
}

/** Ends the socket's timers with the socket: a closed tarpit must not keep writing. */
function every(socket: Socket, ms: number, tick: () => void): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else tick();
  }, ms);
  socket.once('close', () => clearInterval(timer));
}

/** Writes as fast as the socket drains, until it closes: a reply that never ends. */
function flood(socket: Socket, line: () => string): void {
  const pump = (): void => {
    while (socket.writable && socket.write(line()));
  };
  socket.on('drain', pump);
  pump();
}

async function untilCommand(lines: LineReader, verb: string): Promise<boolean> {
  for (let line = await lines.next(); line !== null; line = await lines.next()) {
    if (line.toUpperCase().startsWith(verb)) return true;
  }
  return false;
}

const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xed, 0xa0, 0x80]);

export const HOSTILE_SERVERS: readonly HostileServer[] = [
  {
    name: 'banner one byte per second',
    mode: 'starttls',
    expect: ['no-banner'],
    start: () =>
      startScriptedServer((socket) => {
        const banner = Buffer.from('220 mx.hostile.test ESMTP tarpit\r\n');
        let sent = 0;
        every(socket, 1_000, () => {
          if (sent < banner.length) socket.write(banner.subarray(sent, ++sent));
        });
      }),
  },
  {
    name: 'endless 250- continuation lines',
    mode: 'starttls',
    expect: ['oversized-response'],
    start: () =>
      startScriptedServer(async (socket, lines) => {
        socket.write('220 mx.hostile.test ESMTP\r\n');
        if (await untilCommand(lines, 'EHLO')) flood(socket, () => `250-${MARKUP} PIPELINING\r\n`);
      }),
  },
  {
    name: 'endless 220- greeting',
    mode: 'starttls',
    expect: ['oversized-response'],
    start: () => startScriptedServer((socket) => flood(socket, () => '220-still greeting you\r\n')),
  },
  {
    name: 'a 1 MB single line',
    mode: 'starttls',
    expect: ['oversized-response'],
    start: () => startScriptedServer((socket) => void socket.write(`220 ${'x'.repeat(1_048_576)}\r\n`)),
  },
  {
    name: 'NUL bytes and invalid UTF-8',
    mode: 'starttls',
    expect: ['no-starttls'],
    start: () =>
      startScriptedServer(async (socket, lines) => {
        const junk = Buffer.concat([
          Buffer.from('mx\u0000hostile\u0000'),
          INVALID_UTF8,
          Buffer.from(' \u0000'),
        ]);
        socket.write(Buffer.concat([Buffer.from('220 '), junk, Buffer.from('\r\n')]));
        if (await untilCommand(lines, 'EHLO'))
          socket.write(Buffer.concat([Buffer.from('250-'), junk, Buffer.from('\r\n250 SIZE 1000\r\n')]));
        if (await untilCommand(lines, 'QUIT')) socket.end('221 bye\r\n');
      }),
  },
  {
    name: 'ANSI escape sequences',
    mode: 'starttls',
    expect: ['no-starttls'],
    start: () =>
      startScriptedServer(
        mtaScript({
          greeting: ['220 \u001b[2J\u001b[H\u001b[31mmx.hostile.test\u001b[0m \u001b[?1049h'],
          ehlo: [
            '250-\u001b]0;pwned title\u0007mx',
            '250-\u001b[6n',
            '250 \u001b]8;;https://evil.example\u0007x',
          ],
        }),
      ),
  },
  {
    name: 'mentions and links in greeting, EHLO and certificate (STARTTLS)',
    mode: 'starttls',
    expect: ['open-starttls'],
    start: ({ hostileLeaf }) =>
      startScriptedServer(
        mtaScript({
          greeting: [`220-${MARKUP}`, `220 mx ${MARKUP}`],
          ehlo: [`250-${MARKUP}`, `250-AUTH PLAIN ${MARKUP}`, '250 STARTTLS'],
          starttls: { ...hostileLeaf, ehlo: [`250-${MARKUP}`, `250-AUTH ${MARKUP}`, '250 SIZE 1000'] },
        }),
      ),
  },
  {
    name: 'mentions and links in an implicit-TLS certificate and greeting',
    mode: 'implicit-tls',
    expect: ['open-implicit-tls'],
    start: ({ hostileLeaf }) =>
      startScriptedServer(
        mtaScript({ greeting: [`220 ${MARKUP}`], ehlo: [`250-${MARKUP}`, '250 AUTH PLAIN'] }),
        {
          tls: hostileLeaf,
        },
      ),
  },
  {
    name: 'TLS garbage after "220 Ready to start TLS"',
    mode: 'starttls',
    expect: ['tls-handshake-failed'],
    start: ({ hostileLeaf }) =>
      startScriptedServer(
        mtaScript({ ehlo: ['250-mx', '250 STARTTLS'], starttls: { ...hostileLeaf, garbage: true } }),
      ),
  },
  {
    name: 'plaintext injected right after "220 Ready to start TLS" (RFC 3207 §6)',
    mode: 'starttls',
    expect: ['open-starttls'],
    start: ({ hostileLeaf }) =>
      startScriptedServer(
        mtaScript({
          ehlo: ['250-mx', '250 STARTTLS'],
          starttls: {
            ...hostileLeaf,
            injected: `250-AUTH PLAIN LOGIN ${MARKUP}\r\n250 INJECTED\r\n`,
            ehlo: ['250-mx', '250 SIZE 2048'],
          },
        }),
      ),
  },
  {
    name: 'reset in the middle of the EHLO reply',
    mode: 'starttls',
    // A session broken after the greeting is read as the server turning us away.
    expect: ['greeting-rejected'],
    start: () =>
      startScriptedServer(async (socket, lines) => {
        socket.write('220 mx.hostile.test ESMTP\r\n');
        if (await untilCommand(lines, 'EHLO')) {
          socket.write('250-mx.hostile.test\r\n250-PIPELI', () => socket.resetAndDestroy());
        }
      }),
  },
  {
    name: 'a server that never reads',
    mode: 'starttls',
    // Silence after the greeting is a tarpit.
    expect: ['slow-banner'],
    start: () =>
      startScriptedServer((socket, lines) => {
        lines.detach();
        socket.pause();
        socket.write('220 mx.hostile.test ESMTP I will not listen\r\n');
      }),
  },
  {
    name: 'a huge certificate chain',
    mode: 'implicit-tls',
    // The client refuses a chain this size during the handshake.
    expect: ['tls-handshake-failed'],
    start: ({ hugeChain }) => startScriptedServer(mtaScript({}), { tls: hugeChain }),
  },
  {
    name: 'an HTTP server',
    mode: 'starttls',
    expect: ['not-smtp'],
    start: () =>
      startScriptedServer((socket) => {
        socket.once('data', () =>
          socket.end(
            'HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n' +
              `<html><a href="https://evil.example">${MARKUP}</a></html>`,
          ),
        );
      }),
  },
  {
    name: 'an SSH server',
    mode: 'starttls',
    expect: ['not-smtp'],
    start: () =>
      startScriptedServer((socket) => {
        socket.write(`SSH-2.0-OpenSSH_9.6 ${MARKUP}\r\n`);
        socket.once('data', () => socket.end(randomBytes(256)));
      }),
  },
  {
    name: 'random bytes',
    mode: 'starttls',
    expect: ['not-smtp'],
    start: () =>
      startScriptedServer((socket) => {
        socket.write(randomBytes(8_192));
        socket.on('data', () => socket.write(randomBytes(8_192)));
      }),
  },
  {
    name: 'closes right after the greeting',
    mode: 'starttls',
    expect: ['greeting-rejected'],
    start: () => startScriptedServer((socket) => void socket.end('220 mx.hostile.test ESMTP bye\r\n')),
  },
  {
    name: 'slowloris reply: EHLO dribbled forever, one short line at a time',
    mode: 'starttls',
    // Each line comes well inside the reply timeout; only a timeout on the whole reply ends it.
    expect: ['slow-banner', 'oversized-response'],
    start: () =>
      startScriptedServer(async (socket, lines) => {
        socket.write('220 mx.hostile.test ESMTP\r\n');
        if (await untilCommand(lines, 'EHLO')) every(socket, 20, () => socket.write('250-X\r\n'));
      }),
  },
  {
    name: '554 greeting full of markup, then 503 to everything',
    mode: 'starttls',
    expect: ['greeting-rejected'],
    start: () =>
      startScriptedServer(async (socket, lines) => {
        socket.write(`554-${MARKUP}\r\n554 5.7.1 listed at <https://evil.example/rbl|our RBL>\r\n`);
        for (let line = await lines.next(); line !== null; line = await lines.next()) {
          if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('503 5.5.1 go away\r\n');
        }
      }),
  },
  {
    name: 'a TLS server whose session dies after the handshake',
    mode: 'implicit-tls',
    expect: ['no-banner'],
    start: ({ hostileLeaf }) =>
      // The scripted TLS server hands over the socket once the handshake is done.
      startScriptedServer((socket) => void socket.destroy(), { tls: hostileLeaf }),
  },
];

export interface HostileRun {
  server: HostileServer;
  diagnosis: HostDiagnosis;
  elapsedMs: number;
  /** Connections the server accepted. */
  connections: number;
}

/**
 * Starts one hostile server, checks it through the production check (real probe, policy opened
 * for loopback only, real diagnosis) with the given budgets, and closes it.
 */
export async function checkHostile(
  server: HostileServer,
  context: HostileContext,
  limits: ProbeLimits,
): Promise<HostileRun> {
  const running = await server.start(context);
  try {
    const runCheck = createRunCheck({
      probeHost: (target, options) =>
        probeHost(target, {
          ...options,
          implicitTlsPorts: server.mode === 'implicit-tls' ? [running.port] : [],
        }),
      limits,
      now: () => new Date(),
      policy: createTargetPolicy(['127.0.0.0/8']),
      extraCa: [context.ca.cert],
    });
    const started = performance.now();
    const diagnosis = await runCheck({ target: '127.0.0.1', ports: [running.port], mx: 'auto' });
    return { server, diagnosis, elapsedMs: performance.now() - started, connections: running.connections };
  } finally {
    await running.close();
  }
}
