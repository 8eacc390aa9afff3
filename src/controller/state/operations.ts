/**
 * In-flight ClusterInst/AppInst operations, persisted next to the objects so their deadlines survive a controller
 * restart. One record per object, stored as `cloudletd.Operation/<ClusterInst|AppInst>/<key string>` with a small
 * JSON value through the ordinary WriteTx (the record is an ObjectKind of its own with a JSON codec, so the
 * ObjectStore needed no change). A finished operation keeps its record, with `outcome`, for
 * {@link OUTCOME_RETENTION_MS} so that a waiting API call always finds how it ended; the sweeper removes it later.
 */
import { BinaryWriter, type BinaryReader } from '@bufbuild/protobuf/wire';
import { randomUUID } from 'node:crypto';
import type { ObjectKind } from '../../cache/object-kind.js';
import { internal } from '../../core/errors.js';
import type { MessageCodec } from '../../wire/message-codec.js';
import type { OperationTimeouts } from '../config.js';
import type { WriteTx } from '../object-store.js';

/** The object kinds that carry a TrackedState. */
export type InstTag = 'ClusterInst' | 'AppInst';

/** What an operation asked the CRM to do. */
export type OperationAction = 'create' | 'update' | 'delete';

/** How an operation ended: reached its goal, the CRM reported an error, or its deadline passed. */
export type OperationResult = 'done' | 'failed' | 'timeout';

/** The end of an operation. */
export interface OperationOutcome {
  readonly result: OperationResult;
  /** The CRM's errors (failed), or `["timed out after N s"]` (timeout); empty when done. */
  readonly errors: readonly string[];
  /** Extra lines for the caller's Result stream (e.g. "ignored CRM errors: ..."). */
  readonly messages: readonly string[];
  /** Epoch ms. */
  readonly at: number;
}

/** One persisted operation. Plain JSON: every field is a string, number, boolean or JSON object. */
export interface Operation {
  readonly inst: InstTag;
  /** Key string of the object (`keyString.clusterInst` / `keyString.appInst`). */
  readonly key: string;
  readonly action: OperationAction;
  /** Unique per operation; a waiting call follows only its own id (a new id means it was superseded). */
  readonly id: string;
  readonly startedAt: number;
  /** Epoch ms after which the sweeper moves the object to *_ERROR. */
  readonly deadline: number;
  readonly timeoutMs: number;
  /** IGNORE_CRM_ERRORS was given: on failure the result is forced (create → READY, delete → removed). */
  readonly ignoreCrmErrors: boolean;
  /** AppInst create/delete on an auto cluster: that ClusterInst's key string. */
  readonly autoCluster?: string | undefined;
  /**
   * AppInst create waiting for its auto cluster: the AppInst (proto JSON) to store once the cluster is READY. While
   * set, the AppInst does not exist yet.
   */
  readonly pending?: unknown;
  /** ClusterInst create run for an AppInst create (auto cluster): the AppInst's key string. */
  readonly parent?: string | undefined;
  readonly outcome?: OperationOutcome | undefined;
}

/** How long a finished operation's record is kept for callers that wait on it. */
export const OUTCOME_RETENTION_MS = 60_000;

/** The store prefix of operation records (the kind's name). */
export const OPERATION_KIND_NAME = 'cloudletd.Operation';

const jsonCodec: MessageCodec<Operation> = {
  encode(message: Operation, writer: BinaryWriter = new BinaryWriter()): BinaryWriter {
    return writer.raw(Buffer.from(JSON.stringify(message), 'utf8'));
  },
  decode(input: BinaryReader | Uint8Array): Operation {
    if (!(input instanceof Uint8Array)) throw internal('operation records decode from bytes only');
    return JSON.parse(Buffer.from(input).toString('utf8')) as Operation;
  },
  fromJSON: (object: unknown) => object as Operation,
  toJSON: (message: Operation) => message,
  fromPartial: (object: never) => object,
};

