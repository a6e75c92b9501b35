import { describe, expect, test } from 'vitest';
import type { CheckHooks, CheckRequest } from '../../src/check/types.js';
import { type CliVantages, runCli, type VantageAskProgress } from '../../src/cli/run-cli.js';
import { LIVE_REDRAW_MS } from '../../src/cli/waiting-display.js';
import { WAITING_NOTICE_MS } from '../../src/cli/run-cli.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { VantageOutcome } from '../../src/diagnose/vantage-types.js';
import { displayWidth } from '../../src/render/display-width.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// `smtp-check host --from aws-eu,office` while the other networks have not answered: the terminal
// says which vantages it still waits for and how long the deadline still gives them. The queue is a
// seam here (a fake whose answers the test releases); the clock and the redraw timer are the test's.

const DEADLINE_MS = 30_000;
const ports = [aPort({ port: 587, class: 'open-starttls' }), aPort({ port: 25, class: 'open-starttls' })];
const diagnosis = () =>
  diagnoseHost(aHost({ target: 'smtp.example.com', host: 'smtp.example.com', ports }), aContext());
const check = async (_request: CheckRequest, hooks: CheckHooks = {}) => {
  hooks.onPlan?.({ target: 'smtp.example.com', ports: [587, 25], providerName: null });
  for (const port of ports) hooks.onPort?.(port);
  return diagnosis();
};

/** No port events: the only timer is then the vantages' own. */
const quietCheck = async () => diagnosis();

const answered = (vantage: string): VantageOutcome => ({ vantage, kind: 'answered', diagnosis: diagnosis() });

/** A queue whose vantages answer when the test says so. */
function lateVantages() {
  let progress: VantageAskProgress | undefined;
  let release: (outcomes: VantageOutcome[]) => void = () => undefined;
  const vantages: CliVantages = {
    local: 'here',
    open: async () => ({
      ask: (_selection, _request, heard) => {
        progress = heard;
        heard?.asking(['aws-eu', 'office'], DEADLINE_MS);
        return new Promise<VantageOutcome[]>((resolve) => {
          release = resolve;
        });
      },
      close: async () => undefined,
    }),
  };
  return {
    vantages,
    answer: (outcome: VantageOutcome) => progress?.answered(outcome),
    releaseAll: () => release([answered('aws-eu'), answered('office')]),
  };
}

/** A terminal (or pipe) with the test's clock and timers; `until` awaits a write. */
function fakeTerminal(options: { stdoutTTY: boolean; stderrTTY: boolean; columns?: number }) {
  const out: string[] = [];
  const err: string[] = [];
  const timers: Array<{ ms: number; fn: () => void; stopped: boolean }> = [];
  const waiters: Array<{ matches: () => boolean; resolve: () => void }> = [];
  const wake = () => {
    for (const waiter of [...waiters]) {
      if (!waiter.matches()) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  let clock = 1_000_000;
  return {
    out,
    err,
    io: {
      stdout: {
        isTTY: options.stdoutTTY,
        ...(options.columns ? { columns: options.columns } : {}),
        write: (text: string) => {
          out.push(text);
          wake();
        },
      },
      stderr: {
        isTTY: options.stderrTTY,
        write: (text: string) => {
          err.push(text);
          wake();
        },
      },
      noColor: true,
      now: () => clock,
      every: (ms: number, fn: () => void) => {
        const timer = { ms, fn, stopped: false };
        timers.push(timer);
        wake();
        return () => {
          timer.stopped = true;
        };
      },
    },
    advance(ms: number) {
      clock += ms;
    },
    tick(ms: number) {
      for (const timer of timers.filter((each) => each.ms === ms && !each.stopped)) timer.fn();
    },
    running: (ms: number) => timers.some((timer) => timer.ms === ms && !timer.stopped),
    until(matches: () => boolean): Promise<void> {
      if (matches()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ matches, resolve }));
    },
  };
}

/** The lines of each redraw of the waiting block (it starts by clearing to the end of the screen). */
function frames(out: string[]): string[][] {
  return out
    .filter((chunk) => chunk.includes('\u001b[J'))
    .map((chunk) =>
      chunk
        .slice(chunk.indexOf('\u001b[J') + 3)
        .split('\n')
        .filter(Boolean),
    );
}

