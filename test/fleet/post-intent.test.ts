import { describe, expect, test } from 'vitest';
import type { AlertEvent, Incident } from '../../src/watch/index.js';
import { postIntentOf } from '../../src/watch/post-intent.js';
import { aDiagnosis } from '../watch/diagnosis-builder.js';

// An announcement's ledger key must be the same whichever replica raises it and on whichever tick
// it is retried, and differ for anything that deserves a message of its own.

const CHANNEL = 'C0ALERTS';
const HOST = 'mx.example.test';
const diagnosis = aDiagnosis(HOST, [{ port: 25, class: 'filtered' }]);
const blocked = (port: number, since: string): AlertEvent => ({
  kind: 'became-blocked',
  port,
  class: 'filtered',
  since,
});
const still = (port: number, at: string): AlertEvent => ({
  kind: 'still-blocked',
  port,
  class: 'filtered',
  since: '2026-03-01T12:15:00.000Z',
  at,
});
const recovered = (port: number): AlertEvent => ({
  kind: 'recovered',
  port,
  class: 'open-starttls',
  blockedSince: '2026-03-01T12:15:00.000Z',
  recoveredAt: '2026-03-01T14:00:00.000Z',
  firstTime: false,
});
const incident = (lastReminderAt: string | null): Incident => ({
  channel: CHANNEL,
  host: HOST,
  alertTs: '1772367300.000100',
  threadTs: '1772367300.000100',
  openedAt: '2026-03-01T12:30:00.000Z',
  since: '2026-03-01T12:15:00.000Z',
  lastReminderAt,
  status: 'open',
  resolvedAt: null,
});
const intent = (events: AlertEvent[], open: Incident | null = null, resolved = false) =>
  postIntentOf(CHANNEL, HOST, events, diagnosis, open, resolved);

describe('postIntentOf()', () => {
  test('an alert is keyed by the outage start: a port joining before it gets through changes nothing', () => {
    const first = intent([blocked(25, '2026-03-01T12:15:00.000Z')]);
    const retried = intent([
      blocked(25, '2026-03-01T12:15:00.000Z'),
      blocked(587, '2026-03-01T12:45:00.000Z'),
    ]);
    expect(first).toMatchObject({ kind: 'alert', slot: '2026-03-01T12:15:00.000Z' });
    expect(retried.key).toBe(first.key);
    expect(intent([blocked(25, '2026-03-02T08:00:00.000Z')]).key).not.toBe(first.key);
    expect(
      postIntentOf('C0OTHER', HOST, [blocked(25, '2026-03-01T12:15:00.000Z')], diagnosis, null, false).key,
    ).not.toBe(first.key);
  });

  test('a reminder is keyed by the one before it, not by the tick that raises it', () => {
    const open = incident(null);
    const onTime = intent([still(25, '2026-03-01T16:30:00.000Z')], open);
    const retriedLater = intent([still(25, '2026-03-01T16:45:00.000Z')], open);
    expect(onTime.kind).toBe('reminder');
    expect(retriedLater.key).toBe(onTime.key);
    const next = intent([still(25, '2026-03-01T20:45:00.000Z')], incident('2026-03-01T16:30:00.000Z'));
    expect(next.key).not.toBe(onTime.key);
  });

  test('a recovery is keyed by its incident; other thread updates by their events', () => {
    const open = incident(null);
    expect(intent([recovered(25)], open, true)).toMatchObject({ kind: 'recovery', slot: open.threadTs });
    const update = intent([recovered(25)], open, false);
    expect(update.kind).toBe('update');
    expect(intent([recovered(587)], open, false).key).not.toBe(update.key);
  });
});
