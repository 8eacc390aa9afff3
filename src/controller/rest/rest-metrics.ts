import { Counter, Histogram, type Registry } from 'prom-client';
import type { Code } from '../../core/errors.js';

/** The `path` label of requests to a path the gateway does not serve (keeps the label set bounded). */
export const OTHER_PATH = 'other';

/** The REST gateway's metrics (`cloudletd_controller_http_*`). */
export interface RestMetrics {
  /** Requests by path (a served path, or {@link OTHER_PATH}) and outcome (the gRPC status name; OK for success). */
  readonly requests: Counter<'path' | 'code'>;
  /** Time from the request to the end of its answer (a stream's last line), by path. */
  readonly duration: Histogram<'path'>;
}

/**
 * Creates the REST metrics in `registry`, with `{path, code="OK"}` of every path in `paths` started at 0 (other
 * codes appear when they happen). Call once per registry (prom-client refuses a second registration).
 */
export function createRestMetrics(registry: Registry, paths: readonly string[]): RestMetrics {
  const registers = [registry];
  const metrics: RestMetrics = {
    requests: new Counter({
      name: 'cloudletd_controller_http_requests_total',
      help: 'REST gateway requests by path and outcome (gRPC status name; OK for success)',
      labelNames: ['path', 'code'], registers,
    }),
    duration: new Histogram({
      name: 'cloudletd_controller_http_request_duration_seconds',
      help: 'REST gateway time from request to the end of the answer (a stream: its last line), by path',
      labelNames: ['path'], registers,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 1800],
    }),
  };
  for (const path of paths) {
    metrics.requests.inc({ path, code: 'OK' satisfies Code }, 0);
    metrics.duration.zero({ path });
  }
  return metrics;
}
