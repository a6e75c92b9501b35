import { describe, expect, test } from 'vitest';
import { MAX_OPEN_PER_ADDRESS } from '../../src/probe/connect.js';
import { requireNamespaces, runInNamespace } from '../helpers/netns.js';
import type { ScenarioResult } from '../helpers/netns-scenario.js';

// Real packet drops: each scenario runs in its own network namespace (loopback only) with an
// nftables rule, so `filtered` here means the SYNs really vanished. Without namespaces the tests
// are skipped, and fail under CI.
const skip = requireNamespaces() !== null;
const SCENARIO = new URL('../helpers/netns-scenario.ts', import.meta.url);

function scenario(name: string, ...args: string[]): Promise<ScenarioResult> {
  return runInNamespace<ScenarioResult>(SCENARIO, [name, ...args], 80_000);
}

// Generous: nine scenarios start at once, each compiling TypeScript in its own process.
describe.skipIf(skip).concurrent('probeHost() with packets really dropped', { timeout: 90_000 }, () => {
  test('reports filtered just past the first SYN retransmission (1.1 s) when one port drops SYNs while its siblings answer', async () => {
    const [round] = (await scenario('filtered')).rounds;
    const [dropped, first, second, slow] = round!.ports;
    expect(dropped).toMatchObject({ class: 'filtered', failure: { stage: 'connect', kind: 'timeout' } });
    // The evidence the verdict names: another port of the address answered.
    expect(dropped!.failure?.message).toMatch(
      /^no answer to \d+ connection attempts in \d+ ms \(another port on 127\.0\.0\.1 answered in [\d.]+ ms\)$/,
    );
    // Only past the kernel's first SYN retransmission (1 s): the 1.1 s floor. Timers never fire
    // early, so a lower bound cannot flake on a busy machine.
    expect(dropped!.durationMs).toBeGreaterThanOrEqual(1_050);
    // The wait was cut short: half the scenario's 30 s connect timeout leaves ~14 s for a busy
    // machine, and a probe that ignored the evidence would wait the whole 30 s.
    expect(dropped!.durationMs).toBeLessThan(15_000);
    expect([first!.class, second!.class]).toEqual(['open-starttls', 'open-starttls']);
    // Alive but greeting after 2.5 s: slow, never filtered.
    expect(slow!.class).toBe('slow-banner');
  });

  test('keeps the sockets open to one address under the cap, however many ports are silent', async () => {
    const { peakOpen } = await scenario('crowded');
    // Six ports' first attempts always go; the staggered extras wait for room.
    expect(peakOpen).toBeGreaterThanOrEqual(6);
    expect(peakOpen).toBeLessThanOrEqual(MAX_OPEN_PER_ADDRESS);
  });

  test('shares the cap between concurrent checks of two names for one address', async () => {
    const { peakOpen, rounds } = await scenario('shared-address');
    // Twelve first attempts (6 ports × 2 checks) always go; the extras wait for room at the address.
    expect(peakOpen).toBeGreaterThanOrEqual(12);
    expect(peakOpen).toBeLessThanOrEqual(MAX_OPEN_PER_ADDRESS);
    expect(rounds.flatMap((round) => round.ports.map((port) => port.class))).toEqual(
      Array(12).fill('filtered'),
    );
  });

  test('dials every address of a name and says on how many a port is filtered', async () => {
    const [round] = (await scenario('split-addresses')).rounds;
    const [port] = round!.ports;
    expect(round!.addresses).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3', '::1']);
    expect(port!.attempts?.map((attempt) => [attempt.address, attempt.class])).toEqual([
      ['127.0.0.1', 'open-starttls'],
      ['127.0.0.2', 'filtered'],
      ['127.0.0.3', 'filtered'],
      ['::1', 'open-starttls'],
    ]);
    // The port reads as its first address; the split is a finding of its own.
    expect(port!.class).toBe('open-starttls');
    const split = port!.findings.find((summary) => summary.includes('is filtered on'));
    expect(split).toMatch(
      /^\d+ is filtered on 2 of 4 addresses of mail\.example\.test \(127\.0\.0\.2 and 127\.0\.0\.3: no answer after [\d.]+ s\), while 127\.0\.0\.1 \(STARTTLS works\) and ::1 \(STARTTLS works\) answered/,
    );
  });

  test('waits the full connect timeout when no port of the host answers', async () => {
    const [round] = (await scenario('all-filtered')).rounds;
    for (const port of round!.ports) {
      expect(port.class).toBe('filtered');
      expect(port.durationMs).toBeGreaterThanOrEqual(2_400);
    }
  });

  test('is not fooled by the first two SYNs of a live port being lost', async () => {
    const [round] = (await scenario('lost-syns')).rounds;
    const [lossy] = round!.ports;
    expect(lossy!.class).toBe('open-starttls');
    // The SYNs really were lost: a staggered attempt connected, not the first.
    expect(lossy!.connectMs).toBeGreaterThanOrEqual(150);
  });

  test('gives no false filtered on a path that loses a third of all SYNs', async () => {
    const { rounds } = await scenario('lossy', '5');
    expect(rounds).toHaveLength(5);
    const classes = rounds.flatMap((round) => round.ports.map((port) => port.class));
    expect(classes).toEqual(Array(15).fill('open-starttls'));
  });

  test('reports unreachable for an ICMP host-unreachable answer', async () => {
    const [round] = (await scenario('unreachable')).rounds;
    expect(round!.ports[0]).toMatchObject({
      class: 'unreachable',
      failure: { stage: 'connect', kind: 'unreachable', code: 'EHOSTUNREACH' },
    });
    expect(round!.ports[1]!.class).toBe('open-starttls');
  });

  test('finds localhost through the system lookup when DNS has no answer', async () => {
    const [round] = (await scenario('localhost')).rounds;
    expect(round!.addresses).toEqual(['127.0.0.1']);
    expect(round!.ports[0]!.class).toBe('open-starttls');
  });
});
