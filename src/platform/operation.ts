import type { Logger } from '../core/logger.js';

/**
 * What every platform call receives (architecture convention 1). `signal` aborts on CRM shutdown or at the
 * operation's deadline: the driver must stop waiting and reject with the signal's reason (a CANCELLED or
 * DEADLINE_EXCEEDED CodedError) as soon as it can, leaving whatever it built labelled so that a later
 * `listInstances` finds it. `progress` takes short human text ("pulling image"); the CRM throttles it.
 */
export interface OperationContext {
  readonly signal: AbortSignal;
  progress(message: string): void;
  readonly log: Logger;
}

/** Runtime facts of an AppInst (AppInstInfo.runtime_info) and, where the platform measures them, usage. */
export interface AppInstRuntime {
  readonly containerIds: readonly string[];
  readonly cpuSeconds?: number;
  readonly memoryBytes?: number;
  readonly networkRxBytes?: number;
  readonly networkTxBytes?: number;
}
