import { describe, expect, test } from 'vitest';
import type { CheckHooks, CheckRequest } from '../../src/check/types.js';
import type { VantageSelection } from '../../src/chat/use-cases/vantage-words.js';
import { parseCliArgs } from '../../src/cli/parse-args.js';
import { type CliVantages, EXIT_VANTAGE_SILENT, runCli } from '../../src/cli/run-cli.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { VantageOutcome } from '../../src/diagnose/vantage-types.js';
import { displayWidth } from '../../src/render/display-width.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// `--from NAMES` in the terminal. The queue is a seam here (the real workers answer in
// test/vantage/slack-vantages.test.ts): what the CLI makes of their outcomes, its JSON and its
// exit codes.

const healthy = [aPort({ port: 587, class: 'open-starttls' }), aPort({ port: 25, class: 'open-starttls' })];
const diagnosis = (ports = healthy) =>
  diagnoseHost(aHost({ target: 'smtp.example.com', host: 'smtp.example.com', ports }), aContext());
const check = async (_request: CheckRequest, _hooks: CheckHooks = {}) => diagnosis();

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { isTTY: false, write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      noColor: true,
    },
  };
}

function vantages(outcomes: VantageOutcome[], asked: VantageSelection[] = []): CliVantages {
  return {
    local: 'here',
    open: async () => ({
      ask: async (selection) => {
        asked.push(selection);
        return outcomes;
      },
      close: async () => undefined,
    }),
  };
}

const awsFiltered: VantageOutcome = {
  vantage: 'aws-eu',
  kind: 'answered',
  diagnosis: diagnosis([
    aPort({ port: 587, class: 'open-starttls' }),
    aPort({ port: 25, class: 'filtered' }),
  ]),
};

describe('smtp-check host --from NAMES', () => {
  test('--from with an @ is the send test’s sender; without one it names vantages', () => {
    expect(parseCliArgs(['h.example', '--from', 'a@b.example', '--to', 'c@d.example'])).toMatchObject({
      send: { from: 'a@b.example', to: 'c@d.example' },
    });
    const args = parseCliArgs(['h.example', '--from', 'aws-eu,office']);
    expect(args).toMatchObject({ vantages: { kind: 'named', names: ['aws-eu', 'office'] } });
    expect(args).not.toHaveProperty('send');
    expect(parseCliArgs(['h.example', '--from=all'])).toMatchObject({ vantages: { kind: 'all' } });
    expect(parseCliArgs(['h.example', '--from', 'all', '--to', 'c@d.example'])).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/--to needs the sender as --from ADDRESS/),
    });
    expect(parseCliArgs(['h.example', '--from', 'AWS_EU'])).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/not a vantage name/),
    });
  });

  test('--json adds vantages[] (same port and finding shapes) and the comparison beside the local result', async () => {
    const { out, io: cliIo } = io();
    const asked: VantageSelection[] = [];
    const code = await runCli(
      ['smtp.example.com', '--from', 'aws-eu', '--json'],
      cliIo,
      check,
      undefined,
      vantages([awsFiltered], asked),
    );
    const json = JSON.parse(out.join(''));
    expect(asked).toEqual([{ kind: 'named', names: ['aws-eu'] }]);
    expect(json.host).toBe('smtp.example.com');
    expect(json.vantages).toHaveLength(1);
    expect(json.vantages[0]).toMatchObject({ name: 'aws-eu', status: 'answered' });
    expect(
      json.vantages[0].ports.map((port: { port: number; class: string }) => [port.port, port.class]),
    ).toEqual([
      [587, 'open-starttls'],
      [25, 'filtered'],
    ]);
    expect(Object.keys(json.vantages[0].ports[0]).sort()).toEqual(Object.keys(json.ports[0]).sort());
    expect(json.comparison.findings[0]).toMatchObject({
      id: 'vantage-blocks-port',
      port: 25,
      vantages: ['aws-eu'],
    });
    expect(code).toBe(0);
  });

  test('a vantage that gave no verdict: exit 3 when the check is otherwise fine, and the report says why', async () => {
    const { out, io: cliIo } = io();
    const silent: VantageOutcome = { vantage: 'office', kind: 'no-worker', lastSeen: null };
    const code = await runCli(
      ['smtp.example.com', '--from', 'aws-eu,office'],
      cliIo,
      check,
      undefined,
      vantages([awsFiltered, silent]),
    );
    expect(code).toBe(EXIT_VANTAGE_SILENT);
    const text = out.join('');
    expect(text).toMatch(/Vantages/);
    expect(text).toMatch(/office\s+no worker/);
    // The vantages section fits 80 columns (the report above it quotes server text whole when piped).
    const section = text.slice(text.indexOf('Vantages'));
    for (const line of section.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });

  test('without DATABASE_URL, --from says what it needs and exits 2 before probing', async () => {
    const { err, io: cliIo } = io();
    let probed = false;
    const code = await runCli(
      ['smtp.example.com', '--from', 'aws-eu'],
      cliIo,
      async () => {
        probed = true;
        return diagnosis();
      },
      undefined,
      { local: 'here', open: async () => ({ problem: '--from NAMES needs DATABASE_URL' }) },
    );
    expect(code).toBe(2);
    expect(probed).toBe(false);
    expect(err.join('')).toMatch(/needs DATABASE_URL/);
  });
});
