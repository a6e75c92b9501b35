import type { Incident, PortAlertState, Watch } from '../../src/watch/index.js';

// Records the store tests build on: a watch, a port state and an incident, each with overrides.

export const aWatch = (overrides: Partial<Watch> = {}): Watch => ({
  channel: 'C0WATCH',
  host: 'smtp.example.test',
  ports: [25, 587],
  addedBy: 'U0LEAD',
  addedAt: '2026-03-01T12:00:00.000Z',
  ...overrides,
});

export const aState = (overrides: Partial<PortAlertState> = {}): PortAlertState => ({
  phase: 'ok',
  streak: 0,
  since: '2026-03-01T12:00:00.000Z',
  pendingSince: null,
  class: 'open-starttls',
  usable: true,
  checkedAt: '2026-03-01T12:00:00.000Z',
  daysLeft: 90,
  alertable: true,
  announcedOutage: null,
  announcedAt: null,
  certBand: 'ok',
  ...overrides,
});

export const anIncident = (overrides: Partial<Incident> = {}): Incident => ({
  channel: 'C0WATCH',
  host: 'smtp.example.test',
  alertTs: '1700000000.000100',
  threadTs: '1700000000.000100',
  openedAt: '2026-03-01T12:30:00.000Z',
  since: '2026-03-01T12:15:00.000Z',
  lastReminderAt: null,
  status: 'open',
  resolvedAt: null,
  ...overrides,
});
