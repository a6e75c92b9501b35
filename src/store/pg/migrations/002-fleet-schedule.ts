import type { Migration } from '../migrations.js';

export const fleetSchedule: Migration = {
  version: 2,
  name: 'fleet schedule and alert posts',
  async up(client) {
    // TODO(owner of this migration): the tables.
    void client;
  },
};
