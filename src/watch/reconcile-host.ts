import type { HostDiagnosis } from '../diagnose/types.js';
import type { VantageOutcome } from '../diagnose/vantage-types.js';
import type { FleetCoordinator, PostedKey } from '../fleet/index.js';
import type {
  HistoryAppend,
  PortAlertStates,
  TickContext,
  VantageAlertStates,
  VantageReport,
  Watch,
  WatchStatesSave,
  WatchTickState,
} from '../watch-model/index.js';
import { DEFAULT_ALERT_CONFIG, observeWatch, type WatchObservation } from './alert-state.js';
import { announceWatch } from './announce-watch.js';
import type { Counts, RecheckDeps } from './deps.js';
import { observeWatchFromVantages } from './vantage-alert-state.js';

// What a tick does with a host once it has seen it: one read of everything the host's watches
// need (WatchStore.loadTickContext), each watch reconciled in turn — its events announced, or held
// back while muted — and one write of what is kept (WatchStore.saveTickResult): the observations
// appended to the history and the states of every watch that posted nothing. A watch that posted
// saves its states with its posts, through the fleet's ledger (in the same transaction when the
// store is the fleet's database), as soon as Slack accepted them.

/** What a re-test saw for a watch: the bot's own check, or every vantage's answer. */
export type Sight =
  | { kind: 'own'; diagnosis: HostDiagnosis }
  | { kind: 'vantages'; outcomes: VantageOutcome[] };

/** A diagnosis the host's history records: the bot's own network, or a vantage's. */
export interface Recorded {
  diagnosis: HostDiagnosis;
  vantage?: string;
}

export interface HostSight {
  host: string;
  /** The host's watches this sight is for. */
  watches: Watch[];
  /** Their ports: the ports the history records. */
  ports: number[];
  sight: Sight;
  recorded: Recorded[];
  at: string;
}

/** Reads the host once, reconciles each watch, and writes what is kept once. */
export async function reconcileHost(
  deps: RecheckDeps,
  fleet: FleetCoordinator,
  counts: Counts,
  seen: HostSight,
): Promise<void> {
  const { host, watches, ports, sight, at } = seen;
  const appends: HistoryAppend[] = seen.recorded.flatMap(({ diagnosis, vantage }) =>
    diagnosis.ports
      .filter((port) => ports.includes(port.port))
      .map((port) => ({
        port: port.port,
        ...(vantage === undefined ? {} : { vantage }),
        sample: { at, class: port.class, usable: port.usable },
      })),
  );
  let context: TickContext | null = null;
  let readFailure: unknown = null;
  try {
    context = await deps.store.loadTickContext({
      host,
      channels: watches.map((watch) => watch.channel),
      series: appends.map(({ port, vantage }) => ({ port, ...(vantage === undefined ? {} : { vantage }) })),
    });
  } catch (error) {
    readFailure = error;
  }
  // Every watch of the host muted at `at`: its history shows the stretch as muted.
  const muted =
    context !== null &&
    watches.every((watch) => {
      const mute = context.watches.get(watch.channel)?.mute ?? null;
      return mute !== null && mute.until > at;
    });
  const history = muted
    ? appends.map((append) => ({ ...append, sample: { ...append.sample, muted } }))
    : appends;

  const saves: WatchStatesSave[] = [];
  for (const watch of watches) {
    try {
      if (context === null) throw readFailure;
      const found = context.watches.get(watch.channel) ?? {
        states: {},
        vantages: {},
        incident: null,
        mute: null,
      };
      const save = await reconcileWatch(deps, fleet, watch, sight, at, counts, found);
      if (save !== null) saves.push(save);
    } catch (error) {
      deps.logger.error('watch state not saved', { channel: watch.channel, host, error });
    }
  }
  if (history.length === 0 && saves.length === 0) return;
  try {
    await deps.store.saveTickResult({ host, history, watches: saves }, context ?? undefined);
  } catch (error) {
    if (history.length > 0) deps.logger.error('watch history not saved', { host, error });
    for (const { channel } of saves) deps.logger.error('watch state not saved', { channel, host, error });
  }
}