describe('smtp-check host --from NAMES while the vantages answer', () => {
  test('on a terminal: a live line per vantage with the seconds left; an answer takes its line away', async () => {
    const terminal = fakeTerminal({ stdoutTTY: true, stderrTTY: true, columns: 60 });
    const queue = lateVantages();
    const run = runCli(
      ['smtp.example.com', '--from', 'aws-eu,office'],
      terminal.io,
      check,
      undefined,
      queue.vantages,
    );

    await terminal.until(() => terminal.running(LIVE_REDRAW_MS));
    expect(frames(terminal.out).at(-1)).toEqual([
      expect.stringMatching(/^ {2}from aws-eu +waiting… 30 s left$/),
      expect.stringMatching(/^ {2}from office +waiting… 30 s left$/),
    ]);

    terminal.advance(12_400);
    terminal.tick(LIVE_REDRAW_MS);
    expect(frames(terminal.out).at(-1)).toEqual([
      expect.stringMatching(/aws-eu +waiting… 18 s left$/),
      expect.stringMatching(/office +waiting… 18 s left$/),
    ]);
    // The redraw goes back up over the two lines it drew before.
    expect(terminal.out.at(-1)).toMatch(/^\u001b\[2A\r\u001b\[J/);

    queue.answer(answered('office'));
    expect(frames(terminal.out).at(-1)).toEqual([expect.stringMatching(/aws-eu +waiting… 18 s left$/)]);

    queue.releaseAll();
    expect(await run).toBe(0);
    // The block is cleared before the report, and the redraw timer stopped.
    expect(frames(terminal.out).at(-1)).toEqual([]);
    expect(terminal.running(LIVE_REDRAW_MS)).toBe(false);
    const output = terminal.out.join('');
    expect(output).toContain('Vantages');
    for (const frame of frames(terminal.out))
      for (const line of frame) expect(displayWidth(line)).toBeLessThan(60);
  });

  test('stdout piped, stderr a terminal: a "still waiting" line on stderr, nothing extra on stdout', async () => {
    const terminal = fakeTerminal({ stdoutTTY: false, stderrTTY: true });
    const queue = lateVantages();
    const run = runCli(
      ['smtp.example.com', '--from', 'aws-eu,office'],
      terminal.io,
      quietCheck,
      undefined,
      queue.vantages,
    );

    await terminal.until(() => terminal.running(WAITING_NOTICE_MS));
    terminal.advance(WAITING_NOTICE_MS);
    terminal.tick(WAITING_NOTICE_MS);
    queue.answer(answered('aws-eu'));
    terminal.advance(WAITING_NOTICE_MS);
    terminal.tick(WAITING_NOTICE_MS);
    queue.releaseAll();
    expect(await run).toBe(0);

    expect(terminal.err).toEqual([
      'smtp-check: still waiting for aws-eu, office (25 s left)…\n',
      'smtp-check: still waiting for office (20 s left)…\n',
    ]);
    const output = terminal.out.join('');
    expect(output).not.toContain('\u001b');
    expect(output).not.toContain('waiting');
  });

  test('--json: stdout is the JSON object alone, on a terminal or not', async () => {
    for (const stdoutTTY of [true, false]) {
      const terminal = fakeTerminal({ stdoutTTY, stderrTTY: true });
      const queue = lateVantages();
      const run = runCli(
        ['smtp.example.com', '--from', 'aws-eu,office', '--json'],
        terminal.io,
        check,
        undefined,
        queue.vantages,
      );
      await terminal.until(
        () => terminal.running(WAITING_NOTICE_MS) || terminal.running(LIVE_REDRAW_MS) || stdoutTTY,
      );
      terminal.advance(WAITING_NOTICE_MS);
      terminal.tick(WAITING_NOTICE_MS);
      terminal.tick(LIVE_REDRAW_MS);
      queue.releaseAll();
      expect(await run).toBe(0);
      const json = JSON.parse(terminal.out.join(''));
      expect(json.vantages).toHaveLength(2);
      expect(terminal.out.join('')).not.toContain('waiting');
    }
  });
});
