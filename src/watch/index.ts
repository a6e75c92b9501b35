export type { AlertNotifier } from './alert-notifier.js';
export {
  type AlertConfig,
  type AlertEvent,
  advancePortState,
  baselinePortState,
  certBandOf,
  DEFAULT_ALERT_CONFIG,
  observePort,
  type PortObservation,
  withholdAnnouncements,
} from './alert-state.js';
export { MAX_MUTE_MS, parseDuration, type DurationResult } from './parse-duration.js';
export { recheckWatches, type RecheckDeps, type RecheckSummary } from './recheck-watches.js';
export { ScheduleError } from './schedule-error.js';
export {
  ALERT_PHASES,
  type AlertNotice,
  type AlertPhase,
  CERT_BANDS,
  type CertBand,
  type HistorySample,
  type HistorySeries,
  type Incident,
  type Mute,
  type PortAlertState,
  type PortAlertStates,
  type PortHistoryView,
  type PortStateView,
  type ResolvedNotice,
  type SilentVantage,
  type VantageAlertStates,
  type VantagePortSight,
  type VantageReport,
  type Watch,
  type WatchChange,
  type WatchReply,
  type WatchView,
} from '../watch-model/types.js';
export {
  type ScheduleCheck,
  type Scheduler,
  type SchedulerOptions,
  startScheduler,
  validateSchedule,
  validateTimezone,
} from './scheduler.js';
export {
  type CommandResult,
  createWatchCommands,
  type WatchCommandDeps,
  type WatchCommands,
} from './watch-commands.js';
