import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ProbeLimits } from '../../src/probe/index.js';
import { renderAdvice } from '../../src/render/slack-advice.js';
import type { SlackMessage } from '../../src/render/slack-blocks.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import { renderParent } from '../../src/render/slack-parent.js';
import { renderPortDetails } from '../../src/render/slack-port-details.js';
import { renderReport } from '../../src/render/terminal.js';
import { blockProblems } from '../helpers/fake-slack-api.js';
import {
  checkHostile,
  createHostileContext,
  HOSTILE_SERVERS,
  type HostileContext,
  type HostileRun,
} from '../helpers/hostile-servers.js';
import { forbiddenCharacters, proseOf, unsafeMarkup } from '../helpers/slack-assertions.js';
import { testLimits } from '../helpers/probe-limits.js';

// Every hostile server of the corpus, probed for real through the production check with short
// injected budgets. What is asserted is what protects the bot and the channel: no throw, a verdict
// in time, escaped output, bounded memory.

const LIMITS: ProbeLimits = testLimits({
  stageTimeoutMs: 1_000,
  slowBannerMs: 800,
  otherModeAfterMs: 500,
  portDeadlineMs: 3_000,
});
/**
 * The servers that never stop talking (slowloris, endless continuation lines, a banner at one byte
 * a second) would hold a probe without a port deadline until the suite's own timeout. The bound is
 * three deadlines, not one: it still fails when the deadline is gone, and leaves a busy 2-core
 * machine room to schedule twenty probes at once.
 */
const BOUND_MS = 3 * LIMITS.portDeadlineMs;
const USER = 'U0ALICE';

let context: HostileContext;
let runs: HostileRun[];

beforeAll(async () => {
  context = createHostileContext();
  // All at once: each is bounded by the port deadline, so the corpus costs one deadline, not 20.
  runs = await Promise.all(HOSTILE_SERVERS.map((server) => checkHostile(server, context, LIMITS)));
}, 30_000);

function slackMessages(run: HostileRun): Array<[string, SlackMessage]> {
  return [
    ['parent', renderParent(run.diagnosis, { userId: USER })],
    ...run.diagnosis.ports.map((port): [string, SlackMessage] => [
      `port ${port.port}`,
      renderPortDetails(port),
    ]),
    ['advice', renderAdvice(run.diagnosis)],
  ];
}

describe('the hostile server corpus', () => {
  test('has at least 15 distinct misbehaving servers', () => {
    expect(HOSTILE_SERVERS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(HOSTILE_SERVERS.map((server) => server.name)).size).toBe(HOSTILE_SERVERS.length);
  });

  test('every server gets a verdict, in time, that reads it correctly', () => {
    const table = runs.map((run) => ({
      server: run.server.name,
      class: run.diagnosis.ports[0]?.class,
      ms: Math.round(run.elapsedMs),
      connections: run.connections,
    }));
    console.table(table);
    for (const run of runs) {
      const port = run.diagnosis.ports[0];
      // A TLS server counts a connection once its handshake is done; the plain ones must all be reached.
      if (run.server.mode === 'starttls') expect(run.connections, run.server.name).toBeGreaterThan(0);
      expect(port?.class, run.server.name).toBeOneOf([...run.server.expect]);
      expect(run.elapsedMs, run.server.name).toBeLessThan(BOUND_MS);
    }
  });

  test('keeps nothing a server sent beyond the read caps', () => {
    for (const run of runs) {
      const port = run.diagnosis.ports[0]!;
      const kept = JSON.stringify(port).length;
      // Greeting + EHLO twice + failure message, each capped by maxReplyBytes, plus certificate facts.
      expect(kept, run.server.name).toBeLessThan(5 * LIMITS.maxReplyBytes);
    }
  });

  test('after STARTTLS nothing injected before the handshake survives (RFC 3207 §6)', () => {
    const injected = runs.find((run) => run.server.name.startsWith('plaintext injected'))!;
    const port = injected.diagnosis.ports[0]!;
    expect(port.ehlo).toEqual(['SIZE 2048']);
    expect(port.auth.afterTls).toEqual([]);
    expect(JSON.stringify(port)).not.toContain('INJECTED');
  });

  test('the Slack rendering of every diagnosis is escaped and within Slack limits', () => {
    let messages = 0;
    for (const run of runs) {
      for (const [what, message] of slackMessages(run)) {
        const where = `${run.server.name}: ${what}`;
        messages += 1;
        expect(unsafeMarkup(message, { users: [USER] }), where).toEqual([]);
        expect(forbiddenCharacters(message), where).toEqual([]);
        expect(findLimitViolations(message), where).toEqual([]);
        expect(blockProblems(message.blocks), where).toEqual([]);
        // Outside code spans Slack would turn a bare URL into a link.
        expect(proseOf(message), where).not.toContain('evil.example');
      }
    }
    expect(messages).toBeGreaterThanOrEqual(3 * HOSTILE_SERVERS.length);
    // The hostile text did get through, defused: the test is looking at the right fields.
    const stripped = runs.find((run) => run.server.name.startsWith('mentions and links in greeting'))!;
    const details = JSON.stringify(renderPortDetails(stripped.diagnosis.ports[0]!));
    expect(details).toContain('&lt;!channel&gt;');
    expect(details).toContain('&lt;@U123&gt;');
  });

  test('the terminal report carries no escape or control characters', () => {
    for (const run of runs) {
      const report = renderReport(run.diagnosis, { color: false });
      expect(report, run.server.name).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      // With colour on, the only escapes are our own SGR colour codes.
      const coloured = renderReport(run.diagnosis, { color: true }).replace(/\u001b\[[0-9;]*m/g, '');
      expect(coloured, run.server.name).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  });
});

describe('memory while the corpus runs again and again', () => {
  test('heap and RSS growth stay bounded (child process with --expose-gc)', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hostile-memory.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fixture],
      { timeout: 45_000, maxBuffer: 1_000_000 },
    );
    const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      rounds: number;
      heapBaselineMb: number;
      heapAfterMb: number;
      rssBaselineMb: number;
      rssAfterMb: number;
      maxRssMb: number;
    };
    console.log('hostile corpus memory', figures);
    expect(figures.rounds).toBeGreaterThanOrEqual(4);
    // Generous bounds: a leak of one socket or reply per server per round, or an uncapped 1 MB
    // line / endless reply, blows through them; allocator noise does not.
    expect(figures.heapAfterMb - figures.heapBaselineMb).toBeLessThan(15);
    expect(figures.rssAfterMb - figures.rssBaselineMb).toBeLessThan(80);
    expect(figures.maxRssMb - figures.rssBaselineMb).toBeLessThan(150);
  }, 50_000);
});
