import { describe, expect, test } from 'vitest';
import { createAdmission, limitConcurrency } from '../../src/check/index.js';
import type { CheckRequest } from '../../src/check/types.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { RateLimiter } from '../../src/policy/index.js';

const request = (target: string, ports: number[] = []): CheckRequest => ({ target, ports, mx: 'auto' });

describe('createAdmission()', () => {
  const limiter = () => new RateLimiter({ perUserPerMinute: 2, perTargetPerMinute: 10 }, () => 0);

  test('refuses ports outside SMTP, naming the allowed ones and the setting', () => {
    const admit = createAdmission({ limiter: limiter(), extraPorts: [] });
    const decision = admit('U1', request('smtp.example.com', [22, 587]));
    expect(decision).toEqual({ ok: false, reason: expect.stringContaining('port 22 is not an SMTP port') });
    expect(decision.ok === false && decision.reason).toContain('ALLOWED_PORTS');
  });

  test('allows the standard ports, provider alternates and ALLOWED_PORTS', () => {
    const admit = createAdmission({
      limiter: new RateLimiter({ perUserPerMinute: 99, perTargetPerMinute: 99 }, () => 0),
      extraPorts: [10025],
    });
    expect(admit('U1', request('smtp.example.com', [25, 465, 587, 2525])).ok).toBe(true);
    expect(admit('U1', request('email-smtp.eu-west-1.amazonaws.com', [2587, 2465])).ok).toBe(true);
    expect(admit('U1', request('smtp.example.com', [10025])).ok).toBe(true);
  });

  test('applies the per-user rate limit with a retry time', () => {
    const admit = createAdmission({ limiter: limiter(), extraPorts: [] });
    expect(admit('U1', request('a.example')).ok).toBe(true);
    expect(admit('U1', request('b.example')).ok).toBe(true);
    expect(admit('U1', request('c.example'))).toEqual({
      ok: false,
      reason: expect.stringMatching(/try again in 60 s$/),
    });
  });

  test('a refused port does not use up the allowance', () => {
    const admit = createAdmission({ limiter: limiter(), extraPorts: [] });
    for (let i = 0; i < 5; i += 1) admit('U1', request('a.example', [22]));
    expect(admit('U1', request('a.example')).ok).toBe(true);
  });
});

describe('limitConcurrency()', () => {
  test('caps checks globally and per target', async () => {
    const gates: Array<() => void> = [];
    const running = new Map<string, number>();
    let peakSameTarget = 0;
    const slow = async (req: CheckRequest): Promise<HostDiagnosis> => {
      running.set(req.target, (running.get(req.target) ?? 0) + 1);
      peakSameTarget = Math.max(peakSameTarget, running.get(req.target) ?? 0);
      await new Promise<void>((resolve) => gates.push(resolve));
      running.set(req.target, (running.get(req.target) ?? 1) - 1);
      return {} as HostDiagnosis;
    };
    const limited = limitConcurrency(slow, { maxConcurrentChecks: 3, maxPerTarget: 1 });
    const all = ['a', 'a', 'a', 'b', 'c', 'd', 'e'].map((target) =>
      limited.runCheck(request(`${target}.example`)),
    );
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick();
    expect(limited.stats().running).toBe(3);
    while (gates.length > 0) {
      gates.shift()?.();
      await tick();
      await tick();
    }
    await Promise.all(all);
    expect(limited.stats()).toEqual({ running: 0, peak: 3, queued: 0 });
    expect(peakSameTarget).toBe(1);
  });
});