/** Key string of the operation record of an object. */
export function operationKey(inst: InstTag, key: string): string {
  return `${inst}/${key}`;
}

/**
 * The ObjectKind of operation records (store key `cloudletd.Operation/<inst>/<key>`). It must be in the
 * controller's stored kinds; it is never sent over notify. Immutable.
 */
export const operationKind: ObjectKind<Operation> = Object.freeze({
  name: OPERATION_KIND_NAME,
  codec: jsonCodec,
  keyOf: (op: Operation) => operationKey(op.inst, op.key),
  keyOnly: (op: Operation) => op,
  hasNotifyId: false,
});

/** The message of a deadline error: `timed out after 0.25 s`, `timed out after 1800 s`. */
export function timeoutMessage(timeoutMs: number): string {
  return `timed out after ${timeoutMs / 1000} s`;
}

/** The deadline (ms) of an action from the configured timeouts. */
export function timeoutOf(timeouts: OperationTimeouts, action: OperationAction): number {
  return action === 'create' ? timeouts.createMs : action === 'update' ? timeouts.updateMs : timeouts.deleteMs;
}

/** The operation record of an object as the transaction sees it (finished or not), if any. */
export function getOperation(tx: WriteTx, inst: InstTag, key: string): Operation | undefined {
  return tx.get(operationKind, operationKey(inst, key));
}

/** The unfinished operation of an object, if any. */
export function activeOperation(tx: WriteTx, inst: InstTag, key: string): Operation | undefined {
  const op = getOperation(tx, inst, key);
  return op && !op.outcome ? op : undefined;
}

/** What {@link beginOperation} needs besides the object. */
export interface BeginOptions {
  readonly timeouts: OperationTimeouts;
  readonly ignoreCrmErrors?: boolean;
  readonly autoCluster?: string | undefined;
  readonly pending?: unknown;
  readonly parent?: string | undefined;
  /** Overrides the deadline (ms from now), e.g. a pending auto-cluster AppInst waits for two creates. */
  readonly timeoutMs?: number;
  /** Keeps this id (a pending AppInst create continuing as a normal one keeps its caller). */
  readonly id?: string;
  readonly now?: number;
}

/**
 * Writes a new operation record for the object, replacing any previous one (a replaced unfinished operation is
 * superseded: its caller sees a different id and ends). Returns the record.
 */
export function beginOperation(tx: WriteTx, inst: InstTag, key: string, action: OperationAction, options: BeginOptions): Operation {
  const now = options.now ?? Date.now();
  const timeoutMs = options.timeoutMs ?? timeoutOf(options.timeouts, action);
  const op: Operation = {
    inst, key, action,
    id: options.id ?? randomUUID(),
    startedAt: now,
    deadline: now + timeoutMs,
    timeoutMs,
    ignoreCrmErrors: options.ignoreCrmErrors ?? false,
    ...(options.autoCluster !== undefined ? { autoCluster: options.autoCluster } : {}),
    ...(options.pending !== undefined ? { pending: options.pending } : {}),
    ...(options.parent !== undefined ? { parent: options.parent } : {}),
  };
  tx.put(operationKind, op);
  return op;
}

/** Records how `op` ended (the record stays for {@link OUTCOME_RETENTION_MS}). Returns the finished record. */
export function finishOperation(
  tx: WriteTx,
  op: Operation,
  result: OperationResult,
  errors: readonly string[] = [],
  messages: readonly string[] = [],
  now = Date.now(),
): Operation {
  const { pending: _pending, ...rest } = op;
  const finished: Operation = { ...rest, outcome: { result, errors: [...errors], messages: [...messages], at: now } };
  tx.put(operationKind, finished);
  return finished;
}

/** Removes the record of an object's operation (finished or not). */
export function dropOperation(tx: WriteTx, inst: InstTag, key: string): void {
  tx.delete(operationKind, operationKey(inst, key));
}
