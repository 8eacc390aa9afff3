import { startDeadline } from '../core/abort.js';
import { asCodedError, Code, CodedError } from '../core/errors.js';
import { isRetryablePlatformError } from '../platform/errors.js';
import type { OperationContext } from '../platform/platform.js';
import type { InstKind, JournalEntry } from './journal.js';
import type { ReconcileEnv } from './reconcile-env.js';

/** How a platform operation ended. */
export type OperationResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  /** Shutdown aborted it; the journal entry stays for the next start. */
  | { readonly kind: 'cancelled' }
  /** Worth another attempt later (a retryable error, attempts left). */
  | { readonly kind: 'retry'; readonly error: CodedError }
  /** Final for the desired object as it is. */
  | { readonly kind: 'failed'; readonly error: CodedError };

/** One platform operation to run under the journal, a deadline and the retry budget. */
export interface OperationSpec<T> {
  readonly kind: InstKind;
  readonly key: string;
  readonly op: JournalEntry['op'];
  /** Consecutive failures of this key so far (from the workqueue). */
  readonly failures: number;
  readonly call: (ctx: OperationContext) => Promise<T>;
}

const PROGRESS_INTERVAL_MS = 1_000;

/**
 * Runs a platform create/update/delete: journals it before the call, gives it a signal that aborts on shutdown
 * (`signal`) or at `config.operationTimeoutMs`, counts it in flight, and classifies the end. The journal entry is
 * removed when the operation ends (ok, retry or failed) and marked cancelled when a shutdown stopped it. The
 * deadline is reported as a final DEADLINE_EXCEEDED "<op> timed out after N s". Never rejects.
 */
export async function runOperation<T>(env: ReconcileEnv, spec: OperationSpec<T>, signal: AbortSignal): Promise<OperationResult<T>> {
  const { journal, metrics, config } = env;
  const log = env.log.child({ kind: spec.kind, key: spec.key, op: spec.op });
  try {
    await journal.begin(spec.kind, spec.key, spec.op);
  } catch (err) {
    return { kind: 'retry', error: asCodedError(err) };
  }
  const operationDeadline = startDeadline(config.operationTimeoutMs);
  const deadline = operationDeadline.signal;
  const opSignal = AbortSignal.any([signal, deadline]);
  let lastProgress = 0;
  const ctx: OperationContext = {
    signal: opSignal,
    log,
    progress: (message) => {
      const now = performance.now();
      if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      log.info({ progress: message }, 'operation progress');
    },
  };
  metrics.inFlight.inc();
  try {
    const value = await spec.call(ctx);
    await journal.end(spec.kind, spec.key).catch((err: unknown) => log.warn({ err }, 'journal end failed'));
    return { kind: 'ok', value };
  } catch (err) {
    // Whatever a create left is unknown now: remember it as partial, so a later delete goes to the platform.
    if (spec.op === 'create' && env.actual.get(spec.kind, spec.key)?.status !== 'ready') {
      env.actual.set({ kind: spec.kind, key: spec.key, status: 'partial', detail: 'create did not finish' });
    }
    if (signal.aborted) {
      await journal.cancel(spec.kind, spec.key).catch(() => undefined);
      log.info({ reason: String((signal.reason as Error | undefined)?.message ?? signal.reason) }, 'operation cancelled');
      return { kind: 'cancelled' };
    }
    const final = deadline.aborted
      ? new CodedError(Code.DEADLINE_EXCEEDED, `${spec.op} timed out after ${Math.round(config.operationTimeoutMs / 100) / 10} s`, { cause: err })
      : asCodedError(err);
    metrics.platformErrors.inc({ op: `${spec.op}_${spec.kind === 'ClusterInst' ? 'clusterinst' : 'appinst'}`, code: final.code });
    await journal.end(spec.kind, spec.key).catch(() => undefined);
    if (!deadline.aborted && isRetryablePlatformError(final) && spec.failures + 1 < config.maxAttempts) {
      log.warn({ err: final, attempt: spec.failures + 1 }, 'operation failed, will retry');
      return { kind: 'retry', error: final };
    }
    log.warn({ err: final }, 'operation failed');
    return { kind: 'failed', error: final };
  } finally {
    operationDeadline.clear();
    metrics.inFlight.dec();
  }
}
