import type { WatchStore } from '../store/index.js';
import type {
  PortAlertState,
  PortAlertStates,
  PortStateView,
  Watch,
  WatchView,
} from '../watch-model/types.js';

// Store records → the views the renderers take.

export function portStateView(port: number, state: PortAlertState): PortStateView {
  return {
    port,
    phase: state.phase,
    class: state.class,
    usable: state.usable,
    since: state.since,
    checkedAt: state.checkedAt,
    daysLeft: state.daysLeft,
  };
}

export function portStateViews(ports: number[], states: PortAlertStates): PortStateView[] {
  return ports.flatMap((port) => {
    const state = states[port];
    return state === undefined ? [] : [portStateView(port, state)];
  });
}

export async function loadWatchView(store: WatchStore, watch: Watch): Promise<WatchView> {
  const [states, mute, incident] = await Promise.all([
    store.getAlertStates(watch.channel, watch.host),
    store.getMute(watch.channel, watch.host),
    store.getIncident(watch.channel, watch.host),
  ]);
  return {
    channel: watch.channel,
    host: watch.host,
    ports: portStateViews(watch.ports, states),
    addedBy: watch.addedBy,
    addedAt: watch.addedAt,
    mutedUntil: mute?.until ?? null,
    incidentSince: incident?.since ?? null,
    ...(watch.vantages && watch.vantages.length > 0 ? { vantages: [...watch.vantages] } : {}),
  };
}
