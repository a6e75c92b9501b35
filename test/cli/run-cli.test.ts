import { describe, expect, test } from 'vitest';
import type { CheckHooks, CheckRequest } from '../../src/check/types.js';
import { runCli } from '../../src/cli/run-cli.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { PortProbe } from '../../src/probe/types.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// The live terminal display, with a terminal-like stdout. The real command against real servers
// is tested in cli.test.ts; here the check is scripted so the order of events is exact.

function terminal(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    io: {
      stdout: { isTTY, write: (text: string) => chunks.push(text) },
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
