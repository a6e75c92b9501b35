import type { Migration } from '../migrations.js';

export const fleetContext: Migration = {
  version: 3,
  name: 'check context and fleet limits',
  async up(client) {
    // TODO(owner of this migration): the tables.
    void client;
  },
};
