/**
 * Coded errors (architecture convention 6).
 *
 * Every error that crosses a component boundary carries a {@link Code} (the gRPC status names), a message that
 * names the field and the reason, and the original `cause`. Code branches on `code`, never on message text.
 * This module deliberately does not import `@grpc/grpc-js`: the numeric status values are the standard ones.
 */
import { abortKind } from './abort.js';

/**
 * The gRPC status names, usable both as values (`Code.NOT_FOUND`) and as a type (`Code`).
 * Frozen: never mutated.
 */
export const Code = Object.freeze({
  OK: 'OK',
  CANCELLED: 'CANCELLED',
  UNKNOWN: 'UNKNOWN',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  ABORTED: 'ABORTED',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
  DATA_LOSS: 'DATA_LOSS',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
} as const);

/** One of the gRPC status names. */
export type Code = (typeof Code)[keyof typeof Code];

/** Numeric gRPC status of each code (the standard values, OK=0 ... UNAUTHENTICATED=16). Frozen. */
export const GRPC_STATUS: Readonly<Record<Code, number>> = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

const CODE_BY_STATUS: readonly Code[] = Object.freeze(
  (Object.keys(GRPC_STATUS) as Code[]).sort((a, b) => GRPC_STATUS[a] - GRPC_STATUS[b]),
);

/** Options of a {@link CodedError}. */
export interface CodedErrorOptions {
  /** Field path the error is about, e.g. `key.organization` or `flavor.name`. */
  field?: string | undefined;
  /** The underlying error, kept as the standard `Error.cause`. */
  cause?: unknown;
}

/**
 * An error with a gRPC status name, an optional field path and an optional cause.
 * `name` is always `'CodedError'`; `code` and `field` are enumerable so loggers serialize them.
 */
export class CodedError extends Error {
  /** The status name; the only thing callers may branch on. */
  readonly code: Code;
  /** The field path the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(code: Code, message: string, options: CodedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
    this.code = code;
    this.field = options.field;
  }

  /** Numeric gRPC status of this error's code. */
  get grpcStatus(): number {
    return GRPC_STATUS[this.code];
  }
}

/** True when `e` is a {@link CodedError} (including subclasses). Never throws. */
export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}

/** True when `e` is a {@link CodedError} with the given code. Never throws; false for anything else. */
export function hasCode(e: unknown, code: Code): boolean {
  return isCodedError(e) && e.code === code;
}

/** True when `value` is one of the status names. */
export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && Object.hasOwn(GRPC_STATUS, value);
}

/** Numeric gRPC status of a code (pure). */
export function toGrpcStatus(code: Code): number {
  return GRPC_STATUS[code];
}

/** Status name of a numeric gRPC status; anything outside 0..16 (or not an integer) maps to `UNKNOWN`. Pure. */
export function fromGrpcStatus(status: number): Code {
  return (Number.isInteger(status) ? CODE_BY_STATUS[status] : undefined) ?? Code.UNKNOWN;
}

/** `INVALID_ARGUMENT`: the field at `field` is wrong because of `reason`. */
export function invalidArgument(field: string, reason: string, cause?: unknown): CodedError {
  return new CodedError(Code.INVALID_ARGUMENT, `invalid ${field}: ${reason}`, { field, cause });
}

/** `NOT_FOUND`: `what` (e.g. `"cloudlet edge1/acme"`) does not exist. `field` names the key field, if any. */
export function notFound(what: string, field?: string): CodedError {
  return new CodedError(Code.NOT_FOUND, `${what} not found`, { field });
}

/** `ALREADY_EXISTS`: `what` exists already. */
export function alreadyExists(what: string, field?: string): CodedError {
  return new CodedError(Code.ALREADY_EXISTS, `${what} already exists`, { field });
}

/** `FAILED_PRECONDITION`: the system is not in a state that allows the operation. */
export function failedPrecondition(reason: string, field?: string, cause?: unknown): CodedError {
  return new CodedError(Code.FAILED_PRECONDITION, reason, { field, cause });
}

