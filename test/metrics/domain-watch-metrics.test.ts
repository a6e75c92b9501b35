import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/index.js';
import type { DomainReport } from '../../src/posture-report/types.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import type { WatchStore } from '../../src/watch-model/watch-store.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import { sampleValue } from '../helpers/exposition.js';
import { dmarcFacts } from '../helpers/posture-builders.js';
import { TICK_MS, World } from '../watch/watch-harness.js';

// A watched domain's series through real ticks: degraded 0 → 1 → 0, the time of its last re-check,
// and one alert opened and resolved of kind `domain`; gone once nobody watches it.

const CHANNEL = 'C0ALERTS';

describe('domain watch metrics', () => {
  test('degraded follows the watch, alerts count as kind domain, an unwatched domain leaves no series', async () => {
    const world = new World();
    const store: WatchStore = createMemoryWatchStore();
    const metrics = createMetrics({ localVantage: 'bot', version: '0.0.0-test', processMetrics: false });
    let report: DomainReport = aDomainReport();
    const checkDomain = async (): Promise<DomainReport> => report;
    const commands = createWatchCommands({
      store,
      runCheck: world.runCheck,
      checkDomain,
      now: world.now,
      logger: silentLogger,
    });
    expect(
      (await commands.addDomainWatch({ channel: CHANNEL, user: 'U0LEAD', words: ['example.com'] })).ok,
    ).toBe(true);
    const tick = async () => {
      world.nowMs += TICK_MS;
      await recheckWatches({
        store,
        runCheck: world.runCheck,
        checkDomain,
        notify: world.notifier,
        now: world.now,
        logger: silentLogger,
        concurrency: 1,
        jitterMs: 0,
        metrics,
      });
      return metrics.exposition();
    };
    const degraded = (text: string) =>
      sampleValue(text, 'smtp_check_domain_watch_degraded', { domain: 'example.com' });

    let text = await tick();
    expect(degraded(text)).toBe(0);
    expect(
      sampleValue(text, 'smtp_check_domain_watch_last_recheck_timestamp_seconds', { domain: 'example.com' }),
    ).toBe(world.nowMs / 1000);

    report = aDomainReport({ dmarc: dmarcFacts({ policy: 'none' }) });
    text = await tick();
    expect(degraded(text)).toBe(1);
    expect(sampleValue(text, 'smtp_check_alerts_opened_total', { kind: 'domain' })).toBe(1);

    report = aDomainReport();
    text = await tick();
    expect(degraded(text)).toBe(0);
    expect(sampleValue(text, 'smtp_check_alerts_resolved_total', { kind: 'domain' })).toBe(1);

    await commands.removeDomainWatch({ channel: CHANNEL, user: 'U0LEAD', domain: 'example.com' });
    text = await tick();
    expect(degraded(text)).toBeUndefined();
  });
});
