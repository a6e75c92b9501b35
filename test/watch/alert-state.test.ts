import { describe, expect, test } from 'vitest';
import type { PortAlertState } from '../../src/watch/index.js';
import {
  type AlertConfig,
  advancePortState,
  baselinePortState,
  certBandOf,
  DEFAULT_ALERT_CONFIG,
  type PortObservation,
  withholdAnnouncements,
} from '../../src/watch/alert-state.js';
import { aState } from '../store/watch-store-contract.js';

const T0 = '2026-03-01T12:00:00.000Z';
const T1 = '2026-03-01T12:15:00.000Z';
const FIVE_HOURS_AGO = '2026-03-01T07:15:00.000Z';

const state = (overrides: Partial<PortAlertState>): PortAlertState =>
  aState({ since: '2026-03-01T08:00:00.000Z', ...overrides });

const blockedAnnounced = (overrides: Partial<PortAlertState> = {}): PortAlertState =>
  state({
    phase: 'blocked',
    class: 'filtered',
    usable: false,
    since: '2026-03-01T11:45:00.000Z',
    announcedOutage: '2026-03-01T11:45:00.000Z',
    announcedAt: T0,
    ...overrides,
  });

const up: PortObservation = { port: 25, class: 'open-starttls', usable: true, daysLeft: 90, at: T1 };
const down: PortObservation = { port: 25, class: 'filtered', usable: false, daysLeft: null, at: T1 };
const cert = (daysLeft: number): PortObservation => ({ ...up, daysLeft });

interface Row {
  name: string;
  prev: PortAlertState | null;
  observation: PortObservation;
  config?: Partial<AlertConfig>;
  phase: PortAlertState['phase'];
  streak: number;
  events: string[];
}

const rows: Row[] = [
  { name: 'ok + usable stays ok', prev: state({}), observation: up, phase: 'ok', streak: 0, events: [] },
  {
    name: 'ok + one failure is only suspect',
    prev: state({}),
    observation: down,
    phase: 'suspect',
    streak: 1,
    events: [],
  },
  {
    name: 'ok + one failure blocks when 1 failure confirms',
    prev: state({}),
    observation: down,
    config: { failuresToBlock: 1 },
    phase: 'blocked',
    streak: 0,
    events: ['became-blocked'],
  },
  {
    name: 'suspect + second failure confirms blocked',
    prev: state({ phase: 'suspect', streak: 1, pendingSince: T0, usable: false }),
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: ['became-blocked'],
  },
  {
    name: 'suspect + usable is back to ok (one lost packet)',
    prev: state({ phase: 'suspect', streak: 1, pendingSince: T0 }),
    observation: up,
    phase: 'ok',
    streak: 0,
    events: [],
  },
  {
    name: 'suspect + failure stays suspect when 3 failures confirm',
    prev: state({ phase: 'suspect', streak: 1, pendingSince: T0 }),
    observation: down,
    config: { failuresToBlock: 3 },
    phase: 'suspect',
    streak: 2,
    events: [],
  },
  {
    name: 'blocked + failure within the reminder gap is quiet',
    prev: blockedAnnounced(),
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: [],
  },
  {
    name: 'blocked + failure after the reminder gap reminds',
    prev: blockedAnnounced({ announcedAt: FIVE_HOURS_AGO, announcedOutage: FIVE_HOURS_AGO }),
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: ['still-blocked'],
  },
  {
    name: 'blocked + usable starts recovering',
    prev: blockedAnnounced(),
    observation: up,
    phase: 'recovering',
    streak: 1,
    events: [],
  },
  {
    name: 'recovering + usable confirms the recovery',
    prev: blockedAnnounced({ phase: 'recovering', streak: 1, pendingSince: T0 }),
    observation: up,
    phase: 'ok',
    streak: 0,
    events: ['recovered'],
  },
  {
    name: 'recovering + failure is blocked again, silently',
    prev: blockedAnnounced({ phase: 'recovering', streak: 1, pendingSince: T0 }),
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: [],
  },
  {
    name: 'blocked + usable recovers at once when 1 success confirms',
    prev: blockedAnnounced(),
    observation: up,
    config: { successesToRecover: 1 },
    phase: 'ok',
    streak: 0,
    events: ['recovered'],
  },
  {
    name: 'a port broken since the baseline never pages',
    prev: state({ phase: 'blocked', class: 'filtered', usable: false, alertable: false }),
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: [],
  },
  {
    name: 'a port broken since the baseline announces the day it first works',
    prev: state({
      phase: 'recovering',
      streak: 1,
      pendingSince: T0,
      alertable: false,
      announcedOutage: T0,
      announcedAt: T0,
    }),
    observation: up,
    phase: 'ok',
    streak: 0,
    events: ['recovered'],
  },
  {
    name: 'a port broken since the baseline in a file written before that was announced recovers silently',
    prev: state({ phase: 'recovering', streak: 1, pendingSince: T0, alertable: false }),
    observation: up,
    phase: 'ok',
    streak: 0,
    events: [],
  },
  {
    name: 'an outage whose alert was not delivered is raised again',
    prev: state({ phase: 'blocked', class: 'filtered', usable: false, since: T0 }),
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: ['became-blocked'],
  },
  {
    name: 'a recovery that was not delivered is raised again',
    prev: state({ announcedOutage: T0, announcedAt: T0 }),
    observation: up,
    phase: 'ok',
    streak: 0,
    events: ['recovered'],
  },
  {
    name: 'certificate crossing 21 days',
    prev: state({}),
    observation: cert(20),
    phase: 'ok',
    streak: 0,
    events: ['cert-expiring'],
  },
  {
    name: 'certificate crossing 7 days',
    prev: state({ certBand: 'expiring' }),
    observation: cert(6),
    phase: 'ok',
    streak: 0,
    events: ['cert-expiring'],
  },
  {
    name: 'certificate staying under 7 days is quiet',
    prev: state({ certBand: 'critical' }),
    observation: cert(5),
    phase: 'ok',
    streak: 0,
    events: [],
  },
  {
    name: 'a renewed certificate is quiet',
    prev: state({ certBand: 'critical' }),
    observation: cert(80),
    phase: 'ok',
    streak: 0,
    events: [],
  },
  {
    name: 'an expired certificate',
    prev: state({ certBand: 'expiring' }),
    observation: cert(-1),
    phase: 'ok',
    streak: 0,
    events: ['cert-expiring'],
  },
  {
    name: 'a certificate first seen after the baseline, 10 days left',
    prev: state({ certBand: null }),
    observation: cert(10),
    phase: 'ok',
    streak: 0,
    events: ['cert-expiring'],
  },
  {
    name: 'first observation of a failing port is a silent baseline',
    prev: null,
    observation: down,
    phase: 'blocked',
    streak: 0,
    events: [],
  },
  {
    name: 'first observation of a working port is a baseline',
    prev: null,
    observation: up,
    phase: 'ok',
    streak: 0,
    events: [],
  },
];

