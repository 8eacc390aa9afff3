/**
 * Argument validation shared by the backends, so that every backend rejects the same requests with the same
 * INVALID_ARGUMENT (naming the field). {@link planTxn} also snapshots a transaction: values are copied, so a
 * caller mutating its buffers after `txn()` cannot change what is written.
 */
import { invalidArgument } from '../core/errors.js';
import { isWellFormedKey, utf8Length } from './keys.js';
import { MAX_KEY_BYTES, MAX_TXN_BYTES, MAX_TXN_OPS, type ListOptions, type Op, type TxnRequest } from './store.js';

/** A validated compare: at least one condition present. */
export interface PlannedCompare {
  readonly key: string;
  readonly modRevision: number | undefined;
  readonly exists: boolean | undefined;
}

/** A validated op, flattened. `value` is the store's own copy. */
export type PlannedOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'deletePrefix'; readonly prefix: string };

/** A validated, self-contained transaction. */
export interface TxnPlan {
  readonly compare: readonly PlannedCompare[];
  readonly success: readonly PlannedOp[];
  readonly failure: readonly PlannedOp[];
}

/** Throws INVALID_ARGUMENT unless `key` is a non-empty, well-formed string of at most MAX_KEY_BYTES. */
export function checkKey(field: string, key: unknown): asserts key is string {
  checkPrefix(field, key);
  if (key === '') throw invalidArgument(field, 'must not be empty');
}

/** Like {@link checkKey} but the empty string is allowed (it matches every key). */
export function checkPrefix(field: string, prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalidArgument(field, 'must be a string');
  if (!isWellFormedKey(prefix)) throw invalidArgument(field, 'must not contain a lone surrogate');
  if (prefix.length > MAX_KEY_BYTES / 3 && utf8Length(prefix) > MAX_KEY_BYTES) {
    throw invalidArgument(field, `longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
}

/** Validates `list` arguments. */
export function checkList(prefix: unknown, options: ListOptions): void {
  checkPrefix('prefix', prefix);
  const { limit, startAfter } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw invalidArgument('limit', 'must be an integer >= 1');
  }
  if (startAfter !== undefined) checkPrefix('startAfter', startAfter);
}

/** Throws INVALID_ARGUMENT unless `revision` is an integer >= 1. */
export function checkRevision(field: string, revision: unknown): asserts revision is number {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 1) {
    throw invalidArgument(field, 'must be an integer >= 1');
  }
}

/** Validates a transaction request and returns its snapshot. Throws INVALID_ARGUMENT naming the first bad field. */
export function planTxn(request: TxnRequest): TxnPlan {
  if (typeof request !== 'object' || request === null) throw invalidArgument('txn', 'must be an object');
  const budget = { bytes: 0 };
  const compareIn = request.compare ?? [];
  checkArray('compare', compareIn);
  const compare = compareIn.map((c, i) => planCompare(`compare[${i}]`, c, budget));
  checkArray('success', request.success);
  const success = planBranch('success', request.success, budget);
  const failureIn = request.failure ?? [];
  checkArray('failure', failureIn);
  const failure = planBranch('failure', failureIn, budget);
  return { compare, success, failure };
}

function checkArray(field: string, value: unknown): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw invalidArgument(field, 'must be an array');
  if (value.length > MAX_TXN_OPS) throw invalidArgument(field, `more than ${MAX_TXN_OPS} entries`);
}

function spend(field: string, budget: { bytes: number }, bytes: number): void {
  budget.bytes += bytes;
  if (budget.bytes > MAX_TXN_BYTES) throw invalidArgument(field, `transaction larger than ${MAX_TXN_BYTES} bytes`);
}

function planCompare(field: string, c: unknown, budget: { bytes: number }): PlannedCompare {
  if (typeof c !== 'object' || c === null) throw invalidArgument(field, 'must be an object');
  const { key, modRevision, exists } = c as Record<string, unknown>;
  checkKey(`${field}.key`, key);
  if (modRevision !== undefined && !(Number.isSafeInteger(modRevision) && (modRevision as number) >= 0)) {
    throw invalidArgument(`${field}.modRevision`, 'must be an integer >= 0');
  }
  if (exists !== undefined && typeof exists !== 'boolean') throw invalidArgument(`${field}.exists`, 'must be a boolean');
  if (modRevision === undefined && exists === undefined) {
    throw invalidArgument(field, 'needs modRevision or exists');
  }
  spend(field, budget, utf8Length(key));
  return { key, modRevision: modRevision as number | undefined, exists };
}

function planOp(field: string, op: unknown, budget: { bytes: number }): PlannedOp {
  if (typeof op !== 'object' || op === null) throw invalidArgument(field, 'must be an object');
  const forms = (['put', 'delete', 'deletePrefix'] as const).filter((f) => (op as Record<string, unknown>)[f] !== undefined);
  if (forms.length !== 1) throw invalidArgument(field, 'must have exactly one of put, delete, deletePrefix');
  const o = op as Op;
  if ('put' in o && o.put !== undefined) {
    const { key, value } = o.put;
    checkKey(`${field}.put.key`, key);
    if (!(value instanceof Uint8Array)) throw invalidArgument(`${field}.put.value`, 'must be a Uint8Array');
    spend(field, budget, utf8Length(key) + value.byteLength);
    return { kind: 'put', key, value: new Uint8Array(value) };
  }
  if ('delete' in o && o.delete !== undefined) {
    checkKey(`${field}.delete.key`, o.delete.key);
    spend(field, budget, utf8Length(o.delete.key));
    return { kind: 'delete', key: o.delete.key };
  }
  const { prefix } = (o as { deletePrefix: { prefix: unknown } }).deletePrefix;
  checkPrefix(`${field}.deletePrefix.prefix`, prefix);
  if (prefix === '') throw invalidArgument(`${field}.deletePrefix.prefix`, 'must not be empty (would delete every key)');
  spend(field, budget, utf8Length(prefix));
  return { kind: 'deletePrefix', prefix };
}

/** Plans the ops of one branch and rejects duplicate puts, and puts that the same branch also deletes. */
function planBranch(field: string, ops: readonly unknown[], budget: { bytes: number }): PlannedOp[] {
  const planned = ops.map((op, i) => planOp(`${field}[${i}]`, op, budget));
  const puts = new Set<string>();
  planned.forEach((op, i) => {
    if (op.kind !== 'put') return;
    if (puts.has(op.key)) throw invalidArgument(`${field}[${i}].put.key`, `duplicate key ${op.key} in one branch`);
    puts.add(op.key);
  });
  if (puts.size === 0) return planned;
  planned.forEach((op, i) => {
    if (op.kind === 'delete' && puts.has(op.key)) {
      throw invalidArgument(`${field}[${i}].delete.key`, `key ${op.key} is also put in this branch`);
    }
    if (op.kind === 'deletePrefix') {
      for (const key of puts) {
        if (key.startsWith(op.prefix)) {
          throw invalidArgument(`${field}[${i}].deletePrefix.prefix`, `covers key ${key}, also put in this branch`);
        }
      }
    }
  });
  return planned;
}
