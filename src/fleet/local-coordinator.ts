import type { FleetCoordinator, PostLedger, TickClaims } from './types.js';

// One process, no database: it re-tests every host it sees, in its own order, and posts whatever
// the alert state says — exactly what a tick did before there were fleets.

const alwaysPost: PostLedger = {
  begin: async () => ({ action: 'post' }),
  commit: (_posts, _write, save) => save(),
  release: async () => {},
};

export function createLocalCoordinator(): FleetCoordinator {
  return {
    replica: 'local',
    async openTick(_slot, hosts): Promise<TickClaims> {
      let index = 0;
      return {
        next: async () => hosts[index++] ?? null,
        done: async () => {},
        close: async () => {},
      };
    },
    posts: alwaysPost,
  };
}
