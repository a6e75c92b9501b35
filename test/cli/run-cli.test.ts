import { describe, expect, test } from 'vitest';
import type { CheckHooks, CheckRequest } from '../../src/check/types.js';
import { runCli } from '../../src/cli/run-cli.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { PortProbe } from '../../src/probe/types.js';
import { displayWidth } from '../../src/render/display-width.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// The live terminal display, with a terminal-like stdout. The real command against real servers
// is tested in cli.test.ts; here the check is scripted so the order of events is exact.

function terminal(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return {
    chunks,
    io: {
      stdout: { isTTY, ...(columns ? { columns } : {}), write: (text: string) => chunks.push(text) },
      stderr: { write: () => {} },
      noColor: false,
    },
  };
}

function scriptedCheck(ports: PortProbe[]) {
  return async (_request: CheckRequest, hooks: CheckHooks = {}) => {
    hooks.onPlan?.({ target: 'smtp.example.com', ports: ports.map((port) => port.port), providerName: null });
    for (const port of ports) hooks.onPort?.(port);
    return diagnoseHost(aHost({ target: 'smtp.example.com', host: 'smtp.example.com', ports }), aContext());
  };
}

const ports = [aPort({ port: 587, class: 'open-starttls' }), aPort({ port: 25, class: 'refused' })];

describe('runCli() live progress', () => {
  test('on a terminal, plans a line per port, then repaints them in place as ports finish', async () => {
    const { chunks, io } = terminal(true);
    await runCli(['smtp.example.com'], io, scriptedCheck(ports));
    expect(chunks[0]).toMatch(/^ {2}587 +checking….*\n {2}25 +checking…/s);
    // Each finished port moves the cursor up over the two lines and rewrites them.
    const repaints = chunks.filter((chunk) => chunk === '\u001b[2A');
    expect(repaints).toHaveLength(2);
    const output = chunks.join('');
    expect(output).toContain('open-starttls');
    expect(output).toContain('\u001b[32m');
  });

  test('off a terminal, prints each port once as it finishes, without escape sequences', async () => {
    const { chunks, io } = terminal(false);
    await runCli(['smtp.example.com'], io, scriptedCheck(ports));
    const output = chunks.join('');
    expect(output).not.toContain('\u001b');
    expect(output.split('\n').filter((line) => /^ {2}587 +open-starttls/.test(line))).toHaveLength(2);
    expect(output).toContain('Verdict');
  });

  test('--json prints only the JSON object', async () => {
    const { chunks, io } = terminal(true);
    const code = await runCli(['smtp.example.com', '--json'], io, scriptedCheck(ports));
    expect(JSON.parse(chunks.join(''))).toMatchObject({ host: 'smtp.example.com' });
    expect(code).toBe(0);
  });
});

/** The lines printed before the final report starts (its first line names the host). */
function liveLines(output: string): string[] {
  const end = output.indexOf('smtp-check smtp.example.com');
  return output
    .slice(0, end === -1 ? undefined : end)
    .split('\n')
    .map((line) => line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''));
}

describe('runCli() live lines fit the terminal', () => {
  const longGreeting = `220 ${'mail.example.test '.repeat(12)}ESMTP ready 🚀 end-of-greeting`;
  const wide = [
    aPort({ port: 587, class: 'open-starttls', greeting: longGreeting }),
    aPort({
      port: 2525,
      class: 'implicit-tls-on-starttls-port',
      failure: {
        stage: 'greeting',
        kind: 'timeout',
        message: `no greeting within 15000 ms ${'and a long explanation '.repeat(8)}end-of-failure`,
      },
    }),
  ];

  test.each([
    [true, 80],
    [true, 40],
    [true, undefined],
    [false, undefined],
  ])('stdout a terminal: %s, columns %s → every live line fits, cut with …', async (isTTY, columns) => {
    const { chunks, io } = terminal(isTTY, columns);
    await runCli(['smtp.example.com'], io, scriptedCheck(wide));
    const output = chunks.join('');
    const lines = liveLines(output);
    expect(lines.filter((line) => line.includes('…')).length).toBeGreaterThan(0);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(columns ?? 80);
    // The final report shows the server's text whole.
    expect(output.slice(output.indexOf('smtp-check smtp.example.com'))).toContain(longGreeting);
  });
});

describe('runCli() on a long run with piped output', () => {
  /** A clock the test ticks by hand, and a check that waits for the test between ports. */
  function slowRun(stdoutTTY: boolean, stderrTTY: boolean) {
    const errors: string[] = [];
    const ticks: Array<() => void> = [];
    let stopped = 0;
    const io = {
      stdout: { isTTY: stdoutTTY, write: () => {} },
      stderr: { isTTY: stderrTTY, write: (text: string) => errors.push(text) },
      noColor: true,
      every: (_ms: number, fn: () => void) => {
        ticks.push(fn);
        return () => {
          stopped += 1;
        };
      },
    };
    const check = async (_request: CheckRequest, hooks: CheckHooks = {}) => {
      hooks.onPlan?.({ target: 'smtp.example.com', ports: [587, 25], providerName: null });
      hooks.onPort?.(ports[0] as PortProbe);
      for (const tick of ticks) tick();
      for (const tick of ticks) tick();
      hooks.onPort?.(ports[1] as PortProbe);
      for (const tick of ticks) tick();
      return diagnoseHost(aHost({ target: 'smtp.example.com', host: 'smtp.example.com', ports }), aContext());
    };
    return { errors, io, check, stopped: () => stopped };
  }

  test('stderr a terminal, stdout piped: says every few seconds which ports it still waits for', async () => {
    const run = slowRun(false, true);
    await runCli(['smtp.example.com'], run.io, run.check);
    expect(run.errors).toEqual([
      'smtp-check: still waiting for 25 (5 s)…\n',
      'smtp-check: still waiting for 25 (10 s)…\n',
    ]);
    expect(run.stopped()).toBe(1);
  });

  test.each([
    ['stderr piped too', false, false],
    ['stdout a terminal (the live lines say it)', true, true],
  ])('%s: no notice', async (_name, stdoutTTY, stderrTTY) => {
    const run = slowRun(stdoutTTY, stderrTTY);
    await runCli(['smtp.example.com'], run.io, run.check);
    expect(run.errors).toEqual([]);
  });
});
