/**
 * The HTTP status a REST gateway answers for each gRPC status, as grpc-gateway's `HTTPStatusFromCode` maps them.
 * Shared by the controller's and the DME's gateways so both answer an error alike.
 */
import type { Code } from './errors.js';

/** HTTP status of each gRPC status name. Frozen. */
export const HTTP_STATUS: Readonly<Record<Code, number>> = Object.freeze({
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
});

/** The HTTP status grpc-gateway answers for a gRPC status name (`NOT_FOUND` → 404). Pure. */
export function httpStatusOf(code: Code): number {
  return HTTP_STATUS[code];
}
