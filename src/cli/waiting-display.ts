import { fitColumns } from '../render/display-width.js';
import {
  renderSessionStepLine,
  renderVantageWaitLines,
  type SessionProgress,
  secondsLeft,
  sessionWaitingNotice,
  vantageWaitingNotice,
} from '../render/terminal-progress.js';
import type { CliIo } from './cli-io.js';

// What the terminal says once the ports are done and it still waits: on the login and send tests'
// steps, and on the vantages asked with --from. On a terminal stdout, transient lines under the
// port lines, redrawn in place and removed when the wait ends (the report follows them). With stdout
// piped and stderr a terminal, a "still waiting" line on stderr every few seconds, as for ports.
// Otherwise (both piped, or --json on a terminal) nothing: no escape sequence reaches a file.

/** How often the live lines are redrawn: the countdown moves by the second. */
export const LIVE_REDRAW_MS = 1_000;

/** How the wait is shown: `live` lines on stdout, or `notice` lines on stderr (never both). */
export interface WaitingMode {
  live: boolean;
  notice: boolean;
  /** Between two notices. */
  noticeMs: number;
}

function realEvery(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** Terminal width for live lines; 80 when unknown (a pipe, or a terminal that does not say). */
export function liveColumns(stdout: CliIo['stdout']): number {
  const columns = stdout.columns;
  return typeof columns === 'number' && Number.isInteger(columns) && columns > 0 ? columns : 80;
}

/**
 * Lines at the bottom of the terminal that are rewritten in place: up over what was drawn, clear to
 * the end of the screen, draw again. Each line must fit the terminal (one row each), which the
 * renderers see to, cutting with "…"; a wider one is cut here too rather than scramble the redraw.
 */
function liveBlock(stdout: CliIo['stdout']) {
  let drawn = 0;
  return {
    draw(lines: string[]) {
      const up = drawn > 0 ? `\u001b[${drawn}A` : '';
      if (drawn === 0 && lines.length === 0) return;
      const room = liveColumns(stdout) - 1;
      stdout.write(`${up}\r\u001b[J${lines.map((line) => `${fitColumns(line, room)}\n`).join('')}`);
      drawn = lines.length;
    },
  };
}

/**
 * Shows a wait: `lines` for the live display (given the terminal's columns), `notice` for stderr.
 * `update()` redraws at once (a step changed, a vantage answered); `end()` removes the live lines
 * and stops the timer.
 */
function showWaiting(
  io: CliIo,
  mode: WaitingMode,
  view: { lines(maxColumns: number): string[]; notice(): string | null },
) {
  const every = io.every ?? realEvery;
  if (mode.live) {
    const block = liveBlock(io.stdout);
    const redraw = () => block.draw(view.lines(liveColumns(io.stdout)));
    redraw();
    const stop = every(LIVE_REDRAW_MS, redraw);
    return {
      update: redraw,
      end() {
        stop();
        block.draw([]);
      },
    };
  }
  if (mode.notice) {
    const stop = every(mode.noticeMs, () => {
      const text = view.notice();
      if (text) io.stderr.write(text);
    });
    return { update: () => undefined, end: stop };
  }
  return { update: () => undefined, end: () => undefined };
}

/** The login and send tests' steps. Starts showing at the first step; `end` when the tests are done. */
export function sessionStepDisplay(io: CliIo, mode: WaitingMode, now: () => number) {
  let current: SessionProgress | null = null;
  let startedAt = 0;
  let shown: ReturnType<typeof showWaiting> | null = null;
  return {
    onProgress(progress: SessionProgress) {
      // A new session (the next port, or the send test after the login test) restarts the clock.
      if (!current || current.test !== progress.test || current.port !== progress.port) startedAt = now();
      current = progress;
      if (shown) {
        shown.update();
        return;
      }
      shown = showWaiting(io, mode, {
        lines: (maxColumns) => (current ? [renderSessionStepLine(current, { maxColumns })] : []),
        notice: () =>
          current ? sessionWaitingNotice(current, Math.round((now() - startedAt) / 1_000)) : null,
      });
    },
    end() {
      shown?.end();
      shown = null;
    },
  };
}

/**
 * The vantages asked with --from, each with its deadline, until they answer. `asking` and
 * `answered` may come before the display starts (while this network is probed); it shows only
 * those still waited for.
 */
export function vantageWaitDisplay(io: CliIo, mode: WaitingMode, now: () => number) {
  const pending = new Map<string, number>();
  let shown: ReturnType<typeof showWaiting> | null = null;
  const waiting = () =>
    [...pending].map(([vantage, deadlineAt]) => ({ vantage, secondsLeft: secondsLeft(deadlineAt, now()) }));
  return {
    asking(vantages: string[], deadlineMs: number) {
      const deadlineAt = now() + deadlineMs;
      for (const vantage of vantages) pending.set(vantage, deadlineAt);
      shown?.update();
    },
    answered(vantage: string) {
      pending.delete(vantage);
      shown?.update();
    },
    /** From now on the terminal waits only for the vantages. */
    start() {
      shown ??= showWaiting(io, mode, {
        lines: (maxColumns) => renderVantageWaitLines(waiting(), { maxColumns }),
        notice: () => {
          const left = waiting();
          if (left.length === 0) return null;
          return vantageWaitingNotice(
            left.map((each) => each.vantage),
            Math.max(...left.map((each) => each.secondsLeft)),
          );
        },
      });
    },
    end() {
      shown?.end();
      shown = null;
    },
  };
}
