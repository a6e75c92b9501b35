import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import type { PostureFacts } from '../../src/posture/types.js';
import type { DomainReport } from '../../src/posture-report/types.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import { createMemoryWatchStore } from '../../src/store/index.js';
import type { WatchStore } from '../../src/watch-model/watch-store.js';
import type { CheckDomainPosture } from '../../src/watch/deps.js';
import { recheckWatches } from '../../src/watch/recheck-watches.js';
import { createWatchCommands } from '../../src/watch/watch-commands.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import { dkimMissing, dmarcFacts, dmarcMissing } from '../helpers/posture-builders.js';
import { healthy, TICK_MS, World } from './watch-harness.js';

// A watched domain through the schedule: the injected domain check answers what each test
// scripts, the clock moves one tick at a time, and the notifier records what Slack would show.

const CHANNEL = 'C0ALERTS';
const DOMAIN = 'example.com';

const weakenedDmarc = (): DomainReport =>
  aDomainReport({ dmarc: dmarcFacts({ policy: 'none' }) }, [
    {
      id: 'dmarc-policy-none',
      severity: 'warning',
      summary: 'DMARC asks receivers to do nothing with failing mail (p=none).',
      advice: ['Move to p=quarantine, then p=reject, once the reports show only your own mail failing.'],
    },
  ]);

class DomainWorld extends World {
  report: DomainReport | Error = aDomainReport();
  readonly asked: Array<{ domain: string; selectors: string[] }> = [];

  checkDomain: CheckDomainPosture = async (request) => {
    this.asked.push(request);
    if (this.report instanceof Error) throw this.report;
    return { ...this.report, facts: { ...this.report.facts, checkedAt: this.now().toISOString() } };
  };

  async domainTick(store: WatchStore) {
    this.nowMs += TICK_MS;
    return recheckWatches({
      store,
      runCheck: this.runCheck,
      checkDomain: this.checkDomain,
      notify: this.notifier,
      now: this.now,
      logger: silentLogger,
      concurrency: 4,
      jitterMs: 0,
    });
  }
}

async function watchingDomain(facts: Partial<PostureFacts> = {}) {
  const world = new DomainWorld();
  const store = createMemoryWatchStore();
  world.report = aDomainReport(facts);
  const commands = createWatchCommands({
    store,
    runCheck: world.runCheck,
    checkDomain: world.checkDomain,
    now: world.now,
    logger: silentLogger,
  });
  const added = await commands.addDomainWatch({ channel: CHANNEL, user: 'U0LEAD', words: [DOMAIN] });
  expect(added.ok).toBe(true);
  return { world, store, commands };
}

