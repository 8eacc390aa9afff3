import type { Result } from '../../gen/edgeproto/result.js';

/** The Result of a successful unary call: empty, as the original returns (errors travel as gRPC status). */
export function ok(): Result {
  return { message: '' };
}

/** A progress or final message of a streamed call. */
export function progress(message: string): Result {
  return { message };
}
