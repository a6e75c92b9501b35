import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunCheck } from '../../src/check/types.js';
import { runConsole } from '../../src/console/index.js';
import { silentLogger } from '../../src/log.js';
import { createTestCa } from '../helpers/certs.js';
import { aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

async function run(lines: string[], runCheck: RunCheck): Promise<string> {
  const input = new PassThrough();
  let printed = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      printed += String(chunk);
      done();
    },
  });
  input.end(`${lines.join('\n')}\n`);
  await runConsole({ input, output, runCheck, logger: silentLogger });
  return printed;
}

/** A check that reports the typical picture, port by port, without a network. */
const scripted: RunCheck = async (request, hooks) => {
  const diagnosis = aTypicalDiagnosis();
  hooks?.onPlan?.({
    target: request.target,
    ports: diagnosis.ports.map((port) => port.port),
    providerName: null,
  });
  for (const port of diagnosis.ports) hooks?.onPort?.(port);
  return diagnosis;
};

describe('runConsole()', () => {
  let smtp: RunningServer;
  beforeAll(async () => {
    const ca = createTestCa();
    smtp = await startSmtpServer({
      name: 'mx.test',
      banner: '<!channel> \u001b[31mred',
      ...ca.issue({ commonName: 'mx.test', ips: ['127.0.0.1'] }),
    });
  });
  afterAll(() => smtp?.close());

  test('prints the parent, its updates, the thread replies and the buttons for a real check', async () => {
    const printed = await run([`/smtp-check 127.0.0.1:${smtp.port}`], realRunCheck().runCheck);
    expect(printed).toContain('── message #1 in #console\nChecking `127.0.0.1` for @you');
    expect(printed).toContain('── message #1 updated');
    expect(printed).toContain(`── message #2, reply in the thread of #1\n`);
    expect(printed).toContain(`*Port ${smtp.port}*`);
    expect(printed).toContain('── message #3, reply in the thread of #1\n*What to do for `127.0.0.1`*');
    expect(printed).toContain('[ Re-run ] [ Watch this host ] [ Show config ]');
    // Shown as text, but never as a terminal escape.
    expect(printed).toContain('<!channel>');
    expect(printed).not.toContain('\u001b');
  });

  test('accepts a plain host, help, bad input, watch, recheck and config, and ends with the input', async () => {
    const printed = await run(
      ['smtp.example.com', 'recheck', 'config', '/smtp-check help', 'bad host!', 'list', ''],
      scripted,
    );
    expect(printed).toContain('── message #1 in #console\nChecking `smtp.example.com`');
    expect(printed).toMatch(/── message #\d+, reply in the thread of #1\nRe-checking `smtp.example.com`/);
    expect(printed).toContain('Nothing changed');
    expect(printed).toContain('── only you can see this\n  · Configuration for `smtp.example.com`');
    expect(printed).toContain('*What to type*');
    expect(printed).toContain('I couldn’t read that');
    expect(printed).toContain('`list` is coming with watches');
  });

  test('says what to do when recheck comes before any check', async () => {
    expect(await run(['recheck', 'quit', 'smtp.example.com'], scripted)).toBe(
      'Nothing to re-check yet: run `/smtp-check host` first.\n\n',
    );
  });
});
