import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';
import { requirePromtool, samplesOf } from '../helpers/exposition.js';

// The monitoring that ships with the repository: the rules file passes `promtool check rules`,
// its three alerts fire and stay quiet on the series in smtp-check-rules.test.yml (`promtool test
// rules`), the example scrape configuration passes `promtool check config`, and every series the
// rules read is one the bot exposes, with the labels they group by.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULES = 'monitoring/smtp-check-rules.yml';
const CONFIG = 'monitoring/prometheus.yml';
const RULE_TESTS = 'test/metrics/smtp-check-rules.test.yml';

const promtoolMissing = requirePromtool();

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe.skipIf(promtoolMissing !== null)('promtool', () => {
  test('check rules: the rules file is valid and has the three alerts', () => {
    const checked = promtool('check', 'rules', RULES);
    expect(checked.output).toContain('SUCCESS: 3 rules found');
    expect(checked.status).toBe(0);
  });

  test('test rules: each alert fires when it should and only then', () => {
    const tested = promtool('test', 'rules', RULE_TESTS);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });

  test('check config: the example scrape configuration, with the rules file it loads', () => {
    const checked = promtool('check', 'config', CONFIG);
    expect(checked.output).toContain('SUCCESS: 1 rule files found');
    expect(checked.output).toContain('smtp-check-rules.yml');
    expect(checked.status).toBe(0);
  });
});

describe('the rules and the exposition', () => {
  const rules = readFileSync(`${ROOT}/${RULES}`, 'utf8');

  test('each alert has a severity, a summary and a description', () => {
    const alerts = rules.split(/^ {6}- alert: /m).slice(1);
    expect(alerts.map((alert) => alert.split('\n')[0])).toEqual([
      'SmtpCheckWatchedPortBlocked',
      'SmtpCheckScheduleNotTicking',
      'SmtpCheckVantageNoLiveWorker',
    ]);
    for (const alert of alerts) {
      expect(alert).toMatch(/^ {10}severity: (critical|warning)$/m);
      expect(alert).toMatch(/^ {10}summary: /m);
      expect(alert).toMatch(/^ {10}description: /m);
    }
  });

  test('every series the rules read is exposed by the bot, with the labels the rules use', async () => {
    const metrics = createMetrics({ localVantage: 'bot', version: '0.0.0-test', processMetrics: false });
    metrics.scheduleInterval(60);
    metrics.watchTickBegan();
    metrics.watchPortSeen({
      host: 'mx.example.test',
      port: 25,
      vantage: 'office',
      usable: false,
      phase: 'blocked',
    });
    metrics.watchTickEnded({ hosts: ['mx.example.test'], domains: [] });
    metrics.observeVantages(async () => ({
      queues: [{ vantage: 'office', depth: 0 }],
      vantages: [{ vantage: 'office', live: 0, heartbeatAgeSeconds: 42 }],
      workers: [],
    }));
    const text = await metrics.exposition();

    const names = [...new Set(rules.match(/\bsmtp_check_[a-z_]+/g))];
    expect(names.sort()).toEqual([
      'smtp_check_last_tick_timestamp_seconds',
      'smtp_check_schedule_interval_seconds',
      'smtp_check_ticks_skipped_total',
      'smtp_check_vantage_heartbeat_age_seconds',
      'smtp_check_vantage_workers_live',
      'smtp_check_watch_port_phase',
      'smtp_check_watch_port_up',
    ]);
    for (const name of names) expect(samplesOf(text, name), name).not.toEqual([]);
    expect(
      samplesOf(text, 'smtp_check_watch_port_phase', {
        host: 'mx.example.test',
        port: '25',
        vantage: 'office',
        phase: 'blocked',
      }).map((sample) => sample.value),
    ).toEqual([1]);
    expect(samplesOf(text, 'smtp_check_vantage_workers_live', { vantage: 'office' })).toHaveLength(1);
    expect(samplesOf(text, 'smtp_check_vantage_heartbeat_age_seconds', { vantage: 'office' })).toHaveLength(
      1,
    );
  });
});
