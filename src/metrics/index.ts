/** Metric registries (one per process, never the global one) and metric definitions per component. */
export * from './notify-metrics.js';
export * from './registry.js';
