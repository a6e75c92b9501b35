import type { RunCheck } from '../check/index.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, exitCodeFor } from '../diagnose/index.js';
import type { PortProbe } from '../probe/types.js';
import { toJson } from '../render/json.js';
import { comparisonJson, vantagesJson } from '../render/json-vantages.js';
import { renderVantagesTerminal } from '../render/terminal-vantages.js';
import { compareVantages } from '../diagnose/compare-vantages.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { VantageSelection } from '../chat/use-cases/vantage-words.js';
import type { CheckRequest } from '../check/types.js';
import { renderSessionTests } from '../render/terminal-session-tests.js';
import { runSessionTests, type SessionTests, sessionTestsPassed } from './session-tests.js';
import { escapeControls } from '../text/sanitize.js';
import { renderPendingLine, renderPortLine, renderReport } from '../render/terminal.js';
import { parseCliArgs, USAGE } from './parse-args.js';
import { EXIT_VANTAGE_SILENT } from '../util/exit-codes.js';
import { liveColumns, sessionStepDisplay, vantageWaitDisplay, type WaitingMode } from './waiting-display.js';

export type { CliIo } from './cli-io.js';
import type { CliIo } from './cli-io.js';

export { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, exitCodeFor };

/** The check itself is fine, but a vantage asked with --from gave no verdict. */
export { EXIT_VANTAGE_SILENT };

/** What the terminal hears while the other networks are asked (the live "still waiting" lines). */
export interface VantageAskProgress {
  /** These vantages were asked, each with this long to answer. */
  asking(vantages: string[], deadlineMs: number): void;
  /** One of them answered, or was found silent. */
  answered(outcome: VantageOutcome): void;
}

/** Probing from other networks (`--from NAMES`), through the bot's database and its workers. */
export interface CliVantages {
  /** This terminal's own network, as the comparison names it. */
  local: string;
  /** Opens the queue, or says why it cannot (no DATABASE_URL). */
  open(): Promise<
    | {
        ask(
          selection: VantageSelection,
          request: CheckRequest,
          progress?: VantageAskProgress,
        ): Promise<VantageOutcome[]>;
        close(): Promise<void>;
      }
    | { problem: string }
  >;
}

export { liveColumns };

/**
 * Live progress on a terminal: one line per planned port, rewritten in place as ports finish.
 * Off a terminal, each port's line is printed once as it finishes. Every line fits the terminal:
 * the redraw moves the cursor up one row per line, so a wrapped line would scramble it. The final
 * report shows the server's text whole.
 */
function progressPrinter(io: CliIo, color: boolean) {
  const ports = new Map<number, PortProbe | null>();
  const live = io.stdout.isTTY === true;
  const lineOf = (port: number, maxColumns: number): string => {
    const probe = ports.get(port);
    return probe ? renderPortLine(probe, { color, maxColumns }) : renderPendingLine(port, { maxColumns });
  };
  return {
    plan(planned: number[]) {
      for (const port of planned) ports.set(port, null);
      const maxColumns = liveColumns(io.stdout);
      if (live) io.stdout.write(`${[...ports.keys()].map((port) => lineOf(port, maxColumns)).join('\n')}\n`);
    },
    port(port: PortProbe) {
      const planned = ports.has(port.port);
      ports.set(port.port, port);
      const maxColumns = liveColumns(io.stdout);
      if (!live || !planned) {
        io.stdout.write(`${lineOf(port.port, maxColumns)}\n`);
        return;
      }
      // Move up to the first progress line, then repaint the block.
      io.stdout.write(`\u001b[${ports.size}A`);
      for (const each of ports.keys()) io.stdout.write(`\u001b[2K${lineOf(each, maxColumns)}\n`);
    },
    end() {
      if (ports.size > 0) io.stdout.write('\n');
    },
  };
}

/** How often a long run with piped output says on stderr what it still waits for. */
export const WAITING_NOTICE_MS = 5_000;

