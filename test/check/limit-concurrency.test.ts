import { describe, expect, test } from 'vitest';
import { createRunCheck, limitConcurrency } from '../../src/check/index.js';
import type { CheckRequest } from '../../src/check/types.js';
import { DEFAULT_LIMITS, type ProbeHost } from '../../src/probe/index.js';
import { gatedProbe } from '../helpers/gated-probe.js';

// A person's check against a saturated bot: the probe is faked at its seam (probeHost) and holds
// every check until the test releases it, so the order in which checks start is observable.

const request = (target: string): CheckRequest => ({ target, ports: [587], mx: 'auto' });
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

function bot(probeHost: ProbeHost, reservedForInteractive?: number) {
  const check = createRunCheck({ probeHost, limits: DEFAULT_LIMITS, now: () => new Date() });
  return limitConcurrency(check, {
    maxConcurrentChecks: 8,
    maxPerTarget: 1,
    ...(reservedForInteractive === undefined ? {} : { reservedForInteractive }),
  });
}

describe('limitConcurrency() priorities', () => {
  test('with every slot taken by scheduled checks, a person’s check starts before the queued scheduled ones', async () => {
    const probe = gatedProbe();
    const limited = bot(probe.probeHost, 0);
    const tick = Array.from({ length: 20 }, (_, i) =>
      limited.runScheduledCheck(request(`watched${i}.example`)),
    );
    await settle();
    expect(probe.started).toHaveLength(8);
    expect(limited.stats()).toMatchObject({ running: 8, queued: 12 });

    const person = limited.runCheck(request('typed.example'));
    await settle();
    expect(probe.started).not.toContain('typed.example');
    probe.release('watched0.example');
    await settle();
    // The freed slot went to the person, not to watched8.
    expect(probe.started.slice(8)).toEqual(['typed.example']);
    probe.release('typed.example');
    await person;

    for (let i = 1; i < 20; i += 1) {
      await settle();
      probe.release(`watched${i}.example`);
    }
    await Promise.all(tick);
    expect(limited.stats()).toMatchObject({ running: 0, peak: 8, queued: 0 });
  });

  test('by default some slots are kept for people: a check typed mid-tick starts at once', async () => {
    const probe = gatedProbe();
    const limited = bot(probe.probeHost);
    const tick = Array.from({ length: 20 }, (_, i) =>
      limited.runScheduledCheck(request(`watched${i}.example`)),
    );
    await settle();
    expect(probe.started).toHaveLength(6);

    const people = ['a.example', 'b.example'].map((target) => limited.runCheck(request(target)));
    await settle();
    expect(probe.started.slice(6)).toEqual(['a.example', 'b.example']);
    probe.release('a.example');
    probe.release('b.example');
    await Promise.all(people);

    for (let i = 0; i < 20; i += 1) {
      await settle();
      probe.release(`watched${i}.example`);
    }
    await Promise.all(tick);
    // Scheduled checks never held more than their share.
    expect(limited.stats().peak).toBe(8);
  });

  test('one target typed in different cases or with a trailing dot is one target', async () => {
    const probe = gatedProbe();
    const limited = bot(probe.probeHost);
    const both = [limited.runCheck(request('mail.example')), limited.runCheck(request('MAIL.Example.'))];
    await settle();
    expect(probe.started).toEqual(['mail.example']);
    probe.release('mail.example');
    await settle();
    expect(probe.started).toEqual(['mail.example', 'MAIL.Example.']);
    probe.release('MAIL.Example.');
    await Promise.all(both);
  });
});

describe('limitConcurrency() yields to people', () => {
  test('no scheduled check starts while a person’s check is under way, even with free slots', async () => {
    const probe = gatedProbe();
    const limited = bot(probe.probeHost);
    const first = limited.runScheduledCheck(request('watched0.example'));
    await settle();
    const person = limited.runCheck(request('typed.example'));
    const later = [1, 2].map((i) => limited.runScheduledCheck(request(`watched${i}.example`)));
    await settle();
    expect(probe.started).toEqual(['watched0.example', 'typed.example']);
    probe.release('typed.example');
    await person;
    await settle();
    expect(probe.started).toEqual([
      'watched0.example',
      'typed.example',
      'watched1.example',
      'watched2.example',
    ]);
    for (const target of ['watched0.example', 'watched1.example', 'watched2.example']) probe.release(target);
    await Promise.all([first, ...later]);
  });
});
