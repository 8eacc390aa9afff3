import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A private Prometheus registry for one process or component (never prom-client's global registry), with the
 * process metrics (CPU, memory, event-loop lag) when `processMetrics` is set. Each call gives a new registry.
 */
export function createMetricsRegistry(options: { processMetrics?: boolean; prefix?: string } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: options.prefix ?? 'cloudletd_' });
  return registry;
}
