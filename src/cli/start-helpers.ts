/** Helpers every long-running command (controller, crm...) shares around its start and stop. */
import * as grpc from '@grpc/grpc-js';
import { asCodedError, CodedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * A start error as main reports it: one line (gRPC bind errors carry a second line), prefixed with the flag it is
 * about when its field is one of `flagOfField` (error field → flag, e.g. `notify-addr` → `--notify-addr`).
 */
export function oneLine(err: unknown, flagOfField: Readonly<Record<string, string>>): CodedError {
  const coded = asCodedError(err);
  const flag = coded.field === undefined ? undefined : flagOfField[coded.field];
  const message = `${flag ? `${flag}: ` : ''}${coded.message.replace(/\s*\n\s*/g, '; ')}`;
  return message === coded.message ? coded : new CodedError(coded.code, message, { field: coded.field, cause: coded });
}

/** Routes grpc-js's own diagnostics (it prints to stderr by default) into the command's logger. */
export function routeGrpcLogs(log: Logger): void {
  const grpcLog = log.child({ component: 'grpc' });
  const write = (...args: unknown[]): void => grpcLog.warn({ detail: args.map(String).join(' ') }, 'grpc diagnostic');
  grpc.setLogger({ error: write, warn: write, info: write, debug: write });
}

/** Resolves when `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** The text of why `signal` aborted (`received SIGTERM`), for the "stopping" log line. */
export function abortReason(signal: AbortSignal): string {
  return String((signal.reason as Error | undefined)?.message ?? 'stop');
}
