// Prometheus metrics: the Metrics interface the rooms above report to, the prom-client registry
// behind it, and a no-op for code paths that do not care.

export { createMetrics, type MetricsOptions } from './create-metrics.js';
export * from './metrics.js';
export { NO_METRICS } from './no-metrics.js';
