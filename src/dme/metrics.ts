import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Code } from '../core/errors.js';

/** The methods of `distributed_match_engine.MatchEngineApi`, as metric labels. */
export const DME_METHOD_NAMES = Object.freeze([
  'RegisterClient', 'FindCloudlet', 'VerifyLocation', 'GetLocation', 'AddUserToGroup', 'GetAppInstList', 'GetFqdnList',
] as const);

/** One method name of {@link DME_METHOD_NAMES}. */
export type DmeMethodName = (typeof DME_METHOD_NAMES)[number];

/** The results every method's request counter starts at 0 with (others appear when they happen). */
const COMMON_RESULTS: readonly Code[] = ['OK', 'INVALID_ARGUMENT', 'UNAUTHENTICATED', 'NOT_FOUND', 'PERMISSION_DENIED', 'UNIMPLEMENTED', 'INTERNAL'];

/** The DME's metrics (`cloudletd_dme_*`). */
export interface DmeMetrics {
  /** Requests by method and result (the gRPC status name; OK for a reply), both transports. */
  readonly requests: Counter<'method' | 'result'>;
  /** Handling time by method, both transports (REST body parsing excluded). */
  readonly latency: Histogram<'method'>;
  /** FindCloudlet answers by status (FIND_FOUND, FIND_NOTFOUND). */
  readonly findResults: Counter<'status'>;
  /** 1 while a notify connection to the controller is up. */
  readonly connected: Gauge;
  /** 1 while the current connection has delivered the controller's full send-all. */
  readonly synced: Gauge;
}

/** What the collected gauges read when scraped. */
export interface DmeMetricSources {
  /** READY AppInsts with a location in the match index. */
  readonly indexedAppInsts: () => number;
  /** Objects in each mirror, by kind name (App, AppInst, Cloudlet, CloudletInfo). */
  readonly objects: () => Readonly<Record<string, number>>;
  /** Seconds since the DME last knew its data to be current (0 while connected and synced). */
  readonly dataAgeSeconds: () => number;
}

/**
 * Creates the DME metrics in `registry` with every method/result label set of {@link COMMON_RESULTS} started at 0.
 * Call once per registry (prom-client refuses a second registration of the same name).
 */
export function createDmeMetrics(registry: Registry, sources: DmeMetricSources): DmeMetrics {
  const registers = [registry];
  const p = 'cloudletd_dme';
  const metrics: DmeMetrics = {
    requests: new Counter({ name: `${p}_requests_total`, help: 'MatchEngineApi requests by method and result (gRPC status name)', labelNames: ['method', 'result'], registers }),
    latency: new Histogram({
      name: `${p}_request_duration_seconds`, help: 'MatchEngineApi handling time by method', labelNames: ['method'], registers,
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    }),
    findResults: new Counter({ name: `${p}_find_cloudlet_total`, help: 'FindCloudlet answers by status', labelNames: ['status'], registers }),
    connected: new Gauge({ name: `${p}_controller_connected`, help: '1 while a notify connection to the controller is up', registers }),
    synced: new Gauge({ name: `${p}_controller_synced`, help: "1 while the current connection has delivered the controller's full send-all", registers }),
  };
  new Gauge({
    name: `${p}_indexed_app_insts`, help: 'READY AppInsts with a cloudlet location in the match index', registers,
    collect() {
      this.set(sources.indexedAppInsts());
    },
  });
  new Gauge({
    name: `${p}_objects`, help: 'Objects mirrored from the controller, by kind', labelNames: ['kind'], registers,
    collect() {
      for (const [kind, n] of Object.entries(sources.objects())) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: `${p}_data_age_seconds`, help: 'Seconds since the mirrored data was last known current (0 while connected and synced)', registers,
    collect() {
      this.set(sources.dataAgeSeconds());
    },
  });
  for (const method of DME_METHOD_NAMES) {
    for (const result of COMMON_RESULTS) metrics.requests.inc({ method, result }, 0);
  }
  for (const status of ['FIND_FOUND', 'FIND_NOTFOUND']) metrics.findResults.inc({ status }, 0);
  metrics.connected.set(0);
  metrics.synced.set(0);
  return metrics;
}