describe('advancePortState()', () => {
  test.each(rows)('$name', ({ prev, observation, config, phase, streak, events }) => {
    const result = advancePortState(prev, observation, { ...DEFAULT_ALERT_CONFIG, ...config });
    expect(result.state.phase).toBe(phase);
    expect(result.state.streak).toBe(streak);
    expect(result.events.map((event) => event.kind)).toEqual(events);
  });

  test('an outage is dated from its first failing observation', () => {
    const suspect = advancePortState(state({}), { ...down, at: T0 }).state;
    const blocked = advancePortState(suspect, down);
    expect(blocked.events).toEqual([{ kind: 'became-blocked', port: 25, class: 'filtered', since: T0 }]);
    expect(blocked.state.announcedOutage).toBe(T0);
  });

  test('a recovery reports when the outage began and when the port worked again', () => {
    const recovering = advancePortState(blockedAnnounced(), { ...up, at: T0 }).state;
    const ok = advancePortState(recovering, up);
    expect(ok.events).toEqual([
      {
        kind: 'recovered',
        port: 25,
        class: 'open-starttls',
        blockedSince: '2026-03-01T11:45:00.000Z',
        recoveredAt: T0,
        firstTime: false,
      },
    ]);
    expect(ok.state.announcedOutage).toBeNull();
    expect(ok.state.since).toBe(T0);
  });

  test('reminders keep their cadence', () => {
    const config = { ...DEFAULT_ALERT_CONFIG, reminderMs: 3_600_000 };
    let current = blockedAnnounced({ announcedAt: T0 });
    const kinds: string[] = [];
    for (let minutes = 15; minutes <= 180; minutes += 15) {
      const at = new Date(Date.parse(T0) + minutes * 60_000).toISOString();
      const result = advancePortState(current, { ...down, at }, config);
      current = result.state;
      kinds.push(...result.events.map((event) => `${minutes}:${event.kind}`));
    }
    expect(kinds).toEqual(['60:still-blocked', '120:still-blocked', '180:still-blocked']);
  });
});

describe('withholdAnnouncements()', () => {
  test('keeps the condition but forgets the undelivered announcement', () => {
    const prev = state({ phase: 'suspect', streak: 1, pendingSince: T0 });
    const { state: next } = advancePortState(prev, down);
    const kept = withholdAnnouncements(prev, next);
    expect(kept.phase).toBe('blocked');
    expect(kept.announcedOutage).toBeNull();
    expect(advancePortState(kept, down).events.map((event) => event.kind)).toEqual(['became-blocked']);
  });
});

describe('certBandOf()', () => {
  test.each([
    [null, null],
    [60, 'ok'],
    [21, 'ok'],
    [20, 'expiring'],
    [7, 'expiring'],
    [6, 'critical'],
    [0, 'critical'],
    [-1, 'expired'],
  ])('%s days left → %s', (days, band) => {
    expect(certBandOf(days)).toBe(band);
  });

  test('the baseline records the band without announcing it', () => {
    expect(baselinePortState(cert(10)).certBand).toBe('expiring');
  });
});
