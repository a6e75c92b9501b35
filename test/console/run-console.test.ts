import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunCheck } from '../../src/check/types.js';
import { consoleChatFor, runConsole } from '../../src/console/index.js';
import { silentLogger } from '../../src/log.js';
import { displayWidth } from '../../src/render/display-width.js';
import { chatNotifier } from '../../src/chat/use-cases/index.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import { createWatchCommands, recheckWatches, type WatchCommands } from '../../src/watch/index.js';
import { healthy, port25Filtered, World } from '../watch/watch-harness.js';
import { captureOutput } from '../helpers/capture-output.js';
import { decodePng } from '../helpers/png.js';
import { createTestCa } from '../helpers/certs.js';
import { aTypicalDiagnosis } from '../helpers/slack-diagnoses.js';
import { realRunCheck } from '../helpers/slack-real-check.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

const capture = captureOutput;

async function run(lines: string[], runCheck: RunCheck, watches?: WatchCommands): Promise<string> {
  const input = new PassThrough();
  const { sink, output } = capture();
  input.end(`${lines.join('\n')}\n`);
  await runConsole({ input, output, runCheck, logger: silentLogger, ...(watches ? { watches } : {}) });
  return sink.printed;
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
    const world = new World();
    const watches = createWatchCommands({
      store: createMemoryWatchStore(),
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    const printed = await run(
      ['smtp.example.com', 'recheck', 'config', '/smtp-check help', 'bad host!', 'list', ''],
      scripted,
      watches,
    );
    expect(printed).toContain('── message #1 in #console\nChecking `smtp.example.com`');
    expect(printed).toMatch(/── message #\d+, reply in the thread of #1\nRe-checking `smtp.example.com`/);
    expect(printed).toContain('Nothing changed');
    expect(printed).toContain('── only you can see this\n  · Configuration for `smtp.example.com`');
    expect(printed).toContain('*What to type*');
    expect(printed).toContain('I couldn’t read that');
    expect(printed).toContain('/smtp-check watch <host> [ports]');
    expect(printed).toContain('── only you can see this\nNo hosts are watched in this channel.');
  });

  test('watch commands work, and scheduled alerts print with thread replies pointing at the alert', async () => {
    const world = new World();
    world.set('smtp.example.test', healthy());
    const store = createMemoryWatchStore();
    const watches = createWatchCommands({
      store,
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    const { sink, output } = capture();
    // The chat main.ts shares between the console and the scheduler's notifier.
    const chat = consoleChatFor(output);
    const input = new PassThrough();
    input.end('/smtp-check watch smtp.example.test 25,587\nlist\nhistory smtp.example.test\nhome\n');
    await runConsole({ input, output, runCheck: scripted, logger: silentLogger, watches, chat });
    expect(sink.printed).toContain('── only you can see this\n⏳ Probing `smtp.example.test` for a baseline');
    expect(sink.printed).toContain(
      '── message #1 in #console\n👀 Watching `smtp.example.test` on 2 ports (25, 587) for @you.',
    );
    expect(sink.printed).toContain('[ Unwatch smtp.example.test ]');
    expect(sink.printed).toContain('*1 watched host* in this channel');
    // No pictures in a terminal: the history's PNG goes to a temporary file, whose path is printed.
    const picture = /── picture in #console\n\*History of `smtp\.example\.test`\*[\s\S]*?🖼 (\S+\.png)/.exec(
      sink.printed,
    );
    expect(picture?.[1]).toBeDefined();
    expect(decodePng(readFileSync(picture![1]!)).width).toBe(1000);
    expect(sink.printed).toContain('── App Home\nWATCHED HOSTS\n`smtp.example.test`');

    const tick = () => {
      world.nowMs += 15 * 60_000;
      return recheckWatches({
        store,
        runCheck: world.runCheck,
        notify: chatNotifier(chat),
        now: world.now,
        logger: silentLogger,
        concurrency: 1,
        jitterMs: 0,
      });
    };
    world.set('smtp.example.test', port25Filtered());
    await tick();
    await tick();
    expect(sink.printed).toContain('── message #2 in #console\n🚨 SMTP.EXAMPLE.TEST: PORT 25 BLOCKED');
    world.set('smtp.example.test', healthy());
    await tick();
    await tick();
    expect(sink.printed).toContain('── message #3, reply in the thread of #2\n🟢 *Port 25 recovered*');
    expect(sink.printed).toContain('── message #2 updated\n✅ RESOLVED: SMTP.EXAMPLE.TEST');
  });

  test('what was typed comes back escaped: no escape sequence or bidi control reaches the terminal', async () => {
    const world = new World();
    const watches = createWatchCommands({
      store: createMemoryWatchStore(),
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    const hostile = 'evil\u001b]0;pwned\u0007\u001b[2Jhost\u202ecom';
    const printed = await run(
      [`/smtp-check ${hostile}`, `/smtp-check watch ${hostile}`, `/smtp-check 127.0.0.1 ${hostile}`],
      scripted,
      watches,
    );
    expect(printed.match(/only you can see this/g)).toHaveLength(3);
    expect(printed).not.toMatch(/[\u001b\u0007\u202e]/);
  });

  test('on an 80-column terminal every line fits (configuration lines to copy excepted)', async () => {
    const printedTo = async (terminal: boolean): Promise<string> => {
      const { sink, output } = capture();
      Object.assign(output, terminal ? { isTTY: true, columns: 80 } : {});
      const input = new PassThrough();
      input.end(`/smtp-check 127.0.0.1:${smtp.port}\nhelp\n`);
      await runConsole({
        input,
        output,
        runCheck: realRunCheck().runCheck,
        logger: silentLogger,
        chat: consoleChatFor(output),
      });
      return sink.printed;
    };
    const tooWide = (text: string) =>
      text.split('\n').filter((line) => !line.startsWith('    ') && displayWidth(line) > 80);
    // Into a pipe lines are left whole, and some are long: the terminal case below is a real test.
    expect(tooWide(await printedTo(false)).length).toBeGreaterThan(0);
    const printed = await printedTo(true);
    expect(printed).toContain('Checking `127.0.0.1` for @you');
    expect(tooWide(printed)).toEqual([]);
  });

  test('says what to do when recheck comes before any check', async () => {
    expect(await run(['recheck', 'quit', 'smtp.example.com'], scripted)).toBe(
      'Nothing to re-check yet: run `/smtp-check host` first.\n\n',
    );
  });
});
