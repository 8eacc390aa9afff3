import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Label names of per-AppInst runtime figures. */
export const APPINST_LABELS = ['developer', 'app', 'version', 'cluster'] as const;
type AppInstLabel = (typeof APPINST_LABELS)[number];

/** The CRM's own metrics (`cloudletd_crm_*`); notify metrics are `cloudletd_notify_client_*`. */
export interface CrmMetrics {
  /** Seconds per reconcile, by kind (ClusterInst/AppInst), op (create/update/delete/none) and result. */
  readonly reconcileSeconds: Histogram<'kind' | 'op' | 'result'>;
  readonly queueDepth: Gauge;
  readonly inFlight: Gauge;
  /** Instances by kind and the state of their info (collected at scrape time). */
  readonly objects: Gauge<'kind' | 'state'>;
  readonly platformErrors: Counter<'op' | 'code'>;
  readonly driftRepairs: Counter<'kind' | 'result'>;
  readonly orphansDeleted: Counter<'kind'>;
  readonly jobRuns: Counter<'job' | 'result'>;
  readonly jobOverruns: Counter<'job'>;
  readonly connected: Gauge;
  readonly ready: Gauge;
  readonly execRequests: Counter<'result'>;
  readonly appInstCpuSeconds: Gauge<AppInstLabel>;
  readonly appInstMemoryBytes: Gauge<AppInstLabel>;
  readonly appInstNetworkRxBytes: Gauge<AppInstLabel>;
  readonly appInstNetworkTxBytes: Gauge<AppInstLabel>;
}

export const RECONCILE_RESULTS = ['success', 'error', 'retry', 'waiting', 'cancelled'] as const;
const KINDS = ['ClusterInst', 'AppInst'] as const;
const OPS = ['create', 'update', 'delete', 'none'] as const;
const JOBS = ['refresh_info', 'drift', 'runtime'] as const;

/**
 * Registers the CRM metrics in `registry`, every fixed label set started at 0. `collectors` fill the gauges whose
 * value is read at scrape time (queue depth, objects by state). Call once per registry.
 */
export interface CrmMetricsCollectors {
  /** Keys waiting in the workqueue now. */
  queueDepth(): number;
  /** Sets the objects gauge (it is reset before). */
  objects(gauge: Gauge<'kind' | 'state'>): void;
}

export function createCrmMetrics(registry: Registry, collectors: CrmMetricsCollectors): CrmMetrics {
  const registers = [registry];
  const m: CrmMetrics = {
    reconcileSeconds: new Histogram({
      name: 'cloudletd_crm_reconcile_duration_seconds', help: 'Duration of one reconcile of a key, by kind, operation and result',
      labelNames: ['kind', 'op', 'result'], registers, buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    }),
    queueDepth: new Gauge({
      name: 'cloudletd_crm_workqueue_depth', help: 'Keys waiting in the workqueue (ready or delayed)', registers,
      collect() { this.set(collectors.queueDepth()); },
    }),
    inFlight: new Gauge({ name: 'cloudletd_crm_operations_in_flight', help: 'Platform operations running now', registers }),
    objects: new Gauge({
      name: 'cloudletd_crm_objects', help: 'Instances this CRM reports, by kind and info state', labelNames: ['kind', 'state'], registers,
      collect() { collectors.objects(this); },
    }),
    platformErrors: new Counter({ name: 'cloudletd_crm_platform_errors_total', help: 'Failed platform calls, by operation and error code', labelNames: ['op', 'code'], registers }),
    driftRepairs: new Counter({ name: 'cloudletd_crm_drift_repairs_total', help: 'Instances the platform lost and the CRM rebuilt, by result', labelNames: ['kind', 'result'], registers }),
    orphansDeleted: new Counter({ name: 'cloudletd_crm_orphans_deleted_total', help: 'Platform instances deleted because the controller no longer wants them', labelNames: ['kind'], registers }),
    jobRuns: new Counter({ name: 'cloudletd_crm_job_runs_total', help: 'Periodic job runs, by job and result', labelNames: ['job', 'result'], registers }),
    jobOverruns: new Counter({ name: 'cloudletd_crm_job_overruns_total', help: 'Periodic job runs skipped because the previous run was still going', labelNames: ['job'], registers }),
    connected: new Gauge({ name: 'cloudletd_crm_controller_connected', help: '1 while a notify connection to the controller is up', registers }),
    ready: new Gauge({ name: 'cloudletd_crm_ready', help: '1 while connected with the CloudletInfo sent', registers }),
    execRequests: new Counter({ name: 'cloudletd_crm_exec_requests_total', help: 'RunCommand requests answered, by result', labelNames: ['result'], registers }),
    appInstCpuSeconds: new Gauge({ name: 'cloudletd_crm_appinst_cpu_seconds', help: 'CPU time used by an AppInst', labelNames: APPINST_LABELS, registers }),
    appInstMemoryBytes: new Gauge({ name: 'cloudletd_crm_appinst_memory_bytes', help: 'Memory used by an AppInst', labelNames: APPINST_LABELS, registers }),
    appInstNetworkRxBytes: new Gauge({ name: 'cloudletd_crm_appinst_network_receive_bytes', help: 'Bytes received by an AppInst', labelNames: APPINST_LABELS, registers }),
    appInstNetworkTxBytes: new Gauge({ name: 'cloudletd_crm_appinst_network_transmit_bytes', help: 'Bytes sent by an AppInst', labelNames: APPINST_LABELS, registers }),
  };
  for (const kind of KINDS) {
    for (const op of OPS) for (const result of RECONCILE_RESULTS) m.reconcileSeconds.zero({ kind, op, result });
    m.driftRepairs.inc({ kind, result: 'success' }, 0);
    m.driftRepairs.inc({ kind, result: 'error' }, 0);
    m.orphansDeleted.inc({ kind }, 0);
  }
  for (const job of JOBS) {
    m.jobRuns.inc({ job, result: 'success' }, 0);
    m.jobRuns.inc({ job, result: 'error' }, 0);
    m.jobOverruns.inc({ job }, 0);
  }
  for (const result of ['success', 'error', 'not_found']) m.execRequests.inc({ result }, 0);
  m.connected.set(0);
  m.ready.set(0);
  return m;
}
