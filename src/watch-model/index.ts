// The watch domain's model: the records every watch store keeps, the events an alert state
// announces, and the store's interface. A leaf: store, watch, render, fleet and chat import it;
// it imports nothing of theirs.

export * from './domain-watch.js';
export * from './tick-context.js';
export * from './types.js';
export * from './watch-store.js';
