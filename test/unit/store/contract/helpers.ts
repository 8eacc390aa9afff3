/** Helpers of the Store contract suite (see `../store-contract.ts`). */
import { expect } from 'vitest';
import { isCodedError } from '../../../../src/core/errors.js';
import type { KV, Op, Store, WatchBatch } from '../../../../src/store/index.js';

/** Opens a fresh, empty store (closed by the suite after each test). */
export type OpenStore = (options?: { historyLimit?: number }) => Promise<Store>;

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined);
export const put = (key: string, value: string): Op => ({ put: { key, value: bytes(value) } });
export const del = (key: string): Op => ({ delete: { key } });
export const delPrefix = (prefix: string): Op => ({ deletePrefix: { prefix } });
export const keysOf = (kvs: readonly KV[]): string[] => kvs.map((kv) => kv.key);

/** Expects `promise` to reject with a CodedError of `code` (and `field`, if given); returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string, field?: string): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCodedError(error), `expected a CodedError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (field !== undefined) expect((error as { field: string }).field).toBe(field);
  return error;
}

/** Collects the batches a watch receives. */
export function recorder(): { batches: WatchBatch[]; listener: (b: WatchBatch) => void } {
  const batches: WatchBatch[] = [];
  return { batches, listener: (b) => batches.push(b) };
}

/** Batches in a compact form for assertions: `<rev>[(snapshot)]:<type> <key>[@<prevKv.modRevision>],...`. */
export function summary(batches: readonly WatchBatch[]): string[] {
  return batches.map(
    (b) =>
      `${b.revision}${b.snapshot ? '(snapshot)' : ''}:` +
      b.events.map((e) => `${e.type} ${e.kv.key}${e.prevKv ? `@${e.prevKv.modRevision}` : ''}`).join(','),
  );
}
