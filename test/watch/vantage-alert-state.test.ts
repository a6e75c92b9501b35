import { describe, expect, test } from 'vitest';
import type { VantageOutcome } from '../../src/diagnose/vantage-types.js';
import { type AlertEvent, DEFAULT_ALERT_CONFIG } from '../../src/watch/alert-state.js';
import type { PortAlertStates, VantageAlertStates } from '../../src/watch-model/types.js';
import {
  effectiveQuorum,
  observeWatchFromVantages,
  type VantageObservation,
} from '../../src/watch/vantage-alert-state.js';
import { aDiagnosis } from './diagnosis-builder.js';
import { healthy, port25Filtered, START, TICK_MS } from './watch-harness.js';

const HOST = 'smtp.example.test';

const answered = (vantage: string, ports = healthy()): VantageOutcome => ({
  vantage,
  kind: 'answered',
  diagnosis: aDiagnosis(HOST, ports),
});
const noAnswer = (vantage: string): VantageOutcome => ({
  vantage,
  kind: 'no-answer',
  lastSeen: '2026-03-01T11:57:00.000Z',
  deadlineMs: 30_000,
  taken: false,
});

/** One watch from vantages, ticked by hand; every message counts as delivered. */
class VantageWatch {
  prev: PortAlertStates = {};
  prevVantages: VantageAlertStates = {};
  tickNumber = 0;

  constructor(
    readonly vantages: string[],
    readonly quorum: number,
  ) {}

  observe(...outcomes: VantageOutcome[]): VantageObservation {
    this.tickNumber += 1;
    const observation = observeWatchFromVantages({
      ports: [25, 587],
      vantages: this.vantages,
      prev: this.prev,
      prevVantages: this.prevVantages,
      outcomes,
      at: new Date(START + this.tickNumber * TICK_MS).toISOString(),
      config: DEFAULT_ALERT_CONFIG,
      quorum: this.quorum,
    });
    this.prev = observation.next;
    this.prevVantages = observation.vantages;
    return observation;
  }
}

const kinds = (events: AlertEvent[]): string[] => events.map((event) => `${event.kind} ${event.port}`);

