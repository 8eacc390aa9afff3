/** Deadlines of ClusterInst and AppInst operations; when one passes the object goes to *_ERROR. */
export interface OperationTimeouts {
  readonly createMs: number;
  readonly updateMs: number;
  readonly deleteMs: number;
}

/** Validated configuration of `cloudletd controller` (flags > env > defaults, parsed in src/cli). */
export interface ControllerConfig {
  /** gRPC API listen address, e.g. `127.0.0.1:55001` (port 0: ephemeral). */
  readonly apiAddr: string;
  /** Notify listen address for CRMs and DMEs, e.g. `127.0.0.1:50001`. */
  readonly notifyAddr: string;
  /** Where the embedded store keeps its files. */
  readonly dataDir: string;
  readonly store: 'lmdb' | 'memory';
  readonly timeouts: OperationTimeouts;
  /** This controller's id, written into CloudletInfo.controller: `hostname@apiAddr` as the original. */
  readonly controllerId: string;
  /** How long ExecApi.RunCommand waits for a CRM's reply (the original's 6 s when absent). */
  readonly execTimeoutMs?: number;
  /**
   * REST gateway listen address (the original's paths, /healthz, /readyz, /metrics), e.g. `127.0.0.1:36001`
   * (port 0: ephemeral). Undefined: no HTTP server.
   */
  readonly httpAddr?: string;
  /** Largest REST request body in bytes (1 MiB when absent). */
  readonly httpMaxBodyBytes?: number;
}

/** The original's deadlines: 30 min create, 20 min update and delete. */
export const DEFAULT_TIMEOUTS: OperationTimeouts = Object.freeze({ createMs: 30 * 60_000, updateMs: 20 * 60_000, deleteMs: 20 * 60_000 });

/** How much longer than the longest operation timeout a REST call of a streaming rpc may run (1 min). */
export const STREAM_DEADLINE_MARGIN_MS = 60_000;

/** The deadline of a streaming rpc forwarded by the REST gateway: the longest operation timeout plus a margin. Pure. */
export function streamDeadlineMs(timeouts: OperationTimeouts): number {
  return Math.max(timeouts.createMs, timeouts.updateMs, timeouts.deleteMs) + STREAM_DEADLINE_MARGIN_MS;
}

/** The original's ExecRequest wait: 6 s. */
export const DEFAULT_EXEC_TIMEOUT_MS = 6_000;
