import type { IncomingMessage } from 'node:http';
import { invalidArgument, type CodedError } from './errors.js';

/** The error of a body over the limit by default: INVALID_ARGUMENT on field `body`. */
function bodyTooLarge(limit: number): CodedError {
  return invalidArgument('body', `larger than ${limit} bytes`);
}

/**
 * Reads the body of an HTTP request, at most `limit` bytes. Resolves with it as text. Rejects with
 * `tooLarge(limit)` (default INVALID_ARGUMENT on field `body`) as soon as the declared length or the bytes read
 * exceed the limit (the rest of the body is then read and dropped, up to 16 times the limit, after that the
 * connection is closed, so that the answer can be delivered), and INVALID_ARGUMENT when the request fails while
 * being read.
 */
export function readBody(req: IncomingMessage, limit: number, tooLarge: (limit: number) => CodedError = bodyTooLarge): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = (): void => {
      refused = true;
      chunks.length = 0;
      reject(tooLarge(limit));
    };
    if (Number(req.headers['content-length'] ?? 0) > limit) refuse();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > limit * 16) req.destroy();
        return;
      }
      if (size > limit) return refuse();
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (!refused) reject(invalidArgument('body', `not read: ${err.message}`, err));
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
