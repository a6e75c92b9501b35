import type { CheckRequest, RunCheck } from '../../src/check/types.js';
import { CERT_CRITICAL_DAYS, CERT_EXPIRING_DAYS } from '../../src/diagnose/index.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { silentLogger } from '../../src/log.js';
import { renderAlert, renderIncidentUpdate, renderResolvedAlert } from '../../src/render/alerts.js';
import {
  renderDomainAlert,
  renderDomainIncidentUpdate,
  renderDomainResolvedAlert,
} from '../../src/render/domain-alerts.js';
import type { DomainAlertNotice, DomainResolvedNotice } from '../../src/watch-model/domain-watch.js';
import type { SlackMessage } from '../../src/render/slack-blocks.js';
import type { WatchStore } from '../../src/watch-model/watch-store.js';
import type { AlertNotifier } from '../../src/watch/alert-notifier.js';
import type { AlertConfig } from '../../src/watch/alert-state.js';
import type { AlertNotice, ResolvedNotice } from '../../src/watch/index.js';
import { type RecheckSummary, recheckWatches } from '../../src/watch/recheck-watches.js';
import { aDiagnosis, type PortSketch } from './diagnosis-builder.js';

// A scripted world for watch tests: what each host's ports answer right now, a clock that moves
// only when told, and a notifier that records each decision and the message the Slack adapter
// would draw from it.

export interface NotifierCall {
  method:
    | 'postAlert'
    | 'postInThread'
    | 'markResolved'
    | 'postDomainAlert'
    | 'postDomainInThread'
    | 'markDomainResolved';
  channel: string;
  ts: string;
  threadTs?: string;
  message: SlackMessage;
}

export class RecordingNotifier implements AlertNotifier {
  readonly calls: NotifierCall[] = [];
  /** Methods listed here throw once each time they are called while listed, as Slack errors do. */
  failing = new Set<NotifierCall['method']>();
  private counter = 0;

  private nextTs(): string {
    this.counter += 1;
    return `1772366400.${String(this.counter).padStart(6, '0')}`;
  }

  private fail(method: NotifierCall['method']): void {
    if (this.failing.has(method)) throw new Error(`slack said no to ${method} (ratelimited)`);
  }

  async postAlert(channel: string, alert: AlertNotice): Promise<{ ts: string }> {
    this.fail('postAlert');
    const ts = this.nextTs();
    this.calls.push({ method: 'postAlert', channel, ts, message: renderAlert(alert) });
    return { ts };
  }

  async postInThread(channel: string, threadTs: string, update: AlertNotice): Promise<{ ts: string }> {
    this.fail('postInThread');
    const ts = this.nextTs();
    this.calls.push({ method: 'postInThread', channel, ts, threadTs, message: renderIncidentUpdate(update) });
    return { ts };
  }

  async markResolved(channel: string, ts: string, resolved: ResolvedNotice): Promise<void> {
    this.fail('markResolved');
    this.calls.push({ method: 'markResolved', channel, ts, message: renderResolvedAlert(resolved) });
  }

  async postDomainAlert(channel: string, alert: DomainAlertNotice): Promise<{ ts: string }> {
    this.fail('postDomainAlert');
    const ts = this.nextTs();
    this.calls.push({ method: 'postDomainAlert', channel, ts, message: renderDomainAlert(alert) });
    return { ts };
  }

  async postDomainInThread(
    channel: string,
    threadTs: string,
    update: DomainAlertNotice,
  ): Promise<{ ts: string }> {
    this.fail('postDomainInThread');
    const ts = this.nextTs();
    this.calls.push({
      method: 'postDomainInThread',
      channel,
      ts,
      threadTs,
      message: renderDomainIncidentUpdate(update),
    });
    return { ts };
  }

  async markDomainResolved(channel: string, ts: string, resolved: DomainResolvedNotice): Promise<void> {
    this.fail('markDomainResolved');
    this.calls.push({
      method: 'markDomainResolved',
      channel,
      ts,
      message: renderDomainResolvedAlert(resolved),
    });
  }

  take(): NotifierCall[] {
    return this.calls.splice(0);
  }
}

export const START = Date.parse('2026-03-01T12:00:00.000Z');
export const TICK_MS = 15 * 60_000;

export class World {
  nowMs = START;
  readonly hosts = new Map<string, PortSketch[]>();
  readonly checks: CheckRequest[] = [];
  readonly notifier = new RecordingNotifier();

  now = (): Date => new Date(this.nowMs);

  set(host: string, ports: PortSketch[]): void {
    this.hosts.set(host, ports);
  }

  runCheck: RunCheck = async (request) => {
    this.checks.push(request);
    const ports = this.hosts.get(request.target);
    if (ports === undefined) throw new Error(`no scripted answer for ${request.target}`);
    const wanted = request.ports.length > 0 ? ports.filter((p) => request.ports.includes(p.port)) : ports;
    const diagnosis: HostDiagnosis = aDiagnosis(request.target, wanted);
    return { ...diagnosis, checkedAt: this.now().toISOString() };
  };

  /** Moves the clock one schedule step and runs a tick (alerts to `notify`, this world's recorder by default). */
  async tick(
    store: WatchStore,
    config?: Partial<AlertConfig>,
    notify: AlertNotifier = this.notifier,
  ): Promise<RecheckSummary> {
    this.nowMs += TICK_MS;
    return recheckWatches({
      store,
      runCheck: this.runCheck,
      notify,
      now: this.now,
      logger: silentLogger,
      concurrency: 4,
      jitterMs: 0,
      ...(config ? { alertConfig: { ...defaults, ...config } } : {}),
    });
  }
}

const defaults: AlertConfig = {
  failuresToBlock: 2,
  successesToRecover: 2,
  reminderMs: 4 * 3_600_000,
  certExpiringDays: CERT_EXPIRING_DAYS,
  certCriticalDays: CERT_CRITICAL_DAYS,
};

export const healthy = (): PortSketch[] => [
  { port: 25, class: 'open-starttls' },
  { port: 587, class: 'open-starttls' },
];
export const port25Filtered = (): PortSketch[] => [
  { port: 25, class: 'filtered', failureMessage: 'no answer after 5 s' },
  { port: 587, class: 'open-starttls' },
];
export const bothFiltered = (): PortSketch[] => [
  { port: 25, class: 'filtered' },
  { port: 587, class: 'refused' },
];
