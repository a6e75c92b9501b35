import type { RunCheck } from '../check/index.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { PortProbe } from '../probe/types.js';
import { renderJson } from '../render/json.js';
import { escapeControls } from '../render/sanitize.js';
import { renderPendingLine, renderPortLine, renderReport } from '../render/terminal.js';
import { parseCliArgs, USAGE } from './parse-args.js';

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  /** NO_COLOR (https://no-color.org) turns colour off. */
  noColor: boolean;
}

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

/** DESIGN §11: 0 when a submission port is usable and nothing is critical, 1 otherwise. */
export function exitCodeFor(diagnosis: HostDiagnosis): number {
  const critical = [...diagnosis.findings, ...diagnosis.ports.flatMap((port) => port.findings)].some(
    (finding) => finding.severity === 'critical',
  );
  const submissionUsable = diagnosis.ports.some((port) => port.usable && port.role === 'submission');
  return submissionUsable && !critical ? EXIT_OK : EXIT_PROBLEM;
}

/**
 * Live progress on a terminal: one line per planned port, rewritten in place as ports finish.
 * Off a terminal, each port's line is printed once as it finishes.
 */
function progressPrinter(io: CliIo, color: boolean) {
  const lines = new Map<number, string>();
  const order: number[] = [];
  const live = io.stdout.isTTY === true;
  return {
    plan(ports: number[]) {
      for (const port of ports) {
        order.push(port);
        lines.set(port, renderPendingLine(port));
      }
      if (live) io.stdout.write(`${order.map((port) => lines.get(port)).join('\n')}\n`);
    },
    port(port: PortProbe) {
      const line = renderPortLine(port, { color });
      lines.set(port.port, line);
      if (!live) {
        io.stdout.write(`${line}\n`);
        return;
      }
      // Move up to the first progress line, then repaint the block.
      io.stdout.write(`\u001b[${order.length}A`);
      for (const each of order) io.stdout.write(`\u001b[2K${lines.get(each)}\n`);
    },
    end() {
      if (order.length > 0) io.stdout.write('\n');
    },
  };
}

export async function runCli(argv: string[], io: CliIo, runCheck: RunCheck): Promise<number> {
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

  const color = args.color && !io.noColor && io.stdout.isTTY === true;
  const progress = args.json ? null : progressPrinter(io, color);
  const diagnosis = await runCheck(args.request, {
    onPlan: (plan) => progress?.plan(plan.ports),
    onPort: (port) => progress?.port(port),
  });
  if (args.json) {
    io.stdout.write(renderJson(diagnosis));
  } else {
    progress?.end();
    io.stdout.write(renderReport(diagnosis, { color }));
  }
  return exitCodeFor(diagnosis);
}