/** `OUT_OF_RANGE`: the value at `field` is outside the allowed range. */
export function outOfRange(field: string, reason: string): CodedError {
  return new CodedError(Code.OUT_OF_RANGE, `${field} out of range: ${reason}`, { field });
}

/** `PERMISSION_DENIED`. */
export function permissionDenied(reason: string): CodedError {
  return new CodedError(Code.PERMISSION_DENIED, `permission denied: ${reason}`);
}

/** `UNAUTHENTICATED`. */
export function unauthenticated(reason: string): CodedError {
  return new CodedError(Code.UNAUTHENTICATED, `unauthenticated: ${reason}`);
}

/** `RESOURCE_EXHAUSTED`: not enough of `what` (e.g. `"vCPUs on cloudlet edge1"`). */
export function resourceExhausted(what: string, reason: string, field?: string): CodedError {
  return new CodedError(Code.RESOURCE_EXHAUSTED, `${what} exhausted: ${reason}`, { field });
}

/** `ABORTED`: a concurrency conflict (e.g. revision mismatch); the caller may retry. */
export function aborted(reason: string, cause?: unknown): CodedError {
  return new CodedError(Code.ABORTED, reason, { cause });
}

/** `UNIMPLEMENTED`: `what` is not supported (e.g. a driver feature). */
export function unimplemented(what: string): CodedError {
  return new CodedError(Code.UNIMPLEMENTED, `${what} not implemented`);
}

/** `UNAVAILABLE`: a dependency cannot be reached right now; retryable. */
export function unavailable(reason: string, cause?: unknown): CodedError {
  return new CodedError(Code.UNAVAILABLE, reason, { cause });
}

/** `INTERNAL`: a bug or broken invariant. */
export function internal(reason: string, cause?: unknown): CodedError {
  return new CodedError(Code.INTERNAL, reason, { cause });
}

/** `CANCELLED`: the caller gave up (abort signal). */
export function cancelled(reason = 'operation cancelled', cause?: unknown): CodedError {
  return new CodedError(Code.CANCELLED, reason, { cause });
}

/** `DEADLINE_EXCEEDED`: `what` did not finish before its deadline. */
export function deadlineExceeded(what = 'operation', cause?: unknown): CodedError {
  return new CodedError(Code.DEADLINE_EXCEEDED, `${what} deadline exceeded`, { cause });
}

/**
 * Wraps anything thrown into a {@link CodedError}. Pure; never throws.
 *
 * - a `CodedError` is returned as is (same object);
 * - an `AbortError` becomes `CANCELLED`, a `TimeoutError` becomes `DEADLINE_EXCEEDED` (see `abortKind`);
 * - an object shaped like a grpc-js `ServiceError` (numeric `code` 0..16 and string `details`) maps its status
 *   back with {@link fromGrpcStatus} and keeps `details` as the message;
 * - anything else becomes `fallback` (default `UNKNOWN`) with the original as `cause`.
 */
export function asCodedError(e: unknown, fallback: Code = Code.UNKNOWN): CodedError {
  if (isCodedError(e)) return e;
  const kind = abortKind(e);
  if (kind === 'cancelled') return cancelled(messageOf(e, 'operation cancelled'), e);
  if (kind === 'timeout') return deadlineExceeded('operation', e);
  if (isServiceErrorLike(e)) {
    return new CodedError(fromGrpcStatus(e.code), e.details || messageOf(e, 'remote error'), { cause: e });
  }
  return new CodedError(fallback, messageOf(e, 'unknown error'), { cause: e });
}

function messageOf(e: unknown, otherwise: string): string {
  if (e instanceof Error && e.message) return e.message;
  if (typeof e === 'string' && e) return e;
  return otherwise;
}

function isServiceErrorLike(e: unknown): e is { code: number; details: string } {
  if (typeof e !== 'object' || e === null) return false;
  const { code, details } = e as { code?: unknown; details?: unknown };
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16 && typeof details === 'string';
}
