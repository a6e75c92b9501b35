import type { SessionStep } from '../proof/index.js';
import { assertNever } from '../util/assert-never.js';
import { fitColumns } from './display-width.js';
import type { LiveWidth } from './terminal.js';

// What the terminal says while it waits after the ports are done: the step a login or send test is
// on, and the vantages asked with --from that have not answered yet. Live lines are cut to the
// terminal (one column short, as the port lines are); the notices are for stderr when stdout is
// piped, one line each.

/** A login or send test at one step of its SMTP session. */
export interface SessionProgress {
  test: 'login' | 'send';
  port: number;
  /** Implicit TLS: the handshake is part of connecting. */
  secure: boolean;
  step: SessionStep;
}

/** The step as its command is called, so it matches the transcript printed after it. */
export function sessionStepLabel(step: SessionStep, secure: boolean): string {
  switch (step) {
    case 'connect':
      return secure ? 'connecting, TLS' : 'connecting';
    case 'greeting':
      return 'greeting';
    case 'ehlo':
      return 'EHLO';
    case 'starttls':
      return 'TLS (STARTTLS)';
    case 'auth':
      return 'AUTH';
    case 'mail':
      return 'MAIL';
    case 'rcpt':
      return 'RCPT';
    case 'data':
      return 'DATA';
    default:
      return assertNever(step);
  }
}

function sessionWhat(progress: SessionProgress): string {
  return `${progress.test} test, port ${progress.port}: ${sessionStepLabel(progress.step, progress.secure)}`;
}

function fitLive(line: string, width: LiveWidth): string {
  return width.maxColumns === undefined ? line : fitColumns(line, width.maxColumns - 1);
}

export function renderSessionStepLine(progress: SessionProgress, width: LiveWidth = {}): string {
  return fitLive(`  ${sessionWhat(progress)}…`, width);
}

export function sessionWaitingNotice(progress: SessionProgress, elapsedSeconds: number): string {
  return `smtp-check: still waiting for the ${sessionWhat(progress)} (${elapsedSeconds} s)…\n`;
}

/** Whole seconds left until deadlineAt, never below 0 (rounded up: "1 s left" until it is over). */
export function secondsLeft(deadlineAt: number, now: number): number {
  return Math.max(0, Math.ceil((deadlineAt - now) / 1_000));
}

/** One line per vantage still to answer. */
export function renderVantageWaitLines(
  waiting: ReadonlyArray<{ vantage: string; secondsLeft: number }>,
  width: LiveWidth = {},
): string[] {
  const nameWidth = Math.max(0, ...waiting.map((each) => each.vantage.length));
  return waiting.map((each) =>
    fitLive(`  from ${each.vantage.padEnd(nameWidth)}  waiting… ${each.secondsLeft} s left`, width),
  );
}

export function vantageWaitingNotice(vantages: string[], secondsLeftOfDeadline: number): string {
  return `smtp-check: still waiting for ${vantages.join(', ')} (${secondsLeftOfDeadline} s left)…\n`;
}
