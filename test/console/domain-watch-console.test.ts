import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { chatNotifier } from '../../src/chat/use-cases/index.js';
import { consoleChatFor, runConsole } from '../../src/console/index.js';
import { silentLogger } from '../../src/log.js';
import type { DomainReport } from '../../src/posture-report/types.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import type { CheckDomainPosture } from '../../src/watch/deps.js';
import { createWatchCommands, recheckWatches } from '../../src/watch/index.js';
import { captureOutput } from '../helpers/capture-output.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import { dmarcFacts, mxFacts } from '../helpers/posture-builders.js';
import { World } from '../watch/watch-harness.js';

// `watch domain` as a person types it into the console, and the schedule's alert, its thread and
// its resolution as the console prints what Slack would show.

describe('watch domain in the console', () => {
  test('watch, list, an alert with its thread, the recovery, unwatch', async () => {
    const world = new World();
    const store = createMemoryWatchStore();
    const twoMx = mxFacts({
      hosts: [
        { exchange: 'aspmx.l.google.com', priority: 1, addresses: ['192.0.2.25'] },
        { exchange: 'alt1.aspmx.l.google.com', priority: 5, addresses: ['192.0.2.26'] },
      ],
    });
    let report: DomainReport = aDomainReport({ mx: twoMx });
    const checkDomain: CheckDomainPosture = async () => report;
    const watches = createWatchCommands({
      store,
      runCheck: world.runCheck,
      checkDomain,
      now: world.now,
      logger: silentLogger,
    });
    const { sink, output } = captureOutput();
    const chat = consoleChatFor(output);
    const typed = (lines: string[]) => {
      const input = new PassThrough();
      input.end(`${lines.join('\n')}\n`);
      return runConsole({ input, output, runCheck: world.runCheck, logger: silentLogger, watches, chat });
    };

    await typed(['/smtp-check watch domain <http://Example.COM.|Example.COM.>', 'list']);
    expect(sink.printed).toContain(
      '👀 Watching the domain `example.com` for @you (🟢 ok): SPF ends in -all, DMARC p=reject, DKIM google, 2 MX hosts.',
    );
    expect(sink.printed).toContain('*1 watched domain* in this channel');

    const tick = () => {
      world.nowMs += 15 * 60_000;
      return recheckWatches({
        store,
        runCheck: world.runCheck,
        checkDomain,
        notify: chatNotifier(chat),
        now: world.now,
        logger: silentLogger,
        concurrency: 1,
        jitterMs: 0,
      });
    };
    report = aDomainReport({ mx: twoMx, dmarc: dmarcFacts({ policy: 'none' }) });
    await tick();
    expect(sink.printed).toMatch(
      /── message #\d+ in #console\n🚨 EXAMPLE\.COM: DMARC POLICY WEAKENED: REJECT → NONE/,
    );
    report = aDomainReport({ mx: twoMx });
    await tick();
    expect(sink.printed).toMatch(/reply in the thread of #\d+\n✅ DMARC policy back to reject/);
    expect(sink.printed).toMatch(/updated\n✅ RESOLVED: EXAMPLE\.COM/);

    await typed(['/smtp-check unwatch domain example.com']);
    expect(sink.printed).toContain('Stopped watching the domain `example.com` in this channel (@you).');
    expect(await store.listDomainWatches()).toEqual([]);
  });

  test('refuses an IP literal and says what to type', async () => {
    const world = new World();
    const store = createMemoryWatchStore();
    const checkDomain: CheckDomainPosture = async () => aDomainReport();
    const watches = createWatchCommands({
      store,
      runCheck: world.runCheck,
      checkDomain,
      now: world.now,
      logger: silentLogger,
    });
    const { sink, output } = captureOutput();
    const input = new PassThrough();
    input.end('/smtp-check watch domain 192.0.2.1\n/smtp-check help\n');
    await runConsole({
      input,
      output,
      runCheck: world.runCheck,
      logger: silentLogger,
      watches,
      chat: consoleChatFor(output),
    });
    expect(sink.printed).toContain('is an IP address');
    expect(sink.printed).toContain('watch domain <domain> [selector s1,s2]');
    expect(await store.listDomainWatches()).toEqual([]);
  });
});
