import { setTimeout as delay } from 'node:timers/promises';
import { type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';

// A plain SMTP server that counts who reaches it: every accepted connection, and how many
// sessions are open at once. A session counts as open from accept until the server has read
// QUIT (or the client left), so the count drops before the client can learn its check is over —
// a capped caller can then never be blamed for an overlap that is only a late close.

export interface CountingMta extends ScriptedServer {
  /** Sessions open right now. */
  readonly active: number;
  /** Most sessions open at once. */
  readonly peak: number;
}

export async function startCountingMta(
  options: { host?: string; greetDelayMs?: number; onSession?: () => void } = {},
): Promise<CountingMta> {
  const state = { active: 0, peak: 0 };
  const server = await startScriptedServer(
    async (socket, lines) => {
      state.active += 1;
      state.peak = Math.max(state.peak, state.active);
      options.onSession?.();
      let open = true;
      const end = (): void => {
        if (open) state.active -= 1;
        open = false;
      };
      socket.once('close', end);
      // The server's own greet pause (postscreen does this), so sessions overlap when uncapped.
      if (options.greetDelayMs) await delay(options.greetDelayMs);
      socket.write('220 mx.counting.test ESMTP\r\n');
      for (let line = await lines.next(); line !== null; line = await lines.next()) {
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-mx.counting.test\r\n250 SIZE 1000\r\n');
        else if (verb === 'QUIT') {
          end();
          socket.end('221 bye\r\n');
          return;
        } else socket.write('502 5.5.2 not here\r\n');
      }
    },
    { ...(options.host ? { host: options.host } : {}) },
  );
  return Object.defineProperties(server, {
    active: { get: () => state.active },
    peak: { get: () => state.peak },
  }) as CountingMta;
}
