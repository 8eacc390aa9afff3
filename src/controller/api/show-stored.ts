import type * as grpc from '@grpc/grpc-js';
import type { ObjectKind } from '../../cache/object-kind.js';
import type { ApiDeps } from '../api-deps.js';
import { serverStream } from '../grpc-adapter.js';
import { PreEncoded } from '../pre-encoded.js';
import { showFilter } from '../show-filter.js';

/**
 * A Show handler over stored objects: streams every object of `kind` that matches the request as a filter (every
 * non-empty field must match), sending each object's cached bytes instead of encoding it again. Objects stored
 * or deleted while the stream runs may or may not be included; each one sent is a committed version.
 */
export function showStored<T>(deps: ApiDeps, method: string, kind: ObjectKind<T>): grpc.handleServerStreamingCall<T, T> {
  const { objects, log } = deps;
  return serverStream(log, method, async (request: T, send) => {
    const matches = showFilter(kind.codec, request);
    const cache = objects.cache(kind);
    for (const key of [...cache.keys()]) {
      const entry = cache.getEntry(key);
      if (entry && matches(entry.value)) await send(new PreEncoded(entry.bytes) as unknown as T);
    }
  });
}