/** A watch's observation, with what a watch from vantages adds to it. */
interface Observed extends WatchObservation {
  diagnosis: HostDiagnosis;
  /** A watch from vantages: each vantage's states (always saved: they are observations). */
  vantages?: VantageAlertStates;
  report?: VantageReport;
}

/** Advances a watch's states with what the re-test saw; null when no vantage of it answered. */
function observe(
  deps: RecheckDeps,
  watch: Watch,
  sight: Sight,
  found: WatchTickState,
  at: string,
): Observed | null {
  const config = deps.alertConfig ?? DEFAULT_ALERT_CONFIG;
  const prev: PortAlertStates = found.states;
  if (sight.kind === 'own') {
    return { ...observeWatch(watch.ports, prev, sight.diagnosis, at, config), diagnosis: sight.diagnosis };
  }
  const vantages = watch.vantages ?? [];
  const observation = observeWatchFromVantages({
    ports: watch.ports,
    vantages,
    prev,
    prevVantages: found.vantages,
    outcomes: sight.outcomes.filter((outcome) => vantages.includes(outcome.vantage)),
    at,
    config,
    quorum: deps.alertQuorum ?? 1,
  });
  if (observation.diagnosis === null) {
    deps.logger.warn('no vantage of the watch answered; its state is unchanged', {
      channel: watch.channel,
      host: watch.host,
      silent: observation.report.silent,
    });
    return null;
  }
  return { ...observation, diagnosis: observation.diagnosis };
}

/** The watch gauges: each port from the bot's own network, or from each vantage of the watch. */
function showPorts(deps: RecheckDeps, watch: Watch, observed: Observed): void {
  const metrics = deps.metrics;
  if (metrics === undefined) return;
  const seen = (states: PortAlertStates, vantage?: string): void => {
    for (const port of watch.ports) {
      const state = states[port];
      if (state === undefined) continue;
      const from = vantage === undefined ? {} : { vantage };
      metrics.watchPortSeen({ host: watch.host, port, ...from, usable: state.usable, phase: state.phase });
    }
  };
  if (observed.vantages === undefined) seen(observed.next);
  else for (const [vantage, states] of Object.entries(observed.vantages)) seen(states, vantage);
}

/**
 * Feeds the observation to every port of one watch and delivers what deserves a message. What
 * to save, for the host's write; null when there is nothing to save, or when it was saved with
 * the posts that announce it.
 */
async function reconcileWatch(
  deps: RecheckDeps,
  fleet: FleetCoordinator,
  watch: Watch,
  sight: Sight,
  at: string,
  counts: Counts,
  found: WatchTickState,
): Promise<WatchStatesSave | null> {
  const { store } = deps;
  const { channel, host } = watch;
  const observed = observe(deps, watch, sight, found, at);
  if (observed === null) return null;
  showPorts(deps, watch, observed);
  const { next, events, withheld, diagnosis, vantages, report } = observed;

  // Posts Slack accepted in this reconciliation: recorded with the states that announce them.
  const accepted: PostedKey[] = [];
  const outcome = await announceWatch(deps, fleet, accepted, {
    watch,
    diagnosis,
    at,
    counts,
    next,
    withheld,
    events,
    incident: found.incident,
    mute: found.mute,
    ...(vantages ? { vantages } : {}),
    ...(report ? { report } : {}),
  });
  const save: WatchStatesSave = {
    channel,
    states: outcome.states,
    ...(outcome.incident !== undefined ? { incident: outcome.incident } : {}),
    ...(vantages ? { vantages } : {}),
  };
  // Nothing posted: the ledger has nothing to record, and the states join the host's write.
  if (accepted.length === 0) return save;
  await fleet.posts.commit(accepted, { host, ...save }, () =>
    store.saveAlertStates(channel, host, outcome.states, outcome.incident, vantages),
  );
  return null;
}