describe('recheckWatches() with watched domains', () => {
  test('good, then degraded, then good: one alert with its thread, the recovery in it, the alert resolved', async () => {
    const { world, store } = await watchingDomain();
    await world.domainTick(store);
    expect(world.notifier.take()).toEqual([]);

    world.report = weakenedDmarc();
    await world.domainTick(store);
    const [alert, ...rest] = world.notifier.take();
    expect(rest).toEqual([]);
    expect(alert?.method).toBe('postDomainAlert');
    expect(alert?.channel).toBe(CHANNEL);
    expect(alert?.message.text).toContain('example.com');
    expect(alert?.message.text).toContain('DMARC policy weakened: reject → none');
    expect(alert?.message.text).toContain('Move to p=quarantine');
    if (alert) expect(findLimitViolations(alert.message)).toEqual([]);
    const incident = (await store.getDomainWatch(CHANNEL, DOMAIN))?.state.incident;
    expect(incident).toMatchObject({ host: DOMAIN, alertTs: alert?.ts, threadTs: alert?.ts, status: 'open' });

    // Still degraded: nothing more is said.
    await world.domainTick(store);
    await world.domainTick(store);
    expect(world.notifier.take()).toEqual([]);

    world.report = aDomainReport();
    await world.domainTick(store);
    const calls = world.notifier.take();
    expect(calls.map((call) => call.method)).toEqual(['postDomainInThread', 'markDomainResolved']);
    expect(calls[0]?.threadTs).toBe(alert?.ts);
    expect(calls[0]?.message.text).toContain('DMARC policy back to reject');
    expect(calls[0]?.message.text).toContain('back to its baseline');
    expect(calls[1]?.ts).toBe(alert?.ts);
    expect(calls[1]?.message.text).toContain('Resolved');
    expect((await store.getDomainWatch(CHANNEL, DOMAIN))?.state).toMatchObject({
      incident: null,
      announced: [],
      degradedSince: null,
    });
    await world.domainTick(store);
    expect(world.notifier.take()).toEqual([]);
  });

  test('a DNS failure is no change: no alert, no recovery, the last state kept', async () => {
    const { world, store } = await watchingDomain();
    world.report = aDomainReport({ dmarc: dmarcMissing({ lookupError: 'ETIMEOUT' }) });
    await world.domainTick(store);
    world.report = new Error('the resolver is gone');
    const summary = await world.domainTick(store);
    expect(summary.checkFailures).toBe(1);
    expect(world.notifier.take()).toEqual([]);

    world.report = weakenedDmarc();
    await world.domainTick(store);
    expect(world.notifier.take().map((call) => call.method)).toEqual(['postDomainAlert']);
    // While the incident is open, DMARC not answering neither clears nor repeats it.
    world.report = aDomainReport({ dmarc: dmarcMissing({ lookupError: 'SERVFAIL' }) });
    await world.domainTick(store);
    expect(world.notifier.take()).toEqual([]);
    expect((await store.getDomainWatch(CHANNEL, DOMAIN))?.state.incident?.status).toBe('open');
  });

  test('a further degradation goes into the open incident’s thread', async () => {
    const { world, store } = await watchingDomain();
    world.report = weakenedDmarc();
    await world.domainTick(store);
    const [alert] = world.notifier.take();
    world.report = aDomainReport({ dmarc: dmarcFacts({ policy: 'none' }), dkim: [dkimMissing('google')] });
    await world.domainTick(store);
    const [update, ...more] = world.notifier.take();
    expect(more).toEqual([]);
    expect(update).toMatchObject({ method: 'postDomainInThread', threadTs: alert?.ts });
    expect(update?.message.text).toContain('DKIM key google gone');
  });

  test('an alert Slack refused is raised again next tick, once', async () => {
    const { world, store } = await watchingDomain();
    world.report = weakenedDmarc();
    world.notifier.failing.add('postDomainAlert');
    const refused = await world.domainTick(store);
    expect(refused.deliveryFailures).toBe(1);
    world.notifier.failing.clear();
    await world.domainTick(store);
    await world.domainTick(store);
    expect(world.notifier.take().map((call) => call.method)).toEqual(['postDomainAlert']);
  });

  test('a muted domain says nothing, and what is still worse is announced when the mute ends', async () => {
    const { world, store, commands } = await watchingDomain();
    const muted = await commands.muteDomain({
      channel: CHANNEL,
      domain: DOMAIN,
      duration: '1h',
      user: 'U0LEAD',
    });
    expect(muted.ok).toBe(true);
    world.report = weakenedDmarc();
    const summary = await world.domainTick(store);
    expect(summary.mutedAnnouncements).toBe(1);
    expect(world.notifier.take()).toEqual([]);
    for (let i = 0; i < 4; i += 1) await world.domainTick(store);
    expect(world.notifier.take().map((call) => call.method)).toEqual(['postDomainAlert']);
  });

  test('a host watch and a domain watch of one name keep their own incidents', async () => {
    const { world, store } = await watchingDomain();
    world.set(DOMAIN, healthy());
    const commands = createWatchCommands({
      store,
      runCheck: world.runCheck,
      now: world.now,
      logger: silentLogger,
    });
    expect(
      (await commands.addWatch({ channel: CHANNEL, host: DOMAIN, ports: '25,587', user: 'U0LEAD' })).ok,
    ).toBe(true);
    world.report = weakenedDmarc();
    await world.domainTick(store);
    expect(world.notifier.take().map((call) => call.method)).toEqual(['postDomainAlert']);
    expect(await store.getIncident(CHANNEL, DOMAIN)).toBeNull();
    expect(world.checks.map((check) => check.target)).toContain(DOMAIN);
  });

  test('asks the selectors the watch was given and every key its baseline found', async () => {
    const world = new DomainWorld();
    const store = createMemoryWatchStore();
    const commands = createWatchCommands({
      store,
      runCheck: world.runCheck,
      checkDomain: world.checkDomain,
      now: world.now,
      logger: silentLogger,
    });
    await commands.addDomainWatch({ channel: CHANNEL, user: 'U0LEAD', words: [DOMAIN, 'selector', 's1'] });
    await world.domainTick(store);
    expect(world.asked.at(-1)).toEqual({ domain: DOMAIN, selectors: ['google', 's1'] });
  });
});