function realEvery(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `smtp-check host --timeout-ms 300000 | tee log` shows nothing for minutes: when stdout is not a
 * terminal but stderr is, say every few seconds which ports are still being waited for. On a
 * terminal stdout the live lines already say it (and a stderr line would break their redraw).
 */
function waitingNotice(io: CliIo) {
  const waiting = new Set<number>();
  let stop: (() => void) | null = null;
  const show = io.stderr.isTTY === true && io.stdout.isTTY !== true;
  let elapsedMs = 0;
  return {
    plan(ports: number[]) {
      for (const port of ports) waiting.add(port);
      if (!show || stop) return;
      stop = (io.every ?? realEvery)(WAITING_NOTICE_MS, () => {
        elapsedMs += WAITING_NOTICE_MS;
        if (waiting.size === 0) return;
        const ports = [...waiting].join(', ');
        io.stderr.write(`smtp-check: still waiting for ${ports} (${Math.round(elapsedMs / 1000)} s)…\n`);
      });
    },
    done(port: number) {
      waiting.delete(port);
    },
    end() {
      stop?.();
      stop = null;
    },
  };
}

export async function runCli(
  argv: string[],
  io: CliIo,
  runCheck: RunCheck,
  sessionTests?: SessionTests,
  vantages?: CliVantages,
): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (args.kind === 'error') {
    // The message may quote what was typed: escape sequences in it must not reach the terminal.
    io.stderr.write(`smtp-check: ${escapeControls(args.message)}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  // After the ports, what is still waited for: live lines on a terminal stdout, else a notice on a
  // terminal stderr (the same rule as for ports). --json keeps stdout to the JSON object.
  const waitingMode: WaitingMode = {
    live: io.stdout.isTTY === true && !args.json,
    notice: io.stderr.isTTY === true && io.stdout.isTTY !== true,
    noticeMs: WAITING_NOTICE_MS,
  };
  const now = io.now ?? Date.now;
  const vantageWait = vantageWaitDisplay(io, waitingMode, now);
  let remote: { outcomes: Promise<VantageOutcome[]>; close(): Promise<void> } | null = null;
  if (args.vantages) {
    const opened = vantages ? await vantages.open() : { problem: '--from NAMES is not available here' };
    if ('problem' in opened) {
      io.stderr.write(`smtp-check: ${escapeControls(opened.problem)}\n`);
      return EXIT_USAGE;
    }
    // The other networks start at once, alongside this one.
    const outcomes = opened.ask(args.vantages, args.request, {
      asking: (names, deadlineMs) => vantageWait.asking(names, deadlineMs),
      answered: (outcome) => vantageWait.answered(outcome.vantage),
    });
    outcomes.catch(() => undefined);
    remote = { outcomes, close: () => opened.close() };
  }

  const color = args.color && !io.noColor && io.stdout.isTTY === true;
  const progress = args.json ? null : progressPrinter(io, color);
  const notice = waitingNotice(io);
  let diagnosis: Awaited<ReturnType<RunCheck>>;
  try {
    diagnosis = await runCheck(args.request, {
      onPlan: (plan) => {
        notice.plan(plan.ports);
        progress?.plan(plan.ports);
      },
      onPort: (port) => {
        notice.done(port.port);
        progress?.port(port);
      },
    });
  } finally {
    notice.end();
  }
  const wantsTests = args.user !== undefined || args.send !== undefined;
  if (wantsTests && !sessionTests) {
    io.stderr.write('smtp-check: login and send tests are not available here\n');
    return EXIT_USAGE;
  }
  let tests: Awaited<ReturnType<typeof runSessionTests>> | null = null;
  if (wantsTests && sessionTests) {
    const steps = sessionStepDisplay(io, waitingMode, now);
    try {
      tests = await runSessionTests(
        diagnosis,
        {
          ports: args.request.ports,
          ...(args.user !== undefined ? { user: args.user } : {}),
          ...(args.send ? { send: args.send } : {}),
        },
        sessionTests,
        (progress) => steps.onProgress(progress),
      );
    } finally {
      steps.end();
    }
  }
  let others: VantageOutcome[] | null = null;
  if (remote) {
    vantageWait.start();
    try {
      others = await remote.outcomes;
    } finally {
      vantageWait.end();
      await remote.close();
    }
  }
  const local: VantageOutcome = { vantage: vantages?.local ?? 'local', kind: 'answered', diagnosis };
  const comparison = others ? compareVantages([local, ...others]) : null;
  if (args.json) {
    // Additive: the login and send tests, and the other vantages, sit beside the check's fields.
    const json = {
      ...toJson(diagnosis),
      ...(tests ? { credentials: tests.credentials, send: tests.send, testProblem: tests.problem } : {}),
      ...(others && comparison
        ? { vantages: vantagesJson(others), comparison: comparisonJson(comparison) }
        : {}),
    };
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    progress?.end();
    io.stdout.write(renderReport(diagnosis, { color }));
    if (tests) io.stdout.write(renderSessionTests(tests));
    if (others && comparison) {
      io.stdout.write(
        renderVantagesTerminal([local, ...others], comparison, { width: io.stdout.columns ?? 80, color }),
      );
    }
  }
  const code = exitCodeFor(diagnosis);
  if (tests && !sessionTestsPassed(tests)) return EXIT_PROBLEM;
  if (code === EXIT_OK && others?.some((outcome) => outcome.kind !== 'answered')) return EXIT_VANTAGE_SILENT;
  return code;
}
