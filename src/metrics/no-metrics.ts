import type { Metrics } from './metrics.js';

// For code paths and tests that do not care: every event is dropped and the exposition is empty.

const ignore = (): void => undefined;

export const NO_METRICS: Metrics = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  exposition: async () => '',
  checkFinished: ignore,
  stagesTimed: ignore,
  scheduleInterval: ignore,
  tickStarted: ignore,
  tickEnded: ignore,
  tickSkipped: ignore,
  watchTickBegan: ignore,
  watchPortSeen: ignore,
  watchRetested: ignore,
  domainWatchSeen: ignore,
  watchTickEnded: ignore,
  alertOpened: ignore,
  alertResolved: ignore,
  slackCall: ignore,
  slackRetry: ignore,
  storeOperation: ignore,
  observePool: ignore,
  observeVantages: ignore,
  workerJob: ignore,
  workerHeartbeat: ignore,
};
