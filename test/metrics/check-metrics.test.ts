import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRunCheck } from '../../src/check/index.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { probeHost } from '../../src/probe/index.js';
import { createTestCa } from '../helpers/certs.js';
import { promtoolCheckMetrics, requirePromtool, samplesOf, sampleValue } from '../helpers/exposition.js';
import { QUICK_LIMITS } from '../helpers/probe-limits.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';

// Checks as Prometheus sees them: a real check of a local smtp-server shows in the checks counter,
// the check's histogram (by who asked) and the probe's stage histograms; the checked host never
// becomes a label.

const promtoolMissing = requirePromtool();

let ca: ReturnType<typeof createTestCa>;
let server: RunningServer;

beforeAll(async () => {
  ca = createTestCa();
  const leaf = ca.issue({ commonName: 'localhost', ips: ['127.0.0.1'] });
  server = await startSmtpServer({ key: leaf.key, cert: leaf.cert });
});

afterAll(async () => {
  await server?.close();
});

const checker = (metrics: Metrics) =>
  createRunCheck({ probeHost, limits: QUICK_LIMITS, now: () => new Date(), extraCa: [ca.cert], metrics });

const newMetrics = () =>
  createMetrics({ localVantage: 'office', version: '0.0.0-test', processMetrics: false });

describe('createRunCheck() with metrics', () => {
  test('a check counts by verdict and times the check and each stage it reached', async () => {
    const metrics = newMetrics();
    const diagnosis = await checker(metrics)({ target: '127.0.0.1', ports: [server.port], mx: 'auto' });
    expect(diagnosis.ports[0]?.class).toBe('open-starttls');
    const text = await metrics.exposition();

    expect(sampleValue(text, 'smtp_check_checks_total', { verdict: diagnosis.verdict.status })).toBe(1);
    const others = samplesOf(text, 'smtp_check_checks_total').filter(
      (sample) => sample.labels['verdict'] !== diagnosis.verdict.status,
    );
    expect(others.map((sample) => sample.value)).toEqual([0, 0, 0]);
    expect(sampleValue(text, 'smtp_check_check_duration_seconds_count', { trigger: 'chat' })).toBe(1);
    expect(sampleValue(text, 'smtp_check_check_duration_seconds_count', { trigger: 'schedule' })).toBe(0);
    for (const stage of ['connect', 'greeting', 'ehlo', 'starttls', 'tls-ehlo']) {
      expect(sampleValue(text, 'smtp_check_stage_duration_seconds_count', { stage }), stage).toBe(1);
    }
  });

  test("a scheduled re-check is the schedule's", async () => {
    const metrics = newMetrics();
    await checker(metrics)(
      { target: '127.0.0.1', ports: [server.port], mx: 'auto' },
      { priority: 'scheduled' },
    );
    const text = await metrics.exposition();
    expect(sampleValue(text, 'smtp_check_check_duration_seconds_count', { trigger: 'schedule' })).toBe(1);
    expect(sampleValue(text, 'smtp_check_check_duration_seconds_count', { trigger: 'chat' })).toBe(0);
  });

  test('a check that throws counts as an error', async () => {
    const metrics = newMetrics();
    const failing = createRunCheck({
      probeHost: async () => Promise.reject(new Error('resolver exploded')),
      limits: QUICK_LIMITS,
      now: () => new Date(),
      metrics,
    });
    await expect(failing({ target: 'smtp.example.test', ports: [25], mx: 'auto' })).rejects.toThrow();
    expect(sampleValue(await metrics.exposition(), 'smtp_check_checks_total', { verdict: 'error' })).toBe(1);
  });

  test('checked hosts never become labels: the series are the same before and after', async () => {
    const metrics = newMetrics();
    const run = checker(metrics);
    await run({ target: '127.0.0.1', ports: [server.port], mx: 'auto' });
    const names = (text: string) =>
      text
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .map((line) => line.replace(/ \S+$/, ''));
    const before = names(await metrics.exposition());
    // A loopback address nobody listens on: refused at once, and no DNS asked.
    const host = `127.${randomInt(1, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;
    await run({ target: host, ports: [server.port], mx: 'auto' });
    const after = await metrics.exposition();
    expect(after).not.toContain(host);
    expect(names(after)).toEqual(before);
  });
});

describe.skipIf(promtoolMissing !== null)('promtool check metrics', () => {
  test('accepts the exposition of a process that checked, with process metrics', async () => {
    const metrics = createMetrics({ localVantage: 'office', version: '0.0.0-test' });
    await checker(metrics)({ target: '127.0.0.1', ports: [server.port], mx: 'auto' });
    const result = promtoolCheckMetrics(await metrics.exposition());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
