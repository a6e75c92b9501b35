import { renderAlert, renderIncidentUpdate, renderResolvedAlert } from '../src/render/alerts.js';
import type { AlertNotifier } from '../src/watch/index.js';

/** Messages are drawn, as the Slack adapter does, then dropped. */
export const droppedNotifier: AlertNotifier = {
  postAlert: async (_channel, alert) => {
    renderAlert(alert);
    return { ts: '1.000001' };
  },
  postInThread: async (_channel, _threadTs, update) => {
    renderIncidentUpdate(update);
    return { ts: '1.000002' };
  },
  markResolved: async (_channel, _ts, resolved) => {
    renderResolvedAlert(resolved);
  },
};