describe('observeWatchFromVantages()', () => {
  test('each vantage × port has its own state machine', () => {
    const watch = new VantageWatch(['office', 'aws-eu'], 1);
    watch.observe(answered('office'), answered('aws-eu'));
    watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    expect(watch.prevVantages['aws-eu']?.[25]).toMatchObject({ phase: 'suspect', streak: 1 });
    expect(watch.prevVantages['aws-eu']?.[587]?.phase).toBe('ok');
    expect(watch.prevVantages['office']?.[25]?.phase).toBe('ok');
  });

  test('quorum 1: one vantage confirming the block raises the alert, naming who sees what', () => {
    const watch = new VantageWatch(['office', 'aws-eu'], 1);
    watch.observe(answered('office'), answered('aws-eu'));
    expect(watch.observe(answered('office'), answered('aws-eu', port25Filtered())).events).toEqual([]);
    const confirmed = watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    expect(kinds(confirmed.events)).toEqual(['became-blocked 25']);
    expect(confirmed.events[0]).toMatchObject({ since: new Date(START + 2 * TICK_MS).toISOString() });
    expect(confirmed.report.ports.find((p) => p.port === 25)).toEqual({
      port: 25,
      blocked: ['aws-eu'],
      failing: [],
      open: ['office'],
      unseen: [],
    });
    expect(confirmed.next[25]?.phase).toBe('blocked');
    // The evidence is the answer of the vantage that sees the port blocked.
    expect(confirmed.diagnosis?.ports.find((p) => p.port === 25)?.class).toBe('filtered');
  });

  test('quorum 2: one vantage is not enough; the alert comes when the second agrees', () => {
    const watch = new VantageWatch(['office', 'aws-eu'], 2);
    watch.observe(answered('office'), answered('aws-eu'));
    for (let i = 0; i < 4; i += 1) {
      const observation = watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
      expect(observation.events).toEqual([]);
    }
    expect(watch.prev[25]?.phase).toBe('suspect');
    watch.observe(answered('office', port25Filtered()), answered('aws-eu', port25Filtered()));
    const agreed = watch.observe(answered('office', port25Filtered()), answered('aws-eu', port25Filtered()));
    expect(kinds(agreed.events)).toEqual(['became-blocked 25']);
    // The outage began when the second vantage's did.
    expect(agreed.events[0]).toMatchObject({ since: new Date(START + 6 * TICK_MS).toISOString() });
    expect(agreed.report.ports.find((p) => p.port === 25)?.blocked).toEqual(['office', 'aws-eu']);

    // Recovered when fewer than two remain blocked.
    watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    const back = watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    expect(kinds(back.events)).toEqual(['recovered 25']);
    expect(back.events[0]).toMatchObject({
      firstTime: false,
      recoveredAt: new Date(START + 8 * TICK_MS).toISOString(),
    });
    expect(back.next[25]?.announcedOutage).toBeNull();
  });

  test('a silent vantage advances nothing, is never a verdict, and is named in the report', () => {
    const watch = new VantageWatch(['office', 'aws-eu'], 2);
    watch.observe(answered('office'), answered('aws-eu'));
    const officeBefore = watch.prevVantages['office'];
    for (let i = 0; i < 4; i += 1) {
      const observation = watch.observe(noAnswer('office'), answered('aws-eu', port25Filtered()));
      expect(observation.events).toEqual([]);
      expect(observation.vantages['office']).toEqual(officeBefore);
      expect(observation.report.silent).toEqual([
        { vantage: 'office', kind: 'no-answer', lastSeen: '2026-03-01T11:57:00.000Z', detail: null },
      ]);
    }
    // With quorum 1 the same answers alert: the silent vantage is not counted either way.
    const one = new VantageWatch(['office', 'aws-eu'], 1);
    one.observe(answered('office'), answered('aws-eu'));
    one.observe(noAnswer('office'), answered('aws-eu', port25Filtered()));
    const alerted = one.observe(
      { vantage: 'office', kind: 'no-worker', lastSeen: null },
      answered('aws-eu', port25Filtered()),
    );
    expect(kinds(alerted.events)).toEqual(['became-blocked 25']);
    expect(alerted.report.silent.map((s) => `${s.kind} ${s.vantage}`)).toEqual(['no-worker office']);
  });

  test('a tick where no vantage answered changes nothing, not even a reminder', () => {
    const watch = new VantageWatch(['aws-eu'], 1);
    watch.observe(answered('aws-eu'));
    watch.observe(answered('aws-eu', port25Filtered()));
    watch.observe(answered('aws-eu', port25Filtered()));
    const before = structuredClone(watch.prev);
    for (let i = 0; i < 20; i += 1) {
      const observation = watch.observe({ vantage: 'aws-eu', kind: 'failed', error: 'worker crashed' });
      expect(observation.events).toEqual([]);
      expect(observation.next).toEqual(before);
      expect(observation.diagnosis).toBeNull();
    }
  });

  test('an announced outage is reminded about on the same cadence as any watch', () => {
    const watch = new VantageWatch(['office', 'aws-eu'], 1);
    watch.observe(answered('office'), answered('aws-eu'));
    watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    const said: string[] = [];
    // Four hours at fifteen minutes a tick.
    for (let i = 0; i < 16; i += 1) {
      said.push(...kinds(watch.observe(answered('office'), answered('aws-eu', port25Filtered())).events));
    }
    expect(said).toEqual(['still-blocked 25']);
  });

  test('a port failing from a vantage since the watch began never pages; other vantages still do', () => {
    const watch = new VantageWatch(['office', 'aws-eu'], 1);
    watch.observe(answered('office'), answered('aws-eu', port25Filtered()));
    expect(watch.prev[25]?.phase).toBe('blocked');
    for (let i = 0; i < 20; i += 1) {
      expect(watch.observe(answered('office'), answered('aws-eu', port25Filtered())).events).toEqual([]);
    }
    watch.observe(answered('office', port25Filtered()), answered('aws-eu', port25Filtered()));
    const office = watch.observe(answered('office', port25Filtered()), answered('aws-eu', port25Filtered()));
    expect(kinds(office.events)).toEqual(['became-blocked 25']);
    expect(office.diagnosis).not.toBeNull();
  });

  test('the quorum is at least one and at most the vantages watched', () => {
    expect(effectiveQuorum(2, 1)).toBe(1);
    expect(effectiveQuorum(3, 2)).toBe(2);
    expect(effectiveQuorum(2, 3)).toBe(2);
    const watch = new VantageWatch(['aws-eu'], 2);
    watch.observe(answered('aws-eu'));
    watch.observe(answered('aws-eu', port25Filtered()));
    expect(kinds(watch.observe(answered('aws-eu', port25Filtered())).events)).toEqual(['became-blocked 25']);
  });
});
