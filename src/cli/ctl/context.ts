/**
 * What every `cloudletd ctl` verb runs with, and its exit codes. Built once by the ctl command from `--addr` and the
 * environment; verbs never read process state themselves.
 */
import type { ApiClient } from '../api-client.js';

/** Exit codes of `cloudletd ctl`: 0 done, 1 the API refused or an object failed, 2 a usage error. */
export const CTL_EXIT = Object.freeze({ ok: 0, apiError: 1, usage: 2 });

/** Output of `show`: a table for people, or JSON / YAML documents that `apply -f` reads back. */
export type OutputFormat = 'table' | 'json' | 'yaml';

/** The environment of one ctl invocation. */
export interface CtlContext {
  /** A client of the controller's gRPC API at `--addr`. */
  readonly api: ApiClient;
  /** Results (tables, documents) go here. */
  readonly stdout: NodeJS.WritableStream;
  /** Progress and errors go here. */
  readonly stderr: NodeJS.WritableStream;
  /** True when stderr is a terminal: live progress; otherwise plain lines. */
  readonly interactive: boolean;
  /** Aborted on SIGTERM/SIGINT: calls are cancelled and the verb ends with exit code 1. */
  readonly signal: AbortSignal;
  /** Deadline of each unary call, and of each object's wait until READY or failed (`--timeout`). */
  readonly timeoutMs: number;
  /**
   * Deadline of each object's streamed change plus its wait until READY, deleted or failed (`--wait-timeout`,
   * default 10 min), for kinds the CRM works on. When undefined, `timeoutMs` is that deadline too.
   */
  readonly waitTimeoutMs?: number;
}
