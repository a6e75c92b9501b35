import type { DomainWatch, PostureSnapshot } from '../../src/watch-model/domain-watch.js';

// A domain watch as a store keeps it: a careful sender's baseline and, with `degraded`, an open
// incident about a weakened DMARC policy.

export function aSnapshot(overrides: Partial<PostureSnapshot> = {}): PostureSnapshot {
  return {
    checkedAt: '2026-03-01T12:00:00.000Z',
    verdict: 'ok',
    spf: { worstCase: 'fail', ending: '-all' },
    dmarc: { present: true, policy: 'reject', pct: 100 },
    dkim: { google: 'found', default: 'missing' },
    mx: { nullMx: false, hosts: ['aspmx.l.google.com', 'alt1.aspmx.l.google.com'] },
    ...overrides,
  };
}

export function aDomainWatch(overrides: Partial<DomainWatch> = {}, degraded = false): DomainWatch {
  const channel = overrides.channel ?? 'C0WATCH';
  const domain = overrides.domain ?? 'example.com';
  const weakened = aSnapshot({
    checkedAt: '2026-03-01T12:15:00.000Z',
    dmarc: { present: true, policy: 'none', pct: 100 },
  });
  return {
    channel,
    domain,
    selectors: ['s1'],
    addedBy: 'U0LEAD',
    addedAt: '2026-03-01T12:00:00.000Z',
    state: degraded
      ? {
          baseline: aSnapshot(),
          last: weakened,
          announced: [
            {
              id: 'dmarc-policy',
              aspect: 'dmarc',
              text: 'DMARC policy weakened: reject → none',
              before: 'reject',
              after: 'none',
            },
          ],
          degradedSince: '2026-03-01T12:15:00.000Z',
          incident: {
            channel,
            host: domain,
            alertTs: '1772367300.000100',
            threadTs: '1772367300.000100',
            openedAt: '2026-03-01T12:15:00.000Z',
            since: '2026-03-01T12:15:00.000Z',
            lastReminderAt: null,
            status: 'open',
            resolvedAt: null,
          },
        }
      : { baseline: aSnapshot(), last: aSnapshot(), announced: [], degradedSince: null, incident: null },
    mute: null,
    ...overrides,
  };
}
