import type { Migration } from '../migrations.js';

export const watchStoreTables: Migration = {
  version: 1,
  name: 'watch store tables',
  async up(client) {
    // TODO(owner of this migration): the tables.
    void client;
  },
};
